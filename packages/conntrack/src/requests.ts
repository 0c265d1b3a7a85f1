/** Builders of ctnetlink requests (pure: bytes in, nothing sent). */
import { HOST_LITTLE_ENDIAN, NLA_HDRLEN, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, align4, type MessageView } from "@tsconntrack/codec";
import { conntrack, type ConntrackAttrs, type ExpectAttrs } from "@tsconntrack/codec/conntrack";
import type { NetlinkRequest } from "@tsconntrack/socket";
import {
  AF_UNSPEC,
  CT_DELETE,
  CT_GET,
  CT_GET_CTRZERO,
  CT_GET_DYING,
  CT_GET_STATS,
  CT_GET_STATS_CPU,
  CT_GET_UNCONFIRMED,
  CT_NEW,
  EXP_DELETE,
  EXP_GET,
  EXP_GET_STATS_CPU,
  EXP_NEW,
  NFNETLINK_V0,
  NFNETLINK_V1,
  SET_CONNTRACK,
  SET_EXPECT,
} from "./constants.js";
import { copyInto } from "./byte-log.js";
import { ConntrackArgumentError } from "./errors.js";
import { FLOW, viewFamily } from "./flow-view.js";
import { flowFamily, tupleFamily } from "./tuple.js";

/** nfgenmsg followed by the encoded attributes of `set`. */
export function payload(family: number, set: string, attrs: object | undefined, version = NFNETLINK_V0): Uint8Array {
  const body = attrs === undefined ? new Uint8Array(0) : conntrack.encodeAttrs(set, attrs);
  const out = new Uint8Array(4 + body.length);
  out[0] = family;
  out[1] = version;
  out.set(body, 4);
  return out;
}

export type Table = "conntrack" | "dying" | "unconfirmed";

const TABLE_TYPES: Record<Table, number> = { conntrack: CT_GET, dying: CT_GET_DYING, unconfirmed: CT_GET_UNCONFIRMED };

/** A table dump; `zero` = GET_CTRZERO (read, then reset the counters; conntrack table only). */
export function dumpRequest(table: Table, family: number, attrs: ConntrackAttrs | undefined, zero = false): NetlinkRequest {
  const type = zero ? CT_GET_CTRZERO : TABLE_TYPES[table];
  if (type === undefined) throw new ConntrackArgumentError("table", `unknown table ${JSON.stringify(table)}`);
  const hasAttrs = attrs !== undefined && Object.keys(attrs).length > 0;
  return { type, flags: NLM_F_DUMP, payload: payload(family, SET_CONNTRACK, hasAttrs ? attrs : undefined) };
}

function requireFamily(family: number | undefined, field: string): number {
  if (family === undefined) throw new ConntrackArgumentError(field, "needs IPv4 or IPv6 addresses (or an explicit family) to pick the L3 family");
  return family;
}

/** What identifies one entry: a tuple (orig preferred), its zone, optionally its id. */
export type FlowKey = Pick<ConntrackAttrs, "tupleOrig" | "tupleReply" | "zone" | "id" | "mark">;

/** GET of one entry: the original tuple (else the reply tuple) and CTA_ZONE. */
export function getRequest(key: FlowKey, family?: number): NetlinkRequest {
  const attrs: ConntrackAttrs = {};
  if (key.tupleOrig !== undefined) attrs.tupleOrig = key.tupleOrig;
  else if (key.tupleReply !== undefined) attrs.tupleReply = key.tupleReply;
  else throw new ConntrackArgumentError("tuple", "get needs tupleOrig or tupleReply");
  if (key.zone !== undefined) attrs.zone = key.zone;
  // The kernel answers a GET with the entry or an error, never both: no ACK needed (as conntrack 1.4.8+).
  return { type: CT_GET, singleReply: true, payload: payload(requireFamily(family ?? flowFamily(key), "tuple"), SET_CONNTRACK, attrs) };
}

export type NewMode = "create" | "update" | "create-or-update";

const NEW_FLAGS: Record<NewMode, number> = {
  create: NLM_F_CREATE | NLM_F_EXCL,
  update: 0,
  "create-or-update": NLM_F_CREATE,
};

