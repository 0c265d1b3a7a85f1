/**
 * Builders of cttimeout and cthelper requests (pure: values in, bytes out, nothing sent). Every
 * request carries nfgenmsg { AF_UNSPEC, NFNETLINK_V0, 0 }, as libnetfilter_cttimeout and
 * libnetfilter_cthelper send it; attributes go out in the order of the object given.
 */
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL } from "@tsconntrack/codec";
import { cthelper, CthelperRequest, HelperStatus, type CthelperAttrs } from "@tsconntrack/codec/cthelper";
import { cttimeout, CttimeoutRequest, type CttimeoutAttrs } from "@tsconntrack/codec/cttimeout";
import type { NetlinkRequest } from "@tsconntrack/socket";
import { NfctArgumentError } from "./errors.js";

export const SET_TIMEOUT = "cttimeout-attrs";
export const SET_HELPER = "cthelper-attrs";

const NFGENMSG_SIZE = 4;

function payload(codec: typeof cttimeout, set: string, attrs: object | undefined): Uint8Array {
  const body = attrs === undefined ? new Uint8Array(0) : codec.encodeAttrs(set, attrs);
  const out = new Uint8Array(NFGENMSG_SIZE + body.length);
  out.set(body, NFGENMSG_SIZE);
  return out;
}

const timeoutPayload = (attrs?: CttimeoutAttrs): Uint8Array => payload(cttimeout, SET_TIMEOUT, attrs);
const helperPayload = (attrs?: CthelperAttrs): Uint8Array => payload(cthelper, SET_HELPER, attrs);

function requireName(name: string | undefined, field: string): string {
  if (name === undefined || name === "") throw new NfctArgumentError(field, "needs a name");
  return name;
}

/** A timeout policy as the kernel takes it: CTA_TIMEOUT_NAME, L3PROTO, L4PROTO, DATA. */
export type TimeoutPolicyInput = Pick<CttimeoutAttrs, "name" | "l3proto" | "l4proto" | "data" | "$unknown">;

export interface AddOptions {
  /** NLM_F_EXCL: fail with EEXIST when the name is taken (default: replace an unused policy's timeouts). */
  exclusive?: boolean;
}

/** IPCTNL_MSG_TIMEOUT_NEW with NLM_F_CREATE. */
export function timeoutNewRequest(policy: TimeoutPolicyInput, options: AddOptions = {}): NetlinkRequest {
  requireName(policy.name, "policy.name");
  if (policy.l4proto === undefined) throw new NfctArgumentError("policy.l4proto", "needs the layer 4 protocol");
  return { type: CttimeoutRequest.new, flags: NLM_F_CREATE | (options.exclusive ? NLM_F_EXCL : 0), payload: timeoutPayload(policy) };
}

/** IPCTNL_MSG_TIMEOUT_GET of one policy. */
export function timeoutGetRequest(name: string): NetlinkRequest {
  return { type: CttimeoutRequest.get, payload: timeoutPayload({ name: requireName(name, "name") }) };
}

/** IPCTNL_MSG_TIMEOUT_GET dump of every policy. */
export function timeoutDumpRequest(): NetlinkRequest {
  return { type: CttimeoutRequest.get, flags: NLM_F_DUMP, payload: timeoutPayload() };
}

/** IPCTNL_MSG_TIMEOUT_DELETE of one policy, or (no name) of every unused policy. */
export function timeoutDeleteRequest(name?: string): NetlinkRequest {
  return { type: CttimeoutRequest.delete, payload: timeoutPayload(name === undefined ? undefined : { name: requireName(name, "name") }) };
}

/** A protocol's default timeouts: CTA_TIMEOUT_L3PROTO, L4PROTO, DATA. */
export type DefaultTimeoutInput = Pick<CttimeoutAttrs, "l3proto" | "l4proto" | "data" | "$unknown">;

/** IPCTNL_MSG_TIMEOUT_DEFAULT_SET. */
export function timeoutDefaultSetRequest(policy: DefaultTimeoutInput): NetlinkRequest {
  if (policy.l4proto === undefined) throw new NfctArgumentError("policy.l4proto", "needs the layer 4 protocol");
  return { type: CttimeoutRequest.defaultSet, payload: timeoutPayload(policy) };
}

/** IPCTNL_MSG_TIMEOUT_DEFAULT_GET of one protocol. */
export function timeoutDefaultGetRequest(l3proto: number, l4proto: number): NetlinkRequest {
  return { type: CttimeoutRequest.defaultGet, payload: timeoutPayload({ l3proto, l4proto }) };
}

/** A helper as the kernel takes it; keys in the order to send them. */
export type HelperInput = Omit<CthelperAttrs, "$unknown"> & Pick<CthelperAttrs, "$unknown">;

/** Which helpers a get or delete is about: a name and/or a tuple (none: all of them). */
export type HelperKey = Pick<CthelperAttrs, "name" | "tuple">;

/** NFNL_MSG_CTHELPER_NEW with NLM_F_CREATE. */
export function helperNewRequest(helper: HelperInput, options: AddOptions = {}): NetlinkRequest {
  requireName(helper.name, "helper.name");
  return { type: CthelperRequest.new, flags: NLM_F_CREATE | (options.exclusive ? NLM_F_EXCL : 0), payload: helperPayload(helper) };
}

/** NFNL_MSG_CTHELPER_NEW that sets NFCTH_STATUS to disabled (the kernel stops queueing to it). */
export function helperDisableRequest(key: Required<HelperKey>): NetlinkRequest {
  return helperNewRequest({ name: key.name, tuple: key.tuple, status: HelperStatus.disabled });
}

/** NFNL_MSG_CTHELPER_GET of the helpers matching `key`. */
export function helperGetRequest(key: HelperKey): NetlinkRequest {
  return { type: CthelperRequest.get, payload: helperPayload(key) };
}

/** NFNL_MSG_CTHELPER_GET dump of every helper. */
export function helperDumpRequest(): NetlinkRequest {
  return { type: CthelperRequest.get, flags: NLM_F_DUMP, payload: helperPayload() };
}

/** NFNL_MSG_CTHELPER_DEL of the unused helpers matching `key` (empty key: all unused helpers). */
export function helperDeleteRequest(key: HelperKey = {}): NetlinkRequest {
  return { type: CthelperRequest.del, payload: helperPayload(Object.keys(key).length === 0 ? undefined : key) };
}
