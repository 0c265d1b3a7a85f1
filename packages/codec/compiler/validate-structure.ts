// Structural checks of a parsed spec: required keys, value types, known keys, name syntax.
// References between elements (nested sets, enums, op attributes) are checked by model.ts, which
// is where they are resolved. The kernel's JSON schema is not shipped with us; the tests run it.

import { SpecError } from "./errors.js";
import type { RawSpec } from "./raw.js";

export interface ValidateOptions {
  /** Enforce the schema's `^[0-9a-z-]+$` names (default). Lenient mode accepts e.g. "labels mask". */
  readonly strictNames?: boolean;
}

const ATTR_TYPES = [
  "unused", "pad", "flag", "binary", "bitfield32", "uint", "sint", "u8", "u16", "u32", "u64",
  "s8", "s16", "s32", "s64", "string", "nest", "indexed-array", "nest-type-value", "sub-message",
];
const MEMBER_TYPES = ["u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "string", "binary", "pad"];
const BYTE_ORDERS = ["little-endian", "big-endian"];
const DISPLAY_HINTS = ["hex", "mac", "fddi", "ipv4", "ipv6", "ipv4-or-v6", "uuid"];

const TOP_KEYS = [
  "name", "doc", "protocol", "protonum", "uapi-header", "c-family-name", "c-version-name", "max-by-define",
  "cmd-max-name", "cmd-cnt-name", "kernel-policy", "definitions", "attribute-sets", "sub-messages",
  "operations", "mcast-groups",
];
const DEFINITION_KEYS = [
  "name", "header", "scope", "type", "doc", "value", "value-start", "entries", "render-max", "enum-name",
  "name-prefix", "members",
];
const MEMBER_KEYS = ["name", "type", "len", "byte-order", "doc", "enum", "enum-as-flags", "display-hint", "struct"];
const SET_KEYS = [
  "name", "name-prefix", "enum-name", "doc", "subset-of", "attr-cnt-name", "attr-max-name", "header", "attributes",
];
const ATTR_KEYS = [
  "name", "type", "doc", "value", "type-value", "byte-order", "multi-attr", "nested-attributes", "enum",
  "enum-as-flags", "checks", "sub-type", "display-hint", "name-prefix", "struct", "sub-message", "selector",
];
const CHECK_KEYS = ["flags-mask", "min", "min-len", "max-len", "exact-len", "unterminated-ok"];
const OPS_KEYS = ["enum-model", "name-prefix", "enum-name", "async-prefix", "async-enum", "fixed-header", "list"];
const OP_KEYS = [
  "name", "doc", "value", "attribute-set", "flags", "dont-validate", "fixed-header", "do", "dump", "notify",
  "event", "mcgrp",
];
const MODE_KEYS = ["request", "reply", "pre", "post"];
const MESSAGE_KEYS = ["attributes", "value"];
const MCGRP_KEYS = ["name", "c-define-name", "flags", "value"];

class Checker {
  private readonly file: string;
  private readonly strictNames: boolean;

  constructor(file: string, strictNames: boolean) {
    this.file = file;
    this.strictNames = strictNames;
  }

  fail(path: string, message: string): never {
    throw new SpecError(this.file, path, message);
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(path, "expected a mapping");
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, "expected a list");
    return v;
  }

  keys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(path, `unknown property "${k}"`);
    }
  }

  required(o: Record<string, unknown>, key: string, path: string): unknown {
    if (!(key in o)) this.fail(path, `missing required property "${key}"`);
    return o[key];
  }

  string(v: unknown, path: string): string {
    if (typeof v !== "string") this.fail(path, "expected a string");
    return v;
  }

  optString(o: Record<string, unknown>, key: string, path: string): void {
    if (key in o) this.string(o[key], `${path}.${key}`);
  }

  optBool(o: Record<string, unknown>, key: string, path: string): void {
    if (key in o && typeof o[key] !== "boolean") this.fail(`${path}.${key}`, "expected true or false");
  }

  optUint(o: Record<string, unknown>, key: string, path: string): void {
    if (key in o) {
      const v = o[key];
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) this.fail(`${path}.${key}`, "expected an unsigned integer");
    }
  }

  optIntOrString(o: Record<string, unknown>, key: string, path: string): void {
    if (key in o && typeof o[key] !== "string" && !Number.isSafeInteger(o[key])) {
      this.fail(`${path}.${key}`, "expected an integer or a define name");
    }
  }

  optEnum(o: Record<string, unknown>, key: string, allowed: readonly string[], path: string): void {
    if (key in o && !allowed.includes(o[key] as string)) {
      this.fail(`${path}.${key}`, `expected one of ${allowed.join(", ")}, got ${JSON.stringify(o[key])}`);
    }
  }

  name(v: unknown, path: string, capitals = false): string {
    const s = this.string(v, path);
    const pattern = capitals ? /^[0-9a-zA-Z-]+$/ : /^[0-9a-z-]+$/;
    if (this.strictNames ? !pattern.test(s) : !/^[0-9A-Za-z][0-9A-Za-z -]*$/.test(s)) {
      this.fail(path, `name ${JSON.stringify(s)} does not match ${this.strictNames ? pattern.source : "lenient name syntax"}`);
    }
    return s;
  }

  stringList(v: unknown, path: string): void {
    this.array(v, path).forEach((s, i) => this.string(s, `${path}[${i}]`));
  }
}