/** CT_NEW with the flow's attributes, in the flow's own order. */
export function newRequest(flow: ConntrackAttrs, mode: NewMode, family?: number): NetlinkRequest {
  return { type: CT_NEW, flags: NEW_FLAGS[mode], payload: payload(requireFamily(family ?? flowFamily(flow), "flow"), SET_CONNTRACK, flow) };
}

/**
 * DELETE of one entry. From a dumped entry it carries the original tuple (with its tuple zone),
 * CTA_ZONE and CTA_ID, so the kernel removes exactly that entry (an id mismatch is ENOENT).
 */
export function deleteRequest(key: FlowKey, family?: number): NetlinkRequest {
  const attrs: ConntrackAttrs = {};
  if (key.tupleOrig !== undefined) attrs.tupleOrig = key.tupleOrig;
  else if (key.tupleReply !== undefined) attrs.tupleReply = key.tupleReply;
  else throw new ConntrackArgumentError("tuple", "delete needs tupleOrig or tupleReply (use flush to remove everything)");
  if (key.zone !== undefined) attrs.zone = key.zone;
  if (key.id !== undefined) attrs.id = key.id;
  return { type: CT_DELETE, payload: payload(requireFamily(family ?? flowFamily(key), "tuple"), SET_CONNTRACK, attrs) };
}

/**
 * The DELETE of a dumped entry, from its walked view (flow-view.ts): the original tuple (else the
 * reply tuple), CTA_ZONE and CTA_ID copied as the kernel sent them (the first of each, as the
 * view keeps), so nothing is decoded or re-encoded. `quiet`: the kernel answers only if the delete
 * fails. `allocate` gives the payload's memory.
 */
export function deleteRequestFromView(view: MessageView, allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes)): NetlinkRequest {
  const found = new Int32Array(DELETE_SCAN_SIZE);
  const out = allocate(findDeleteAttrs(view, found));
  writeDeletePayload(out, 0, view, found);
  return { type: CT_DELETE, payload: out, quiet: true };
}

/** Slots of the scratch array findDeleteAttrs fills (attribute header offsets in view.u8, -1 = absent). */
export const DELETE_SCAN_SIZE = 3;
const FOUND_TUPLE = 0;
const FOUND_ZONE = 1;
const FOUND_ID = 2;

/** The nlattr header of a slot's attribute in view.u8, or -1 when absent. */
const headerOf = (view: MessageView, slot: number): number => (view.pos[slot]! >= 0 ? view.pos[slot]! - NLA_HDRLEN : -1);

/**
 * Finds what the DELETE of a dumped entry carries (see deleteRequestFromView) and returns the
 * size of its payload (nfgenmsg included). `found` (DELETE_SCAN_SIZE slots) is reused by the caller.
 */
export function findDeleteAttrs(view: MessageView, found: Int32Array): number {
  const orig = headerOf(view, FLOW.tupleOrig);
  const tuple = orig >= 0 ? orig : headerOf(view, FLOW.tupleReply);
  if (tuple < 0) throw new ConntrackArgumentError("tuple", "delete needs tupleOrig or tupleReply (use flush to remove everything)");
  const zone = headerOf(view, FLOW.zone);
  const id = headerOf(view, FLOW.id);
  found[FOUND_TUPLE] = tuple;
  found[FOUND_ZONE] = zone;
  found[FOUND_ID] = id;
  return 4 + align4(attrLength(view.u8, tuple)) + (zone >= 0 ? align4(attrLength(view.u8, zone)) : 0) + (id >= 0 ? align4(attrLength(view.u8, id)) : 0);
}

/** Writes the payload findDeleteAttrs measured at `out[at]`, padding included (reused memory is fine); returns its end. */
export function writeDeletePayload(out: Uint8Array, at: number, view: MessageView, found: Int32Array): number {
  out[at] = viewFamily(view);
  out[at + 1] = out[at + 2] = out[at + 3] = 0;
  at += 4;
  for (let k = 0; k < DELETE_SCAN_SIZE; k++) {
    const attr = found[k]!;
    if (attr < 0) continue;
    const len = attrLength(view.u8, attr);
    copyInto(out, at, view.u8, attr, attr + len);
    for (let pad = at + len, end = at + align4(len); pad < end; pad++) out[pad] = 0;
    at += align4(len);
  }
  return at;
}

