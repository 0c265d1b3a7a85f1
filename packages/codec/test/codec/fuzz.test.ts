// Deterministic fuzzing: ≥100,000 mutated and random inputs. Only NetlinkDecodeError may escape the
// decoders, and whatever decodes must re-encode to the canonical form of its input.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  AttrReader, NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK_TLVS, NLM_F_CAPPED, isNetlinkDecodeError, parseDoneMessage,
  parseErrorMessage, parseMessages,
} from "../../src/index.js";
import { conntrack, conntrackFamily } from "../../src/conntrack.js";
import { receivedDatagrams } from "../../bench/pcap.js";
import { canonicalMessage } from "../helpers/canonical.js";

const CAPTURE = new URL("../../../../fixtures/bench/dump-100k.pcap.gz", import.meta.url);

/** xorshift32: small, fast, seeded. */
function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return { next, below: (n: number) => next() % n, chance: (p: number) => next() / 0x100000000 < p };
}

function seedMessages(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  const enc = (type: number, attrs: object, fixed: object = { nfgenFamily: 2 }, flags = 0) =>
    seeds.push(conntrack.encodeMessage({ type, flags, seq: 1, pid: 0, fixed, set: conntrack.setForType(type), attrs }));
  const tuple = (src: string, dst: string) => ({
    tupleIp: src.includes(":") ? { ipV6Src: src, ipV6Dst: dst } : { ipV4Src: src, ipV4Dst: dst },
    tupleProto: { protoNum: 17, protoSrcPort: 5353, protoDstPort: 53 },
    tupleZone: 3,
  });
  enc(0x100, {
    tupleOrig: tuple("10.0.0.1", "10.0.0.2"), tupleReply: tuple("10.0.0.2", "192.0.2.1"), status: 0x1be, timeout: 30, mark: 7, use: 1, id: 99,
    natSrc: { natV4Minip: "192.0.2.1", natV4Maxip: "192.0.2.9", natProto: { natPortMin: 1000, natPortMax: 2000 } },
    help: { helpName: "ftp", helpInfo: Uint8Array.of(1, 2, 3) },
    seqAdjOrig: { correctionPos: 1, offsetBefore: 2, offsetAfter: 3 },
    zone: 3, secctx: { secctxName: "system_u:object_r:unlabeled_t:s0" },
    timestamp: { start: 1_700_000_000_000_000_000n, stop: 1_700_000_001_000_000_000n },
    labels: new Uint8Array(16).fill(0xa5), labelsMask: new Uint8Array(16).fill(0xff),
    countersOrig: { packets: 1n, bytes: 2n, $unknown: [{ type: 5, flags: 0, data: new Uint8Array(4), index: 0 }] },
    timestampEvent: 123n, $unknown: [{ type: 200, flags: 0x8000, data: Uint8Array.of(4, 0, 1, 0), index: 3 }],
  }, { nfgenFamily: 2 }, 0x600);
  enc(0x102, { tupleOrig: tuple("2001:db8::1", "::ffff:10.1.2.3"), tupleReply: tuple("::1", "fe80::1"), natDst: { natV6Minip: "2001:db8::5", natV6Maxip: "2001:db8::9" } }, { nfgenFamily: 10 });
  enc(0x101, { tupleOrig: tuple("10.0.0.1", "10.0.0.2"), filter: { origFlags: 0xfff, replyFlags: 3 }, statusMask: 4, markMask: 0xff });
  enc(0x200, {
    expectMaster: tuple("10.0.0.1", "10.0.0.2"), expectTuple: tuple("10.0.0.1", "10.0.0.3"), expectMask: tuple("255.255.255.255", "0.0.0.0"),
    expectTimeout: 300, expectId: 5, expectHelpName: "ftp", expectZone: 1, expectFlags: 1, expectClass: 0, expectFn: "nat-follow-master",
    expectNat: { dir: 1, tuple: tuple("10.0.0.9", "10.0.0.8") },
  });
  enc(0x104, { found: 1, invalid: 2, insert: 3, insertFailed: 4, drop: 5, earlyDrop: 6, error: 7, searchRestart: 8, clashResolve: 9, chainToolong: 10 }, { resId: 1 });
  enc(0x105, { entries: 10, maxEntries: 65536 });
  enc(0x103, { new: 1, create: 2, delete: 3 });
  // An extack error (not capped) and a DONE with extack, as the kernel sends them.
  const err = new Uint8Array(16 + 4 + seeds[2]!.length + 24);
  const dv = new DataView(err.buffer);
  dv.setUint32(0, err.length, true);
  dv.setUint16(4, NLMSG_ERROR, true);
  dv.setUint16(6, NLM_F_ACK_TLVS, true);
  dv.setInt32(16, -22, true);
  err.set(seeds[2]!, 20);
  err.set([12, 0, 1, 0, 98, 97, 100, 32, 116, 117, 0, 0, 8, 0, 2, 0, 28, 0, 0, 0, 8, 0, 5, 0], 20 + seeds[2]!.length);
  seeds.push(err);
  const capped = err.slice(0, 16 + 4 + 16 + 24);
  new DataView(capped.buffer).setUint32(0, capped.length, true);
  new DataView(capped.buffer).setUint16(6, NLM_F_ACK_TLVS | NLM_F_CAPPED, true);
  capped.set(err.subarray(err.length - 24), 36);
  seeds.push(capped);
  seeds.push(Uint8Array.of(28, 0, 0, 0, NLMSG_DONE, 0, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff, 8, 0, 1, 0, 104, 105, 0, 0));
  // Real dump entries (TCP with protoinfo, UDP, ICMP, IPv6) from the benchmark capture, which is
  // committed: without it the fuzz would silently lose its real seeds, so its absence is a failure.
  if (!existsSync(CAPTURE)) throw new Error(`${fileURLToPath(CAPTURE)} is missing: the fuzz's real seeds come from it`);
  const datagrams = receivedDatagrams(gunzipSync(readFileSync(CAPTURE)));
  for (const d of datagrams.slice(0, 3)) for (const m of parseMessages(d).slice(0, 40)) seeds.push(Uint8Array.from(m.bytes));
  return seeds;
}

