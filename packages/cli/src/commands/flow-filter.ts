// ParsedCommand → the conntrack API's FlowFilter: every part the kernel can run (family, mark, status,
// zone, CTA_FILTER tuple fields) goes there; the predicate carries only what those fields do not test
// with conntrack's semantics, so a filter the kernel does exactly needs no decode of each entry.

import { release } from "node:os";
import type { FlowFilter, TupleFilter } from "@tsconntrack/conntrack";
import type { AddressOption, ParsedCommand } from "../args/types.js";
import { buildEntryFilter, familyNumber, PORT_HANDLERS, type FilterPurpose } from "./filter.js";

function addressSpec(address: AddressOption, mask: { text: string } | undefined): TupleFilter["src"] {
  return mask === undefined ? address.text : { address: address.text, mask: mask.text };
}

function tupleFilters(cmd: ParsedCommand, purpose: FilterPurpose): { orig?: TupleFilter; reply?: TupleFilter } {
  const orig: TupleFilter = {};
  const reply: TupleFilter = {};
  const handler = cmd.proto?.handler;
  if (cmd.orig.src !== undefined) orig.src = addressSpec(cmd.orig.src, cmd.mask.src);
  if (cmd.orig.dst !== undefined) orig.dst = addressSpec(cmd.orig.dst, cmd.mask.dst);
  if (cmd.reply.src !== undefined) reply.src = cmd.reply.src.text;
  if (cmd.reply.dst !== undefined) reply.dst = cmd.reply.dst.text;
  if (cmd.proto !== undefined) orig.proto = cmd.proto.protonum;
  if (handler !== undefined && PORT_HANDLERS.has(handler)) {
    if (cmd.l4.origSport !== undefined) orig.srcPort = cmd.l4.origSport;
    if (cmd.l4.origDport !== undefined) orig.dstPort = cmd.l4.origDport;
    if (cmd.l4.replySport !== undefined || cmd.l4.replyDport !== undefined) {
      reply.proto = cmd.proto!.protonum;
      if (cmd.l4.replySport !== undefined) reply.srcPort = cmd.l4.replySport;
      if (cmd.l4.replyDport !== undefined) reply.dstPort = cmd.l4.replyDport;
    }
  }
  if (handler === "icmp" || handler === "icmpv6") {
    if (cmd.l4.icmpType !== undefined) orig.icmpType = cmd.l4.icmpType;
    if (cmd.l4.icmpCode !== undefined) orig.icmpCode = cmd.l4.icmpCode;
    if (cmd.l4.icmpId !== undefined) orig.icmpId = cmd.l4.icmpId;
  }
  if (purpose !== "update") {
    if (cmd.origZone !== undefined) orig.zone = cmd.origZone;
    if (cmd.replyZone !== undefined) reply.zone = cmd.replyZone;
  }
  return {
    ...(Object.keys(orig).length > 0 ? { orig } : {}),
    ...(Object.keys(reply).length > 0 ? { reply } : {}),
  };
}

/** The filter for a dump (-L, -D, -U) or an event stream (-E). */
export function flowFilterFor(cmd: ParsedCommand, purpose: FilterPurpose): FlowFilter {
  const filter: FlowFilter = {};
  if (cmd.familyGiven) filter.family = familyNumber(cmd.family);
  // -U: mark, status and timeout are the new values, not filters; its tuple checks depend on which
  // options were given, so only the exact predicate decides.
  if (purpose !== "update") {
    if (cmd.mark !== undefined) {
      filter.mark = cmd.mark.value;
      filter.markMask = cmd.mark.mask;
    }
    if (cmd.status !== undefined) {
      filter.status = cmd.status.set;
      filter.statusMask = (cmd.status.set | cmd.status.unset) >>> 0;
    }
    if (cmd.zone !== undefined) filter.zone = cmd.zone;
    Object.assign(filter, tupleFilters(cmd, purpose));
  }
  const predicate = buildEntryFilter(cmd, purpose, "beyond-flow-filter");
  if (predicate !== null) filter.viewPredicate = predicate;
  return filter;
}

const EINVAL = 22;

/** Linux 5.15 added the CTA_STATUS dump filter; older kernels ignore the attribute. */
function kernelHasStatusFilter(): boolean {
  const [major = 0, minor = 0] = release().split(/[.-]/).map(Number);
  return major > 5 || (major === 5 && minor >= 15);
}

/**
 * The errno the kernel answers a -L dump of the conntrack table with, when it refuses the filter
 * before dumping anything; undefined otherwise. conntrack sends -u's bits as CTA_STATUS and
 * CTA_STATUS_MASK, and a -u that names no bit (`-u UNSET`, or `-u S`, whose SRC_NAT is only warned
 * about) gives mask 0, which the kernel refuses (EINVAL: "invalid parameters").
 */
export function refusedListFilter(cmd: ParsedCommand): number | undefined {
  if (cmd.table !== "conntrack" || cmd.status === undefined) return undefined;
  if ((cmd.status.set | cmd.status.unset) !== 0 || !kernelHasStatusFilter()) return undefined;
  return EINVAL;
}
