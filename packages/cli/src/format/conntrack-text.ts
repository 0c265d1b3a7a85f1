import type { ConntrackValue, CountersValue, EventType, LabelMap, MessageContext } from "./types.js";
import {
  DCCP_STATES, IPS_ASSURED, IPS_HW_OFFLOAD, IPS_OFFLOAD, IPS_SEEN_REPLY, SCTP_STATES, TCP_STATES,
  l3Name, l4Name, stateName,
} from "./names.js";
import { addressText, l4Text, tupleFamily } from "./tuple.js";
import { ctimeText, nsToSeconds } from "./time.js";
import { labelNames } from "./labels.js";
import { secmarkNumber } from "./scalars.js";

/** The `-o` flags that change the default conntrack line. */
export interface ConntrackTextOptions {
  /** `-o extended`: L3 name and number first. */
  readonly extended?: boolean;
  /** `-o id`: `id=N` after `use=`. */
  readonly id?: boolean;
  /** `-o ktimestamp`: `[start=...] [stop=...]` (-L, -G, -E only; the caller decides). */
  readonly ktimestamp?: boolean;
  /** Set only when a label map was loaded (`-o labels`, `-l`, `--label-*`), never for -D. */
  readonly labelMap?: LabelMap | undefined;
  /** time(NULL), whole seconds: delta-time of an entry without a stop timestamp counts up to it. */
  readonly nowSec: number;
}

const EVENT_PREFIX: Readonly<Record<EventType, string>> = {
  new: "    [NEW] ",
  update: " [UPDATE] ",
  destroy: "[DESTROY] ",
};

/** `"%-8s %u "`: names of 8 characters or more are not padded. */
function nameAndNumber(name: string, num: number): string {
  return name.padEnd(8, " ") + " " + num + " ";
}

/** A direction's counters, present only when both packets and bytes are. */
export function counterPair(c: CountersValue | undefined): [bigint, bigint] | undefined {
  if (c === undefined) return undefined;
  const packets = c.packets ?? (c.packetsOld === undefined ? undefined : BigInt(c.packetsOld));
  const bytes = c.bytes ?? (c.bytesOld === undefined ? undefined : BigInt(c.bytesOld));
  return packets === undefined || bytes === undefined ? undefined : [packets, bytes];
}

/**
 * delta-time of the default format: (stop, or now when stop is 0) minus start, each side truncated
 * to whole seconds first, printed as an unsigned 64-bit number.
 */
export function deltaTimeText(start: bigint, stop: bigint | undefined, nowSec: number): string {
  const stopSec = stop !== undefined && stop !== 0n ? stop / 1_000_000_000n : BigInt(nowSec);
  return BigInt.asUintN(64, stopSec - start / 1_000_000_000n).toString();
}

/** "labels=a,b ", or "labels " when no set bit has a name (the library overwrites the "="). */
function labelsText(labels: Uint8Array, map: LabelMap): string {
  const names = labelNames(labels, map);
  return names.length === 0 ? "labels " : "labels=" + names.join(",") + " ";
}

/**
 * One line of `conntrack -L/-G/-D/-U/-E` output in the default format, without the newline and
 * without the ` [USERSPACE] ...` tag that events append (see userspaceTag).
 */
export function formatConntrackText(ct: ConntrackValue, ctx: MessageContext, opts: ConntrackTextOptions): string {
  let s = ctx.event === undefined ? "" : EVENT_PREFIX[ctx.event];
  const orig = ct.tupleOrig;
  const reply = ct.tupleReply;
  const origFamily = tupleFamily(orig, ctx.family);

  if (opts.extended && orig !== undefined) s += nameAndNumber(l3Name(origFamily), origFamily);
  const origProto = orig?.tupleProto?.protoNum;
  if (origProto !== undefined) s += nameAndNumber(l4Name(origProto), origProto);
  if (ct.timeout !== undefined) s += ct.timeout + " ";

  const pi = ct.protoinfo;
  const tcpState = pi?.protoinfoTcp?.tcpState;
  if (tcpState !== undefined) s += stateName(TCP_STATES, tcpState) + " ";
  const sctpState = pi?.protoinfoSctp?.sctpState;
  if (sctpState !== undefined) s += stateName(SCTP_STATES, sctpState) + " ";
  const dccpState = pi?.protoinfoDccp?.dccpState;
  if (dccpState !== undefined) s += stateName(DCCP_STATES, dccpState) + " ";

  s += addressText(orig, origFamily, "src", "dst");
  s += l4Text(orig);
  if (orig?.tupleZone !== undefined) s += "zone-orig=" + orig.tupleZone + " ";
  const co = counterPair(ct.countersOrig);
  if (co !== undefined) s += "packets=" + co[0] + " bytes=" + co[1] + " ";

  const status = ct.status;
  if (status !== undefined && (status & IPS_SEEN_REPLY) === 0) s += "[UNREPLIED] ";

  s += addressText(reply, tupleFamily(reply, ctx.family), "src", "dst");
  s += l4Text(reply);
  if (reply?.tupleZone !== undefined) s += "zone-reply=" + reply.tupleZone + " ";
  const cr = counterPair(ct.countersReply);
  if (cr !== undefined) s += "packets=" + cr[0] + " bytes=" + cr[1] + " ";

  if (status !== undefined) {
    if (status & IPS_HW_OFFLOAD) s += "[HW_OFFLOAD] ";
    else if (status & IPS_OFFLOAD) s += "[OFFLOAD] ";
    else if (status & IPS_ASSURED) s += "[ASSURED] ";
  }
  if (ct.mark !== undefined) s += "mark=" + ct.mark + " ";
  if (ct.secmark !== undefined) s += "secmark=" + secmarkNumber(ct.secmark) + " ";
  const secctx = ct.secctx?.secctxName;
  if (secctx !== undefined) s += "secctx=" + secctx + " ";
  if (ct.zone !== undefined) s += "zone=" + ct.zone + " ";

  const start = ct.timestamp?.start;
  const stop = ct.timestamp?.stop;
  if (start !== undefined) s += "delta-time=" + deltaTimeText(start, stop, opts.nowSec) + " ";
  if (opts.ktimestamp) {
    if (start !== undefined) s += "[start=" + ctimeText(nsToSeconds(start)) + "] ";
    if (stop !== undefined) s += "[stop=" + ctimeText(nsToSeconds(stop)) + "] ";
  }

  const helper = ct.help?.helpName;
  if (helper !== undefined) s += "helper=" + helper + " ";
  if (ct.use !== undefined) s += "use=" + ct.use + " ";
  if (opts.id && ct.id !== undefined) s += "id=" + ct.id + " ";
  if (opts.labelMap !== undefined && ct.labels !== undefined && ct.labels.length > 0) {
    s += labelsText(ct.labels, opts.labelMap);
  }
  // Every field ends in a space; the library drops exactly one character at the end.
  return s.slice(0, -1);
}

/**
 * What `-E` appends to a line when the event was caused by a process (nlmsg_pid != 0):
 * " [USERSPACE] portid=N" plus " progname=X" when the name could be found.
 */
export function userspaceTag(portid: number, progname?: string): string {
  return progname === undefined
    ? " [USERSPACE] portid=" + portid
    : " [USERSPACE] portid=" + portid + " progname=" + progname;
}
