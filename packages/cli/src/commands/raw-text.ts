// The default conntrack line (-L, -D) written straight from the message bytes into the output
// buffer: no decoded object, no strings for numbers and IPv4 addresses. It prints exactly what
// formatConntrackText prints for the entries it understands; an entry with anything else (helper,
// labels, secctx, secmark, NAT or sequence adjustments, SCTP/DCCP state, a malformed or repeated
// nest) makes `write` return -1, and the caller takes the generic decode + format path, which also
// reports malformed attributes as the decoder does.

import { endianness } from "node:os";
import { deltaTimeText } from "../format/conntrack-text.js";
import {
  AF_INET, AF_INET6, IPS_ASSURED, IPS_HW_OFFLOAD, IPS_OFFLOAD, IPS_SEEN_REPLY, TCP_STATES,
  l3Name, l4Layout, l4Name, stateName,
} from "../format/names.js";
import { fragment, putFragment, putHex, putIPv4, putIPv6, putUint, type Fragment } from "./raw-text-writers.js";

/**
 * More than the longest line `write` can produce (two IPv6 tuples with every number at its widest,
 * under 700 bytes) plus the few bytes past its end that the word writes may touch.
 */
export const RAW_LINE_MAX = 2048;

const NLMSG_HDRLEN = 16;
const NFGENMSG_LEN = 4;
const NONE = -1;

const T = {
  src: fragment("src="), dst: fragment("dst="), sport: fragment("sport="), dport: fragment("dport="),
  srckey: fragment("srckey=0x"), dstkey: fragment(" dstkey=0x"), type: fragment("type="), code: fragment(" code="), id: fragment(" id="),
  zoneOrig: fragment("zone-orig="), zoneReply: fragment("zone-reply="), packets: fragment("packets="), bytes: fragment(" bytes="),
  unreplied: fragment("[UNREPLIED] "), hwOffload: fragment("[HW_OFFLOAD] "), offload: fragment("[OFFLOAD] "), assured: fragment("[ASSURED] "),
  mark: fragment("mark="), zone: fragment("zone="), delta: fragment("delta-time="), use: fragment("use="), idTag: fragment("id="),
  zeroV4: fragment("0.0.0.0 "), zeroV6: fragment(":: "),
};

/** `"%-8s %u "` prefixes (protocol, or L3 for -o extended), by number; made when first needed. */
const protoPrefixes: (Fragment | undefined)[] = [];
const protoPrefix = (num: number): Fragment =>
  (protoPrefixes[num] ??= fragment(l4Name(num).padEnd(8, " ") + " " + num + " "));
const l3Prefixes: (Fragment | undefined)[] = [];
const l3Prefix = (family: number): Fragment =>
  (l3Prefixes[family] ??= fragment(l3Name(family).padEnd(8, " ") + " " + family + " "));
const TCP_STATE_TEXT = Array.from({ length: 256 }, (_, i) => fragment(stateName(TCP_STATES, i) + " "));

/** nlattr headers are in host order; the byte reader below assumes little-endian (see rawTextSupported). */
const nlaLen = (v: DataView, at: number): number => v.getUint16(at, true);
const nlaType = (v: DataView, at: number): number => v.getUint16(at + 2, true) & 0x3fff;
/** The length of the attribute at `p`, or -1 when its header or body would run past `end` (malformed). */
function attrLen(v: DataView, p: number, end: number): number {
  if (end - p < 4) return -1;
  const len = nlaLen(v, p);
  return len < 4 || len > end - p ? -1 : len;
}
const u16 = (v: DataView, at: number): number => v.getUint16(at);
const u32 = (v: DataView, at: number): number => v.getUint32(at);

/** One direction's tuple as read from the bytes: values, or offsets of addresses; NONE = absent. */
class TupleScan {
  present = false;
  v4src = NONE;
  v4dst = NONE;
  v6src = NONE;
  v6dst = NONE;
  proto = NONE;
  sport = NONE;
  dport = NONE;
  icmpId = NONE;
  icmpType = NONE;
  icmpCode = NONE;
  icmp6Id = NONE;
  icmp6Type = NONE;
  icmp6Code = NONE;
  zone = NONE;

  reset(): void {
    this.present = false;
    this.v4src = this.v4dst = this.v6src = this.v6dst = NONE;
    this.proto = this.sport = this.dport = NONE;
    this.icmpId = this.icmpType = this.icmpCode = this.icmp6Id = this.icmp6Type = this.icmp6Code = NONE;
    this.zone = NONE;
  }

