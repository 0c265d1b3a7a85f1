// Deterministic fuzzing: ≥100,000 mutated and random inputs. Only NetlinkDecodeError may escape the
// decoders, and whatever decodes must re-encode to the canonical form of its input.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK_TLVS, NLM_F_CAPPED, parseMessages } from "../../src/index.js";
import { conntrack } from "../../src/conntrack.js";
import { receivedDatagrams } from "../../bench/pcap.js";
import { attrOffsets, check, mutate, prng, type Tally } from "../helpers/fuzz.js";

const CAPTURE = new URL("../../../../fixtures/bench/dump-100k.pcap.gz", import.meta.url);

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
      check(conntrack, input, tally);
    }
    for (let i = 0; i < 10_000; i++) {
      // random bytes behind a plausible header
      const b = new Uint8Array(16 + rng.below(96));
      for (let j = 0; j < b.length; j++) b[j] = rng.below(256);
      const dv = new DataView(b.buffer);
      dv.setUint32(0, rng.chance(0.8) ? b.length : rng.next(), true);
      if (rng.chance(0.8)) dv.setUint16(4, [0x100, 0x101, 0x102, 0x104, 0x105, 0x200, 0x103, 2, 3][rng.below(9)]!, true);
      check(conntrack, b, tally);
    }
    expect(tally.inputs).toBe(100_000);
    console.log(`fuzz: ${tally.decoded} messages decoded and re-encoded, ${tally.rejected} rejected with NetlinkDecodeError, ${tally.viewed} also walked by a view`);
    // The view's drift guard runs on (nearly) every conntrack message the fuzz produces.
    expect(tally.viewed).toBeGreaterThan(50_000);
    // Both outcomes must be well represented, or the mutations are not testing much.
    expect(tally.decoded).toBeGreaterThan(10_000);
    expect(tally.rejected).toBeGreaterThan(10_000);
  });
});