function checkDefinition(c: Checker, v: unknown, path: string): void {
  const d = c.object(v, path);
  c.keys(d, DEFINITION_KEYS, path);
  c.name(c.required(d, "name", path), `${path}.name`);
  c.optEnum(d, "type", ["const", "enum", "flags", "struct"], path);
  const type = c.required(d, "type", path);
  c.optString(d, "doc", path);
  c.optString(d, "name-prefix", path);
  c.optIntOrString(d, "value", path);
  c.optIntOrString(d, "value-start", path);
  if (type === "enum" || type === "flags") {
    c.array(c.required(d, "entries", path), `${path}.entries`).forEach((e, i) => {
      const ePath = `${path}.entries[${i}]`;
      if (typeof e === "string") {
        c.name(e, ePath);
        return;
      }
      const entry = c.object(e, ePath);
      c.keys(entry, ["name", "value", "doc"], ePath);
      c.name(c.required(entry, "name", ePath), `${ePath}.name`);
      if ("value" in entry && !Number.isSafeInteger(entry.value)) c.fail(`${ePath}.value`, "expected an integer");
      c.optString(entry, "doc", ePath);
    });
  }
  if (type === "struct") {
    c.array(d.members ?? [], `${path}.members`).forEach((m, i) => {
      const mPath = `${path}.members[${i}]`;
      const member = c.object(m, mPath);
      c.keys(member, MEMBER_KEYS, mPath);
      c.name(c.required(member, "name", mPath), `${mPath}.name`, true);
      c.optEnum(member, "type", MEMBER_TYPES, mPath);
      c.required(member, "type", mPath);
      c.optIntOrString(member, "len", mPath);
      c.optEnum(member, "byte-order", BYTE_ORDERS, mPath);
      c.optEnum(member, "display-hint", DISPLAY_HINTS, mPath);
      c.optString(member, "enum", mPath);
      c.optBool(member, "enum-as-flags", mPath);
      c.optString(member, "struct", mPath);
      c.optString(member, "doc", mPath);
      if ((member.type === "pad" || member.type === "binary") && !("len" in member) && !("struct" in member)) {
        c.fail(mPath, `a ${member.type} member needs "len"${member.type === "binary" ? ' or "struct"' : ""}`);
      }
    });
  }
}

function checkAttr(c: Checker, v: unknown, path: string, inSubset: boolean): void {
  const a = c.object(v, path);
  c.keys(a, ATTR_KEYS, path);
  c.name(c.required(a, "name", path), `${path}.name`);
  if (!inSubset) c.required(a, "type", path);
  c.optEnum(a, "type", ATTR_TYPES, path);
  c.optEnum(a, "sub-type", ATTR_TYPES, path);
  c.optUint(a, "value", path);
  c.optEnum(a, "byte-order", BYTE_ORDERS, path);
  c.optEnum(a, "display-hint", DISPLAY_HINTS, path);
  c.optBool(a, "multi-attr", path);
  c.optBool(a, "enum-as-flags", path);
  for (const k of ["doc", "nested-attributes", "enum", "struct", "name-prefix", "sub-message", "selector"]) {
    c.optString(a, k, path);
  }
  if ("checks" in a) {
    const checks = c.object(a.checks, `${path}.checks`);
    c.keys(checks, CHECK_KEYS, `${path}.checks`);
    for (const k of ["min-len", "max-len", "exact-len"]) c.optIntOrString(checks, k, `${path}.checks`);
  }
  if (a.type === "nest" && !inSubset && !("nested-attributes" in a)) c.fail(path, 'a nest needs "nested-attributes"');
  if (a.type === "sub-message" && !inSubset) {
    if (!("sub-message" in a)) c.fail(path, 'a sub-message needs "sub-message" (the definition to use)');
    if (!("selector" in a)) c.fail(path, 'a sub-message needs "selector" (the attribute that picks the format)');
  }
}

function checkSubMessage(c: Checker, v: unknown, path: string): void {
  const sm = c.object(v, path);
  c.keys(sm, ["name", "formats"], path);
  c.name(c.required(sm, "name", path), `${path}.name`);
  c.array(c.required(sm, "formats", path), `${path}.formats`).forEach((f, i) => {
    const fPath = `${path}.formats[${i}]`;
    const format = c.object(f, fPath);
    c.keys(format, ["value", "fixed-header", "attribute-set"], fPath);
    c.string(c.required(format, "value", fPath), `${fPath}.value`);
    c.optString(format, "fixed-header", fPath);
    c.optString(format, "attribute-set", fPath);
  });
}

