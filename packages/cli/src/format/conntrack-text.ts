// The default conntrack line (-L, -G, -D, -U, -E), written from an entry's view.
import { FLOW, TUPLE, type MessageView } from "@tsconntrack/conntrack";
import { latin1, type ByteWriter } from "../io/byte-writer.js";
import { hasCounterPair, writeBytes, writePackets } from "./counters.js";
import { labelNames } from "./labels.js";
import {
  DCCP_STATES, IPS_ASSURED, IPS_HW_OFFLOAD, IPS_OFFLOAD, IPS_SEEN_REPLY, SCTP_STATES, TCP_STATES, l3Name, l4Name, stateName,
} from "./names.js";
import { secmarkNumber } from "./scalars.js";
import { ctimeText, nsToSeconds } from "./time.js";
import { tupleFamily, writeAddressText, writeL4Text } from "./tuple.js";
import type { EventType, LabelMap, MessageContext } from "./types.js";

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

const EVENT_PREFIX: Readonly<Record<EventType, Uint8Array>> = {
  new: latin1("    [NEW] "),
  update: latin1(" [UPDATE] "),
  destroy: latin1("[DESTROY] "),
};

const T = {
  src: latin1("src="), dst: latin1(" dst="), zoneOrig: latin1("zone-orig="), zoneReply: latin1("zone-reply="),
  packets: latin1("packets="), bytes: latin1(" bytes="), unreplied: latin1("[UNREPLIED] "),
  hwOffload: latin1("[HW_OFFLOAD] "), offload: latin1("[OFFLOAD] "), assured: latin1("[ASSURED] "),
  mark: latin1("mark="), secmark: latin1("secmark="), secctx: latin1("secctx="), zone: latin1("zone="),
  delta: latin1("delta-time="), start: latin1("[start="), stop: latin1("[stop="), close: latin1("] "),
  helper: latin1("helper="), use: latin1("use="), id: latin1("id="), labels: latin1("labels"),
};

/** `"%-8s %u "` prefixes (protocol, or L3 for -o extended), by number; made when first needed. */
const l4Prefixes: (Uint8Array | undefined)[] = [];
const l3Prefixes: (Uint8Array | undefined)[] = [];
const nameAndNumber = (name: string, num: number): Uint8Array => latin1(name.padEnd(8, " ") + " " + num + " ");
const stateTexts = new Map<readonly string[], Uint8Array[]>();
function stateText(table: readonly string[], state: number): Uint8Array {
  let texts = stateTexts.get(table);
  if (texts === undefined) stateTexts.set(table, (texts = Array.from({ length: 256 }, (_, i) => latin1(stateName(table, i) + " "))));
  return texts[state & 255]!;
}

/** `name=N ` for a number slot that is present. */
function numberField(w: ByteWriter, v: MessageView, slot: number, tag: Uint8Array): void {
  if (v.pos[slot]! < 0) return;
  w.lit(tag);
  w.uint(v.num[slot]!);
  w.byte(0x20);
}

/** One direction: addresses, L4 fields, zone, counters (`b` its tuple, `nest` the tuple attribute, `c` its counters). */
function writeDirection(w: ByteWriter, v: MessageView, nest: number, b: number, c: number, family: number, zoneTag: Uint8Array): void {
  writeAddressText(w, v, b, tupleFamily(v, nest, family), T.src, T.dst);
  writeL4Text(w, v, b);
  numberField(w, v, b + TUPLE.zone, zoneTag);
  if (hasCounterPair(v, c)) {
    w.lit(T.packets);
    writePackets(w, v, c);
    w.lit(T.bytes);
    writeBytes(w, v, c);
    w.byte(0x20);
  }
}

/**
 * delta-time of the default format: (stop, or now when stop is 0) minus start, each side truncated
 * to whole seconds first, printed as an unsigned 64-bit number.
 */
export function deltaTimeText(start: bigint, stop: bigint | undefined, nowSec: number): string {
  const stopSec = stop !== undefined && stop !== 0n ? stop / 1_000_000_000n : BigInt(nowSec);
  return BigInt.asUintN(64, stopSec - start / 1_000_000_000n).toString();
}

/**
 * One line of `conntrack -L/-G/-D/-U/-E` output in the default format, without the newline and
 * without the ` [USERSPACE] ...` tag that events append (see userspaceTag).
 */