/** nla_len of the attribute at `at` (host byte order). */
const attrLength = (u8: Uint8Array, at: number): number => (HOST_LITTLE_ENDIAN ? u8[at]! | (u8[at + 1]! << 8) : (u8[at]! << 8) | u8[at + 1]!);

/** DELETE without a tuple: flush. With a family, nfgenmsg.version 1 asks the kernel to flush only that family. */
export function flushRequest(family?: number): NetlinkRequest {
  return family === undefined || family === AF_UNSPEC
    ? { type: CT_DELETE, payload: payload(AF_UNSPEC, SET_CONNTRACK, undefined) }
    : { type: CT_DELETE, payload: payload(family, SET_CONNTRACK, undefined, NFNETLINK_V1) };
}

export function statsRequest(): NetlinkRequest {
  // Answered by the stats message or an error; conntrack -C sends it without NLM_F_ACK too.
  return { type: CT_GET_STATS, singleReply: true, payload: payload(AF_UNSPEC, SET_CONNTRACK, undefined) };
}

export function statsCpuRequest(): NetlinkRequest {
  return { type: CT_GET_STATS_CPU, flags: NLM_F_DUMP, payload: payload(AF_UNSPEC, SET_CONNTRACK, undefined) };
}

// Expectations.

export function expectFamily(expect: ExpectAttrs): number | undefined {
  return tupleFamily(expect.expectTuple) ?? tupleFamily(expect.expectMaster) ?? tupleFamily(expect.expectMask);
}

export function expectDumpRequest(family: number, master?: ExpectAttrs["expectMaster"]): NetlinkRequest {
  return { type: EXP_GET, flags: NLM_F_DUMP, payload: payload(family, SET_EXPECT, master === undefined ? undefined : { expectMaster: master }) };
}

export function expectGetRequest(key: ExpectAttrs, family?: number): NetlinkRequest {
  const attrs: ExpectAttrs = {};
  if (key.expectTuple !== undefined) attrs.expectTuple = key.expectTuple;
  else if (key.expectMaster !== undefined) attrs.expectMaster = key.expectMaster;
  else throw new ConntrackArgumentError("expectTuple", "getExpect needs expectTuple (or expectMaster)");
  if (key.expectId !== undefined) attrs.expectId = key.expectId;
  if (key.expectZone !== undefined) attrs.expectZone = key.expectZone;
  return { type: EXP_GET, payload: payload(requireFamily(family ?? expectFamily(key), "expectTuple"), SET_EXPECT, attrs) };
}

export function expectNewRequest(expect: ExpectAttrs, mode: NewMode, family?: number): NetlinkRequest {
  return { type: EXP_NEW, flags: NEW_FLAGS[mode], payload: payload(requireFamily(family ?? expectFamily(expect), "expect"), SET_EXPECT, expect) };
}

/** Delete one expectation (by tuple, id optional) or, with only `expectHelpName`, all of a helper's. */
export function expectDeleteRequest(key: ExpectAttrs, family?: number): NetlinkRequest {
  const attrs: ExpectAttrs = {};
  if (key.expectTuple !== undefined) attrs.expectTuple = key.expectTuple;
  if (key.expectId !== undefined) attrs.expectId = key.expectId;
  if (key.expectZone !== undefined) attrs.expectZone = key.expectZone;
  if (key.expectTuple === undefined) {
    if (key.expectHelpName === undefined) throw new ConntrackArgumentError("expectTuple", "deleteExpect needs expectTuple or expectHelpName (use flushExpect to remove all)");
    attrs.expectHelpName = key.expectHelpName;
    return { type: EXP_DELETE, payload: payload(family ?? AF_UNSPEC, SET_EXPECT, attrs) };
  }
  return { type: EXP_DELETE, payload: payload(requireFamily(family ?? expectFamily(key), "expectTuple"), SET_EXPECT, attrs) };
}

export function expectFlushRequest(family?: number): NetlinkRequest {
  return { type: EXP_DELETE, payload: payload(family ?? AF_UNSPEC, SET_EXPECT, undefined) };
}

export function expectStatsCpuRequest(): NetlinkRequest {
  return { type: EXP_GET_STATS_CPU, flags: NLM_F_DUMP, payload: payload(AF_UNSPEC, SET_EXPECT, undefined) };
}
