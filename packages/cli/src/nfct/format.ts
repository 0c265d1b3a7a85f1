// nfct 1.4.7's output: libnetfilter_cttimeout's nfct_timeout_snprintf() and libnetfilter_cthelper's
// nfct_helper_snprintf(), each object followed by "\n" (nfct's printf("%s\n")); and tsnfct's JSON.

import type { CthelperAttrs } from "@tsconntrack/codec/cthelper";
import type { CttimeoutAttrs } from "@tsconntrack/codec/cttimeout";
import { jsonString } from "../format/json.js";
import { truncateBytes } from "./c-text.js";
import { protocolStates } from "./states.js";

type Data = Readonly<Record<string, unknown>>;

/** The nfct state values a policy carries: undefined when nfct would print no .policy block. */
function nfctPolicy(policy: CttimeoutAttrs): number[] | undefined {
  if (policy.l4proto === undefined || policy.data === undefined) return undefined;
  const states = protocolStates(policy.l4proto)?.states;
  if (states === undefined) return undefined;
  const data = policy.data as Data;
  // The library sets the policy once it has read one state it knows; unset states print as 0.
  if (!states.some((s) => typeof data[s.key] === "number")) return undefined;
  return states.map((s) => (typeof data[s.key] === "number" ? (data[s.key] as number) : 0));
}

/** One policy (or a protocol's defaults, which have no name) as nfct prints it. */
export function timeoutText(policy: CttimeoutAttrs): string {
  let out = "";
  if (policy.name !== undefined) out += `.${truncateBytes(policy.name, 32)} = {\n`;
  if (policy.l3proto !== undefined) out += `\t.l3proto = ${policy.l3proto},\n`;
  if (policy.l4proto !== undefined) out += `\t.l4proto = ${policy.l4proto},\n`;
  const values = nfctPolicy(policy);
  if (values !== undefined) {
    const states = protocolStates(policy.l4proto!)!.states;
    out += "\t.policy = {\n";
    values.forEach((value, i) => (out += `\t\t.${states[i]!.name} = ${value},\n`));
    out += "\t},\n";
  }
  return `${out}};\n`;
}

/** libnetfilter_cthelper refuses a helper without these (nfct then prints its parse error instead). */
export function helperComplete(helper: CthelperAttrs): boolean {
  return helper.name !== undefined && helper.queueNum !== undefined && helper.tuple !== undefined && helper.policy !== undefined && helper.status !== undefined;
}

export function helperText(helper: CthelperAttrs): string {
  return (
    "{\n" +
    `\t.name = ${truncateBytes(helper.name ?? "", 16)},\n` +
    `\t.queuenum = ${helper.queueNum ?? 0},\n` +
    `\t.l3protonum = ${helper.tuple?.l3protonum ?? 0},\n` +
    `\t.l4protonum = ${helper.tuple?.l4protonum ?? 0},\n` +
    `\t.priv_data_len = ${helper.privDataLen ?? 0},\n` +
    `\t.status = ${helper.status ? "enabled" : "disabled"},\n` +
    "};\n"
  );
}

function field(name: string, value: string | undefined): string {
  return value === undefined ? "" : `,"${name}":${value}`;
}

const num = (n: number | undefined): string | undefined => (n === undefined ? undefined : String(n));

/**
 * A policy as JSON: name, l3proto, l4proto, use, and policy with every state the kernel sent, keyed by
 * the lower-case state name nfct takes (`syn_sent`); a payload the codec has no format for is left out.
 */
export function timeoutJson(policy: CttimeoutAttrs): string {
  let states = "";
  if (policy.l4proto !== undefined && policy.data !== undefined) {
    const data = policy.data as Data;
    const all = protocolStates(policy.l4proto)?.all ?? [];
    const parts = all.filter((s) => typeof data[s.key] === "number").map((s) => `${jsonString(s.name.toLowerCase())}:${data[s.key] as number}`);
    states = `{${parts.join(",")}}`;
  }
  const body =
    field("name", policy.name === undefined ? undefined : jsonString(policy.name)) +
    field("l3proto", num(policy.l3proto)) +
    field("l4proto", num(policy.l4proto)) +
    field("use", num(policy.use)) +
    field("policy", states === "" ? undefined : states);
  return `{${body.slice(1)}}`;
}

/** A helper as JSON, with its expectation classes (which nfct does not print). */
export function helperJson(helper: CthelperAttrs): string {
  const classes: string[] = [];
  const policy = helper.policy as Data | undefined;
  for (const key of ["set1", "set2", "set3", "set4"]) {
    const p = policy?.[key] as { name?: string; expectMax?: number; expectTimeout?: number } | undefined;
    if (p === undefined) continue;
    const body = field("name", p.name === undefined ? undefined : jsonString(p.name)) + field("expect_max", num(p.expectMax)) + field("expect_timeout", num(p.expectTimeout));
    classes.push(`{${body.slice(1)}}`);
  }
  const body =
    field("name", helper.name === undefined ? undefined : jsonString(helper.name)) +
    field("queuenum", num(helper.queueNum)) +
    field("l3protonum", num(helper.tuple?.l3protonum)) +
    field("l4protonum", num(helper.tuple?.l4protonum)) +
    field("priv_data_len", num(helper.privDataLen)) +
    field("status", helper.status === undefined ? undefined : helper.status ? '"enabled"' : '"disabled"') +
    field("policies", helper.policy === undefined ? undefined : `[${classes.join(",")}]`);
  return `{${body.slice(1)}}`;
}

/** The JSON document of a command's objects: one array on one line, as `tsconntrack -o json`. */
export function jsonDocument(objects: readonly string[]): string {
  return `[${objects.join(",")}]\n`;
}