export function writeConntrackText(w: ByteWriter, v: MessageView, ctx: MessageContext, opts: ConntrackTextOptions): void {
  w.beginLine();
  if (ctx.event !== undefined) w.lit(EVENT_PREFIX[ctx.event]);
  const origFamily = tupleFamily(v, FLOW.tupleOrig, ctx.family);
  if (opts.extended && v.pos[FLOW.tupleOrig]! >= 0) w.lit((l3Prefixes[origFamily & 255] ??= nameAndNumber(l3Name(origFamily), origFamily)));
  if (v.pos[FLOW.orig + TUPLE.protoNum]! >= 0) {
    const proto = v.num[FLOW.orig + TUPLE.protoNum]!;
    w.lit((l4Prefixes[proto] ??= nameAndNumber(l4Name(proto), proto)));
  }
  if (v.pos[FLOW.timeout]! >= 0) {
    w.uint(v.num[FLOW.timeout]!);
    w.byte(0x20);
  }
  if (v.pos[FLOW.tcpState]! >= 0) w.lit(stateText(TCP_STATES, v.num[FLOW.tcpState]!));
  if (v.pos[FLOW.sctpState]! >= 0) w.lit(stateText(SCTP_STATES, v.num[FLOW.sctpState]!));
  if (v.pos[FLOW.dccpState]! >= 0) w.lit(stateText(DCCP_STATES, v.num[FLOW.dccpState]!));

  writeDirection(w, v, FLOW.tupleOrig, FLOW.orig, FLOW.countersOrig, ctx.family, T.zoneOrig);
  const hasStatus = v.pos[FLOW.status]! >= 0;
  const status = hasStatus ? v.num[FLOW.status]! : 0;
  if (hasStatus && (status & IPS_SEEN_REPLY) === 0) w.lit(T.unreplied);
  writeDirection(w, v, FLOW.tupleReply, FLOW.reply, FLOW.countersReply, ctx.family, T.zoneReply);

  if (hasStatus) {
    if (status & IPS_HW_OFFLOAD) w.lit(T.hwOffload);
    else if (status & IPS_OFFLOAD) w.lit(T.offload);
    else if (status & IPS_ASSURED) w.lit(T.assured);
  }
  numberField(w, v, FLOW.mark, T.mark);
  if (v.pos[FLOW.secmark]! >= 0) {
    w.lit(T.secmark);
    w.uint(secmarkNumber(v.bytes(FLOW.secmark)));
    w.byte(0x20);
  }
  if (v.pos[FLOW.secctxName]! >= 0) {
    w.lit(T.secctx);
    w.stringSlot(v, FLOW.secctxName);
    w.byte(0x20);
  }
  numberField(w, v, FLOW.zone, T.zone);

  const hasStart = v.pos[FLOW.timestampStart]! >= 0;
  const hasStop = v.pos[FLOW.timestampStop]! >= 0;
  if (hasStart) {
    const startNs = BigInt(v.int64(FLOW.timestampStart));
    const stopNs = hasStop ? BigInt(v.int64(FLOW.timestampStop)) : undefined;
    w.lit(T.delta);
    w.text(deltaTimeText(startNs, stopNs, opts.nowSec));
    w.byte(0x20);
  }
  if (opts.ktimestamp) {
    if (hasStart) {
      w.lit(T.start);
      w.text(ctimeText(nsToSeconds(BigInt(v.int64(FLOW.timestampStart)))));
      w.lit(T.close);
    }
    if (hasStop) {
      w.lit(T.stop);
      w.text(ctimeText(nsToSeconds(BigInt(v.int64(FLOW.timestampStop)))));
      w.lit(T.close);
    }
  }
  if (v.pos[FLOW.helpName]! >= 0) {
    w.lit(T.helper);
    w.stringSlot(v, FLOW.helpName);
    w.byte(0x20);
  }
  numberField(w, v, FLOW.use, T.use);
  if (opts.id) numberField(w, v, FLOW.id, T.id);
  if (opts.labelMap !== undefined && v.pos[FLOW.labels]! >= 0 && v.len[FLOW.labels]! > 0) {
    // "labels=a,b ", or "labels " when no set bit has a name (the library overwrites the "=").
    const names = labelNames(v.bytes(FLOW.labels), opts.labelMap);
    w.lit(T.labels);
    if (names.length > 0) w.text("=" + names.join(","));
    w.byte(0x20);
  }
  // Every field ends in a space; the library drops exactly one character at the end.
  w.trimLineEnd(1);
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
