// A direction's counters in a view: CTA_COUNTERS_{PACKETS,BYTES}, or the 32-bit ones of very old
// kernels; a pair only when both packets and bytes are there (as the library reads them).
import { COUNTERS, type MessageView } from "@tsconntrack/conntrack";
import type { ByteWriter } from "../io/byte-writer.js";

/** The packets slot of the counters starting at `c` (FLOW.countersOrig / countersReply), or -1. */
function packetsSlot(v: MessageView, c: number): number {
  return v.pos[c + COUNTERS.packets]! >= 0 ? c + COUNTERS.packets : v.pos[c + COUNTERS.packetsOld]! >= 0 ? c + COUNTERS.packetsOld : -1;
}

function bytesSlot(v: MessageView, c: number): number {
  return v.pos[c + COUNTERS.bytes]! >= 0 ? c + COUNTERS.bytes : v.pos[c + COUNTERS.bytesOld]! >= 0 ? c + COUNTERS.bytesOld : -1;
}

/** Both counters are present. */
export function hasCounterPair(v: MessageView, c: number): boolean {
  return packetsSlot(v, c) >= 0 && bytesSlot(v, c) >= 0;
}

/** Writes the packets count (call only when hasCounterPair). */
export function writePackets(w: ByteWriter, v: MessageView, c: number): void {
  w.u64(v, packetsSlot(v, c));
}

export function writeBytes(w: ByteWriter, v: MessageView, c: number): void {
  w.u64(v, bytesSlot(v, c));
}

/** A counter as a JSON value: a number below 2^53, else a string of its digits (lossless in jq). */
export function writeCounterJson(w: ByteWriter, v: MessageView, slot: number): void {
  const n = v.num[slot]!;
  if (Number.isNaN(n)) {
    w.byte(0x22);
    w.big(v.int64(slot) as bigint);
    w.byte(0x22);
  } else w.uint(n);
}

export function writePacketsJson(w: ByteWriter, v: MessageView, c: number): void {
  writeCounterJson(w, v, packetsSlot(v, c));
}

export function writeBytesJson(w: ByteWriter, v: MessageView, c: number): void {
  writeCounterJson(w, v, bytesSlot(v, c));
}
