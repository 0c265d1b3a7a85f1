// Implicit values, resolved exactly as YNL's nlspec.py does it (the wire depends on it):
// attributes count from 1 and an explicit `value` resets the counter; enum entries count from
// `value-start` (default 0); a flags entry's value is the mask 1 << position; directional
// operations keep separate request and reply counters fed by the `do` (else `dump`) values.

import type { RawOperation } from "./raw.js";

/** Wire ids of a (non-subset) attribute set's attributes, in spec order. */
export function resolveAttrValues(attrs: readonly { readonly value?: number }[]): number[] {
  let next = 1;
  return attrs.map((a) => {
    if (a.value !== undefined) next = a.value;
    return next++;
  });
}

/** Raw values (positions for flags) of enum entries, in spec order. */
export function resolveEnumRawValues(entries: readonly { readonly value?: number }[], valueStart: number): number[] {
  const out: number[] = [];
  entries.forEach((e, i) => {
    out.push(e.value ?? (i === 0 ? valueStart : out[i - 1]! + 1));
  });
  return out;
}

/** The value user code sees: the raw value for enums, the bit mask for flags (2 ** n keeps bit 31 positive). */
export function enumUserValue(raw: number, asFlags: boolean): number {
  return asFlags ? 2 ** raw : raw;
}

export interface OpValues {
  /** nlmsg_type sent to the kernel; undefined for notifications. */
  readonly request: number | undefined;
  /** nlmsg_type of the answer or notification; undefined when the op has no reply. */
  readonly reply: number | undefined;
}

/** `enum-model: unified` — one counter from 1, shared by requests and replies. */
export function resolveUnifiedOps(ops: readonly Pick<RawOperation, "value">[]): OpValues[] {
  let next = 1;
  return ops.map((op) => {
    if (op.value !== undefined) next = op.value;
    const v = next++;
    return { request: v, reply: v };
  });
}

/** `enum-model: directional` — nlspec.py's _dictify_ops_directional, including its quirks (0 counts as unset). */
export function resolveDirectionalOps(ops: readonly RawOperation[]): OpValues[] {
  let req = 1;
  let rsp = 1;
  return ops.map((op) => {
    let reqNext: number;
    let rspNext: number;
    let thisReq: number | undefined;
    let thisRsp: number | undefined;
    if (op.notify !== undefined || op.event !== undefined) {
      if (op.value !== undefined) rsp = op.value;
      reqNext = req;
      rspNext = rsp + 1;
      thisReq = undefined;
      thisRsp = rsp;
    } else {
      const mode = op.do ?? op.dump ?? {};
      const reqValue = mode.request?.value;
      const rspValue = mode.reply?.value;
      if (reqValue) req = reqValue;
      if (rspValue) rsp = rspValue;
      reqNext = req + 1;
      rspNext = rsp + (mode.reply !== undefined ? 1 : 0);
      thisReq = req;
      thisRsp = rsp;
    }
    if (thisReq === reqNext) thisReq = undefined;
    if (thisRsp === rspNext) thisRsp = undefined;
    req = reqNext;
    rsp = rspNext;
    return { request: thisReq, reply: thisRsp };
  });
}

/**
 * A `len` / `value-start` / check: an integer, a const definition's name, or "NAME - 1".
 * Returns undefined when the define is not known to the spec.
 */
export function resolveIntOrDefine(v: string | number, consts: ReadonlyMap<string, number>): number | undefined {
  if (typeof v === "number") return v;
  const m = /^([0-9A-Za-z_-]+)( - 1)?$/.exec(v.trim());
  if (!m) return undefined;
  const base = /^[0-9]+$/.test(m[1]!) ? Number(m[1]) : consts.get(m[1]!);
  if (base === undefined) return undefined;
  return m[2] ? base - 1 : base;
}