function checkMessage(c: Checker, v: unknown, path: string): void {
  const m = c.object(v, path);
  c.keys(m, MESSAGE_KEYS, path);
  c.optUint(m, "value", path);
  if ("attributes" in m) c.stringList(m.attributes, `${path}.attributes`);
}

function checkOperation(c: Checker, v: unknown, path: string): void {
  const op = c.object(v, path);
  c.keys(op, OP_KEYS, path);
  c.name(c.required(op, "name", path), `${path}.name`);
  c.optString(op, "doc", path);
  c.optUint(op, "value", path);
  for (const k of ["attribute-set", "fixed-header", "notify", "mcgrp"]) c.optString(op, k, path);
  for (const modeName of ["do", "dump"] as const) {
    if (!(modeName in op)) continue;
    const mPath = `${path}.${modeName}`;
    const mode = c.object(op[modeName], mPath);
    c.keys(mode, MODE_KEYS, mPath);
    if ("request" in mode) checkMessage(c, mode.request, `${mPath}.request`);
    if ("reply" in mode) checkMessage(c, mode.reply, `${mPath}.reply`);
  }
  if ("event" in op) {
    const event = c.object(op.event, `${path}.event`);
    c.keys(event, ["attributes"], `${path}.event`);
    if ("attributes" in event) c.stringList(event.attributes, `${path}.event.attributes`);
  }
  const kinds = ["do", "dump", "notify", "event"].filter((k) => k in op);
  if (kinds.includes("notify") && kinds.includes("event")) c.fail(path, 'an operation cannot have both "notify" and "event"');
  if ((kinds.includes("notify") || kinds.includes("event")) && (kinds.includes("do") || kinds.includes("dump"))) {
    c.fail(path, "an operation is either a call (do/dump) or a notification (notify/event)");
  }
}

/** Checks the document's structure and returns it typed. Throws SpecError on the first problem. */
export function validateStructure(doc: unknown, file: string, options: ValidateOptions = {}): RawSpec {
  const c = new Checker(file, options.strictNames ?? true);
  const top = c.object(doc, "");
  c.keys(top, TOP_KEYS, "");
  c.string(c.required(top, "name", ""), "name");
  c.string(c.required(top, "doc", ""), "doc");
  c.optEnum(top, "protocol", ["netlink-raw", "genetlink", "genetlink-legacy", "genetlink-c"], "");
  c.optUint(top, "protonum", "");

  c.array(top.definitions ?? [], "definitions").forEach((d, i) => checkDefinition(c, d, `definitions[${i}]`));

  c.array(c.required(top, "attribute-sets", ""), "attribute-sets").forEach((s, i) => {
    const path = `attribute-sets[${i}]`;
    const set = c.object(s, path);
    c.keys(set, SET_KEYS, path);
    c.name(c.required(set, "name", path), `${path}.name`);
    c.optString(set, "name-prefix", path);
    c.optString(set, "subset-of", path);
    c.optString(set, "doc", path);
    if ("name-prefix" in set && "subset-of" in set) c.fail(path, 'a subset inherits its naming: drop "name-prefix"');
    c.array(c.required(set, "attributes", path), `${path}.attributes`).forEach((a, j) =>
      checkAttr(c, a, `${path}.attributes[${j}]`, "subset-of" in set),
    );
  });

  c.array(top["sub-messages"] ?? [], "sub-messages").forEach((sm, i) => checkSubMessage(c, sm, `sub-messages[${i}]`));

  const ops = c.object(c.required(top, "operations", ""), "operations");
  c.keys(ops, OPS_KEYS, "operations");
  c.optEnum(ops, "enum-model", ["unified", "directional"], "operations");
  c.optString(ops, "fixed-header", "operations");
  c.array(c.required(ops, "list", "operations"), "operations.list").forEach((op, i) =>
    checkOperation(c, op, `operations.list[${i}]`),
  );

  if ("mcast-groups" in top) {
    const groups = c.object(top["mcast-groups"], "mcast-groups");
    c.keys(groups, ["list"], "mcast-groups");
    c.array(c.required(groups, "list", "mcast-groups"), "mcast-groups.list").forEach((g, i) => {
      const path = `mcast-groups.list[${i}]`;
      const group = c.object(g, path);
      c.keys(group, MCGRP_KEYS, path);
      c.string(c.required(group, "name", path), `${path}.name`);
      c.optString(group, "c-define-name", path);
      if ("value" in group && !Number.isSafeInteger(group.value)) c.fail(`${path}.value`, "expected an integer");
    });
  }
  return top as RawSpec;
}