/** Offsets of every attribute header in a message, found by walking nests as far as they parse. */
function attrOffsets(msg: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    if (depth > 6) return;
    try {
      const r = new AttrReader(msg, start, end);
      while (r.next()) {
        out.push(r.offset);
        if (r.length >= 4) walk(r.dataStart, r.dataEnd, depth + 1);
      }
    } catch {
      // a payload that is not attributes
    }
  };
  walk(20, msg.length, 0);
  return out;
}

function mutate(rng: ReturnType<typeof prng>, seed: Uint8Array, offsets: number[]): Uint8Array {
  let b = seed.slice();
  // Mostly one mutation, mostly of values and attribute headers, so that many inputs still frame.
  const rounds = rng.chance(0.6) ? 1 : 2 + rng.below(2);
  for (let i = 0; i < rounds; i++) {
    const r = rng.below(100);
    switch (r < 35 ? 0 : r < 55 ? 1 : r < 62 ? 2 : r < 72 ? 3 : r < 77 ? 4 : r < 87 ? 5 : r < 93 ? 6 : 7) {
      case 0: // flip a bit
        b[rng.below(b.length)]! ^= 1 << rng.below(8);
        break;
      case 1: // random byte
        b[rng.below(b.length)] = rng.below(256);
        break;
      case 2: // truncate (and maybe fix nlmsg_len to match)
        b = b.slice(0, rng.below(b.length + 1));
        if (b.length >= 4 && rng.chance(0.8)) new DataView(b.buffer).setUint32(0, b.length, true);
        break;
      case 3: // an attribute's nla_len: small changes and wild values
      case 4: {
        if (offsets.length === 0 || b.length < 4) break;
        const at = offsets[rng.below(offsets.length)]!;
        if (at + 2 > b.length) break;
        const old = b[at]! | (b[at + 1]! << 8);
        const len = rng.chance(0.7) ? Math.max(0, old + rng.below(17) - 8) : rng.below(65536);
        b[at] = len & 255;
        b[at + 1] = len >> 8;
        break;
      }
      case 5: { // an attribute's type or flags
        if (offsets.length === 0) break;
        const at = offsets[rng.below(offsets.length)]! + 2 + rng.below(2);
        if (at < b.length) b[at] = rng.chance(0.5) ? rng.below(256) : b[at]! ^ 0x80;
        break;
      }
      case 6: // nlmsg_len
        if (b.length >= 4) new DataView(b.buffer).setUint32(0, rng.chance(0.5) ? b.length + rng.below(9) - 4 : rng.next(), true);
        break;
      case 7: { // insert or delete bytes
        const at = rng.below(b.length + 1);
        const n = 1 + rng.below(8);
        const grown = new Uint8Array(rng.chance(0.5) ? b.length + n : Math.max(0, b.length - n));
        if (grown.length > b.length) {
          grown.set(b.subarray(0, at));
          for (let k = 0; k < n; k++) grown[at + k] = rng.below(256);
          grown.set(b.subarray(at), at + n);
        } else {
          grown.set(b.subarray(0, at).subarray(0, grown.length));
          if (at < grown.length) grown.set(b.subarray(at + n).subarray(0, grown.length - at), at);
        }
        b = grown;
        break;
      }
    }
  }
  return b;
}

