// The fuzzer's pieces, shared by the fuzz tests of each family: a seeded PRNG, the mutations, and
// the contract check (only NetlinkDecodeError escapes; whatever decodes re-encodes canonically).
import {
  AttrReader, NLMSG_DONE, NLMSG_ERROR, isNetlinkDecodeError, parseDoneMessage, parseErrorMessage, parseMessages,
  type FamilyCodec,
} from "../../src/index.js";
import { canonicalMessage } from "./canonical.js";
import { checkView } from "./view-check.js";

/** xorshift32: small, fast, seeded. */
export function prng(seed: number) {
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

/** Offsets of every attribute header in a message, found by walking nests as far as they parse. */
export function attrOffsets(msg: Uint8Array): number[] {
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

export function mutate(rng: ReturnType<typeof prng>, seed: Uint8Array, offsets: number[]): Uint8Array {
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

export interface Tally {
  inputs: number;
  decoded: number;
  rejected: number;
  /** Messages also walked by a message view and compared with the decoder (sets with a view). */
  viewed?: number;
}

/** Decode one input; returns whether some message decoded. Throws on any contract violation. */
export function check(codec: FamilyCodec, input: Uint8Array, tally: Tally): void {
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
        let decoded;
        try {
          decoded = codec.decodeMessage(msg);
        } catch (e) {
          if (isNetlinkDecodeError(e) && checkView(codec, msg, e, true)) tally.viewed = (tally.viewed ?? 0) + 1;
          throw e;
        }
        if (checkView(codec, msg, decoded, false)) tally.viewed = (tally.viewed ?? 0) + 1;
        const set = codec.setForType(msg.header.type)!;
        const again = codec.encodeMessage({ ...decoded.header, fixed: decoded.fixed, set, attrs: decoded.attrs });
        const expected = canonicalMessage(codec.family, set, FIXED_SIZE, msg.bytes);
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