  /** Reads the tuple nest u8[p, end); false when it is malformed (the generic decoder reports it). */
  scan(v: DataView, p: number, end: number): boolean {
    this.present = true;
    let seenIp = false;
    let seenProto = false;
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const type = nlaType(v, p);
      const q = p + 4;
      if (type === 1) {
        if (seenIp) return false;
        seenIp = true;
        if (!this.scanIp(v, q, p + len)) return false;
      } else if (type === 2) {
        if (seenProto) return false;
        seenProto = true;
        if (!this.scanProto(v, q, p + len)) return false;
      } else if (type === 3) {
        if (len !== 6 || this.zone !== NONE) return false;
        this.zone = u16(v, q);
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  private scanIp(v: DataView, p: number, end: number): boolean {
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const q = p + 4;
      switch (nlaType(v, p)) {
        case 1:
          if (len !== 8 || this.v4src !== NONE) return false;
          this.v4src = q;
          break;
        case 2:
          if (len !== 8 || this.v4dst !== NONE) return false;
          this.v4dst = q;
          break;
        case 3:
          if (len !== 20 || this.v6src !== NONE) return false;
          this.v6src = q;
          break;
        case 4:
          if (len !== 20 || this.v6dst !== NONE) return false;
          this.v6dst = q;
          break;
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  private scanProto(v: DataView, p: number, end: number): boolean {
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const q = p + 4;
      const type = nlaType(v, p);
      if (type >= 1 && type <= 9) {
        // u8 fields (num, types, codes) are 5 bytes long, u16 fields (ports, ids) 6.
        const wide = type === 2 || type === 3 || type === 4 || type === 7;
        if (len !== (wide ? 6 : 5)) return false;
        const value = wide ? u16(v, q) : v.getUint8(q);
        if (!this.set(type, value)) return false;
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  /** Stores a CTA_PROTO_* value; a repeated one is false (the generic path keeps the first). */
  private set(type: number, value: number): boolean {
    switch (type) {
      case 1: if (this.proto !== NONE) return false; this.proto = value; return true;
      case 2: if (this.sport !== NONE) return false; this.sport = value; return true;
      case 3: if (this.dport !== NONE) return false; this.dport = value; return true;
      case 4: if (this.icmpId !== NONE) return false; this.icmpId = value; return true;
      case 5: if (this.icmpType !== NONE) return false; this.icmpType = value; return true;
      case 6: if (this.icmpCode !== NONE) return false; this.icmpCode = value; return true;
      case 7: if (this.icmp6Id !== NONE) return false; this.icmp6Id = value; return true;
      case 8: if (this.icmp6Type !== NONE) return false; this.icmp6Type = value; return true;
      default: if (this.icmp6Code !== NONE) return false; this.icmp6Code = value; return true;
    }
  }

  /** `src=A dst=B ` for the message family (as the library gives every present tuple that family). */
  putAddresses(out: DataView, pos: number, u8: Uint8Array, family: number): number {
    if (!this.present) return pos;
    if (family === AF_INET) {
      pos = putFragment(out, pos, T.src);
      pos = this.v4src === NONE ? putFragment(out, pos, T.zeroV4) : putIPv4(out, pos, u8, this.v4src);
      pos = putFragment(out, pos, T.dst);
      return this.v4dst === NONE ? putFragment(out, pos, T.zeroV4) : putIPv4(out, pos, u8, this.v4dst);
    }
    if (family === AF_INET6) {
      pos = putFragment(out, pos, T.src);
      pos = this.v6src === NONE ? putFragment(out, pos, T.zeroV6) : putIPv6(out, pos, u8, this.v6src);
      pos = putFragment(out, pos, T.dst);
      return this.v6dst === NONE ? putFragment(out, pos, T.zeroV6) : putIPv6(out, pos, u8, this.v6dst);
    }
    return pos;
  }

  /** The L4 part, chosen by the protocol number alone (0 when absent). */
  putL4(out: DataView, pos: number): number {
    switch (L4_LAYOUT[this.proto === NONE ? 0 : this.proto]) {
      case PORTS:
        pos = putFragment(out, pos, T.sport);
        pos = putUint(out, pos, this.sport === NONE ? 0 : this.sport);
        out.setUint8(pos++, 32);
        pos = putFragment(out, pos, T.dport);
        pos = putUint(out, pos, this.dport === NONE ? 0 : this.dport);
        out.setUint8(pos, 32);
        return pos + 1;
      case GRE:
        pos = putFragment(out, pos, T.srckey);
        pos = putHex(out, pos, this.sport === NONE ? 0 : this.sport);
        pos = putFragment(out, pos, T.dstkey);
        pos = putHex(out, pos, this.dport === NONE ? 0 : this.dport);
        out.setUint8(pos, 32);
        return pos + 1;
      case ICMP:
        // ICMP and ICMPv6 share one slot in the library; the ICMPv6 attribute wins.
        pos = putFragment(out, pos, T.type);
        pos = putUint(out, pos, icmpValue(this.icmp6Type, this.icmpType));
        pos = putFragment(out, pos, T.code);
        pos = putUint(out, pos, icmpValue(this.icmp6Code, this.icmpCode));
        pos = putFragment(out, pos, T.id);
        pos = putUint(out, pos, icmpValue(this.icmp6Id, this.icmpId));
        out.setUint8(pos, 32);
        return pos + 1;
      default:
        return pos;
    }
  }
}

/** l4Layout by protocol number, as small integers for the switch above. */
const PORTS = 1;
const GRE = 2;
const ICMP = 3;
const LAYOUT_CODES = { ports: PORTS, gre: GRE, icmp: ICMP, none: 0 } as const;
const L4_LAYOUT = Uint8Array.from({ length: 256 }, (_, num) => LAYOUT_CODES[l4Layout(num)]);

const icmpValue = (v6: number, v4: number): number => (v6 !== NONE ? v6 : v4 !== NONE ? v4 : 0);

/** A direction's counters: packets and bytes (NONE when absent or beyond 2^53). */
class CounterScan {
  packets = NONE;
  bytes = NONE;

  reset(): void {
    this.packets = this.bytes = NONE;
  }

  scan(v: DataView, p: number, end: number): boolean {
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const q = p + 4;
      const type = nlaType(v, p);
      if (type === 1 || type === 2) {
        if (len !== 12) return false;
        const high = u32(v, q);
        // Past 2^53 a double is inexact: the generic path prints it with BigInt.
        if (high >= 0x200000) return false;
        const value = high * 0x1_0000_0000 + u32(v, q + 4);
        if (type === 1) {
          if (this.packets !== NONE) return false;
          this.packets = value;
        } else {
          if (this.bytes !== NONE) return false;
          this.bytes = value;
        }
      } else if (type === 3 || type === 4) {
        // The 32-bit counters are obsolete (never sent); leave them to the generic path.
        return false;
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  put(out: DataView, pos: number): number {
    if (this.packets === NONE || this.bytes === NONE) return pos;
    pos = putFragment(out, pos, T.packets);
    pos = putUint(out, pos, this.packets);
    pos = putFragment(out, pos, T.bytes);
    pos = putUint(out, pos, this.bytes);
    out.setUint8(pos, 32);
    return pos + 1;
  }
}

/** The byte path reads nlattr headers as little-endian; big-endian hosts use the generic path. */
export const rawTextSupported = (): boolean => endianness() === "LE";

export interface RawTextOptions {
  /** `-o extended`. */
  readonly extended: boolean;
  /** `-o id`. */
  readonly id: boolean;
  /** time(NULL) for delta-time. */
  readonly nowSec: number;
}

/** Writes default-format conntrack lines from message bytes. One instance per listing (it reuses its scratch). */
export class RawConntrackText {
  private readonly options: RawTextOptions;
  private readonly orig = new TupleScan();
  private readonly reply = new TupleScan();
  private readonly countersOrig = new CounterScan();
  private readonly countersReply = new CounterScan();
  private status = NONE;
  private timeout = NONE;
  private mark = NONE;
  private use = NONE;
  private id = NONE;
  private zone = NONE;
  private tcpState = NONE;
  /** The last message buffer and its DataView (a datagram holds many entries). */
  private inBytes: Uint8Array | undefined;
  private inView: DataView = new DataView(new ArrayBuffer(0));
  private outBytes: Uint8Array | undefined;
  private outView: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of CTA_TIMESTAMP's payload and its end (NONE when absent). */
  private timestamp = NONE;
  private timestampEnd = NONE;

  constructor(options: RawTextOptions) {
    this.options = options;
  }

  /**
   * Writes the line of the entry message `u8[start, start + length)` and its newline at `out[pos]`
   * (room for RAW_LINE_MAX bytes); returns the new end, or -1 when the generic path must print it.
   */
  write(u8: Uint8Array, start: number, length: number, family: number, out: Uint8Array, pos: number): number {
    if (u8 !== this.inBytes) {
      this.inBytes = u8;
      this.inView = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    }
    if (!this.scan(this.inView, start + NLMSG_HDRLEN + NFGENMSG_LEN, start + length)) return -1;
    return this.put(u8, family, out, pos);
  }

  private reset(): void {
    this.orig.reset();
    this.reply.reset();
    this.countersOrig.reset();
    this.countersReply.reset();
    this.status = this.timeout = this.mark = this.use = this.id = this.zone = this.tcpState = NONE;
    this.timestamp = this.timestampEnd = NONE;
  }

  /** Reads the top-level attributes; false for anything the generic path must handle. */
  private scan(v: DataView, p: number, end: number): boolean {
    this.reset();
    if (p > end) return false;
    // A repeated attribute goes to $unknown in the decoder (the first one counts): generic path.
    let seen = 0;
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const q = p + 4;
      const next = p + len;
      const type = nlaType(v, p);
      if (type <= 27) {
        if ((seen & (1 << type)) !== 0) return false;
        seen |= 1 << type;
      }
      switch (type) {
        case 1:
          if (!this.orig.scan(v, q, next)) return false;
          break;
        case 2:
          if (!this.reply.scan(v, q, next)) return false;
          break;
        case 3:
          if (len !== 8) return false;
          this.status = u32(v, q);
          break;
        case 4:
          if (!this.scanProtoinfo(v, q, next)) return false;
          break;
        case 7:
          if (len !== 8) return false;
          this.timeout = u32(v, q);
          break;
        case 8:
          if (len !== 8) return false;
          this.mark = u32(v, q);
          break;
        case 9:
          if (!this.countersOrig.scan(v, q, next)) return false;
          break;
        case 10:
          if (!this.countersReply.scan(v, q, next)) return false;
          break;
        case 11:
          if (len !== 8) return false;
          this.use = u32(v, q);
          break;
        case 12:
          if (len !== 8) return false;
          this.id = u32(v, q);
          break;
        case 18:
          if (len !== 6) return false;
          this.zone = u16(v, q);
          break;
        case 15:
        case 16:
        case 24:
          // Sequence adjustments and synproxy (sent for every entry by recent kernels): three u32s, never printed.
          if (!validU32Nest(v, q, next)) return false;
          break;
        case 20:
          if (!validTimestamp(v, q, next)) return false;
          this.timestamp = q;
          this.timestampEnd = next;
          break;
        default:
          // Types this line never prints but the decoder checks (helper, NAT, labels, …): generic path.
          // Types beyond the spec (a newer kernel) are ignored by both paths.
          if (type <= 27) return false;
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  /** CTA_PROTOINFO with only a TCP part (state, window scales, flags); SCTP and DCCP go the generic way. */
  private scanProtoinfo(v: DataView, p: number, end: number): boolean {
    let seenTcp = false;
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const type = nlaType(v, p);
      if (type === 2 || type === 3) return false;
      if (type === 1) {
        if (seenTcp) return false;
        seenTcp = true;
        if (!this.scanTcp(v, p + 4, p + len)) return false;
      }
      p += (len + 3) & ~3;
    }
    return true;
  }

  private scanTcp(v: DataView, p: number, end: number): boolean {
    let state = NONE;
    while (p < end) {
      const len = attrLen(v, p, end);
      if (len < 0) return false;
      const type = nlaType(v, p);
      if (type === 1) {
        if (len !== 5 || state !== NONE) return false;
        state = v.getUint8(p + 4);
      } else if ((type === 2 || type === 3) && len !== 5) return false;
      else if ((type === 4 || type === 5) && len !== 6) return false;
      p += (len + 3) & ~3;
    }
    this.tcpState = state;
    return true;
  }

  /** The DataView the writers use over `out` (the same buffer comes back line after line). */
  private viewOf(out: Uint8Array): DataView {
    if (out !== this.outBytes) {
      this.outBytes = out;
      this.outView = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
    return this.outView;
  }

  private put(u8: Uint8Array, family: number, bytes: Uint8Array, pos: number): number {
    const out = this.viewOf(bytes);
    const start = pos;
    const { orig, reply } = this;
    if (this.options.extended && orig.present) pos = putFragment(out, pos, l3Prefix(family));
    if (orig.proto !== NONE) pos = putFragment(out, pos, protoPrefix(orig.proto));
    if (this.timeout !== NONE) {
      pos = putUint(out, pos, this.timeout);
      out.setUint8(pos++, 32);
    }
    if (this.tcpState !== NONE) pos = putFragment(out, pos, TCP_STATE_TEXT[this.tcpState]!);

    pos = orig.putAddresses(out, pos, u8, family);
    pos = orig.putL4(out, pos);
    if (orig.zone !== NONE) pos = tagged(out, pos, T.zoneOrig, orig.zone);
    pos = this.countersOrig.put(out, pos);

    const status = this.status;
    if (status !== NONE && (status & IPS_SEEN_REPLY) === 0) pos = putFragment(out, pos, T.unreplied);

    pos = reply.putAddresses(out, pos, u8, family);
    pos = reply.putL4(out, pos);
    if (reply.zone !== NONE) pos = tagged(out, pos, T.zoneReply, reply.zone);
    pos = this.countersReply.put(out, pos);

    if (status !== NONE) {
      if (status & IPS_HW_OFFLOAD) pos = putFragment(out, pos, T.hwOffload);
      else if (status & IPS_OFFLOAD) pos = putFragment(out, pos, T.offload);
      else if (status & IPS_ASSURED) pos = putFragment(out, pos, T.assured);
    }
    if (this.mark !== NONE) pos = tagged(out, pos, T.mark, this.mark);
    if (this.zone !== NONE) pos = tagged(out, pos, T.zone, this.zone);
    if (this.timestamp !== NONE) pos = this.putDeltaTime(this.inView, out, pos);
    if (this.use !== NONE) pos = tagged(out, pos, T.use, this.use);
    if (this.options.id && this.id !== NONE) pos = tagged(out, pos, T.idTag, this.id);
    // Every field ends in a space; the library drops exactly one character at the end.
    if (pos > start) pos--;
    out.setUint8(pos, 10);
    return pos + 1;
  }

  private putDeltaTime(v: DataView, out: DataView, pos: number): number {
    let start: bigint | undefined;
    let stop: bigint | undefined;
    for (let p = this.timestamp; p < this.timestampEnd; ) {
      const len = nlaLen(v, p);
      const type = nlaType(v, p);
      // Only start and stop (checked to be 8 bytes) are read: a pad or an unknown child may be shorter.
      if (type === 1 && start === undefined) start = v.getBigUint64(p + 4);
      else if (type === 2 && stop === undefined) stop = v.getBigUint64(p + 4);
      p += (len + 3) & ~3;
    }
    if (start === undefined) return pos;
    pos = putFragment(out, pos, T.delta);
    const text = deltaTimeText(start, stop, this.options.nowSec);
    for (let i = 0; i < text.length; i++) out.setUint8(pos++, text.charCodeAt(i));
    out.setUint8(pos, 32);
    return pos + 1;
  }
}

/** `tag` (ending in "="), the number and a space. */
function tagged(out: DataView, pos: number, tag: Fragment, value: number): number {
  pos = putFragment(out, pos, tag);
  pos = putUint(out, pos, value);
  out.setUint8(pos, 32);
  return pos + 1;
}

/** A nest of u32 attributes 1..3 (CTA_SEQADJ_*, CTA_SYNPROXY_*), as the decoder checks it. */
function validU32Nest(v: DataView, p: number, end: number): boolean {
  let seen = 0;
  while (p < end) {
    const len = attrLen(v, p, end);
    if (len < 0) return false;
    const type = nlaType(v, p);
    if (type >= 1 && type <= 3) {
      if (len !== 8 || (seen & (1 << type)) !== 0) return false;
      seen |= 1 << type;
    }
    p += (len + 3) & ~3;
  }
  return true;
}

/** CTA_TIMESTAMP holds 8-byte start/stop (and pads); a repeat or a bad length is the generic path's. */
function validTimestamp(v: DataView, p: number, end: number): boolean {
  let seen = 0;
  while (p < end) {
    const len = attrLen(v, p, end);
    if (len < 0) return false;
    const type = nlaType(v, p);
    if (type === 1 || type === 2) {
      if (len !== 12 || (seen & type) !== 0) return false;
      seen |= type;
    }
    p += (len + 3) & ~3;
  }
  return true;
}