const FIXED_SIZE = 4; // nfgenmsg

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Tally {
  inputs: number;
  decoded: number;
  rejected: number;
}

/** Decode one input; returns whether some message decoded. Throws on any contract violation. */
function check(input: Uint8Array, tally: Tally): void {
  tally.inputs++;
  let msgs;
  try {
    msgs = parseMessages(input);
  } catch (e) {
    if (!isNetlinkDecodeError(e)) throw e;
    tally.rejected++;
    return;
  }
  for (const msg of msgs) {
    try {
      if (msg.header.type === NLMSG_ERROR) parseErrorMessage(msg);
      else if (msg.header.type === NLMSG_DONE) parseDoneMessage(msg);
      else {
        const decoded = conntrack.decodeMessage(msg);
        const set = conntrack.setForType(msg.header.type)!;
        const again = conntrack.encodeMessage({ ...decoded.header, fixed: decoded.fixed, set, attrs: decoded.attrs });
        const expected = canonicalMessage(conntrackFamily, set, FIXED_SIZE, msg.bytes);
        if (!equalBytes(again, expected)) {
          throw new Error(`re-encode differs\n input ${Buffer.from(msg.bytes).toString("hex")}\n   got ${Buffer.from(again).toString("hex")}\n  want ${Buffer.from(expected).toString("hex")}`);
        }
      }
      tally.decoded++;
    } catch (e) {
      if (!isNetlinkDecodeError(e)) throw e;
      if (typeof e.path !== "string" || !Number.isInteger(e.offset) || e.offset < 0) {
        throw new Error(`bad error location ${e.code} ${e.offset} ${e.path} ${e.message}\n input ${Buffer.from(msg.bytes).toString("hex")}`);
      }
      tally.rejected++;
    }
  }
}

describe("fuzz", () => {
  const seeds = seedMessages();

  it("seed messages decode and re-encode byte for byte", () => {
    expect(seeds.length).toBeGreaterThan(10);
    for (const s of seeds) {
      const [msg] = parseMessages(s);
      if (msg!.header.type === NLMSG_ERROR || msg!.header.type === NLMSG_DONE) continue;
      const d = conntrack.decodeMessage(msg!);
      const again = conntrack.encodeMessage({ ...d.header, fixed: d.fixed, set: conntrack.setForType(d.header.type), attrs: d.attrs });
      expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(s).toString("hex"));
    }
  });

  it("100,000 mutated and random inputs: only NetlinkDecodeError escapes; decodes re-encode canonically", () => {
    const rng = prng(0xc0ffee);
    const offsets = seeds.map(attrOffsets);
    const tally: Tally = { inputs: 0, decoded: 0, rejected: 0 };
    for (let i = 0; i < 90_000; i++) {
      const k = rng.below(seeds.length);
      let input = mutate(rng, seeds[k]!, offsets[k]!);
      if (rng.chance(0.1)) {
        // two messages in one datagram, the first possibly mutated
        const other = seeds[rng.below(seeds.length)]!;
        const joined = new Uint8Array(((input.length + 3) & ~3) + other.length);
        joined.set(input);
        joined.set(other, (input.length + 3) & ~3);
        input = joined;
      }
      check(input, tally);
    }
    for (let i = 0; i < 10_000; i++) {
      // random bytes behind a plausible header
      const b = new Uint8Array(16 + rng.below(96));
      for (let j = 0; j < b.length; j++) b[j] = rng.below(256);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, rng.chance(0.8) ? b.length : rng.next(), true);
      if (rng.chance(0.8)) dv.setUint16(4, [0x100, 0x101, 0x102, 0x104, 0x105, 0x200, 0x103, 2, 3][rng.below(9)]!, true);
      check(b, tally);
    }
    expect(tally.inputs).toBe(100_000);
    console.log(`fuzz: ${tally.decoded} messages decoded and re-encoded, ${tally.rejected} rejected with NetlinkDecodeError`);
    // Both outcomes must be well represented, or the mutations are not testing much.
    expect(tally.decoded).toBeGreaterThan(10_000);
    expect(tally.rejected).toBeGreaterThan(10_000);
  });
});
