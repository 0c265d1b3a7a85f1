// Alignment padding carries no meaning, and C programs leave whatever was in their buffer there
// (libmnl 1.0.4 does not clear it: nfct's requests hold stack bytes after a u8 attribute). Replays
// compare requests with it cleared.

import { NETLINK_NETFILTER } from "./constants.js";
import { HEADER_SIZE, align4, viewOf } from "./wire.js";

/** nfgenmsg, the fixed header every NETLINK_NETFILTER message has before its attributes. */
const NFGENMSG_SIZE = 4;
const NLA_F_NESTED = 0x8000;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A copy of one message with the padding of its attributes zeroed, nests (NLA_F_NESTED) included.
 * Only NETLINK_NETFILTER messages have a known layout; others come back unchanged. Stops at the
 * first malformed attribute header, leaving the rest as it is.
 */
export function withoutAttributePadding(message: Uint8Array, protocol: number): Uint8Array {
  if (protocol !== NETLINK_NETFILTER || message.length <= HEADER_SIZE + NFGENMSG_SIZE) return message;
  const out = message.slice();
  clearPadding(out, HEADER_SIZE + NFGENMSG_SIZE, out.length, 0);
  return out;
}

function clearPadding(bytes: Uint8Array, start: number, end: number, depth: number): void {
  if (depth > 32) return;
  const view = viewOf(bytes);
  for (let p = start; end - p >= 4; ) {
    const len = view.getUint16(p, LITTLE);
    if (len < 4 || len > end - p) return;
    const next = Math.min(p + align4(len), end);
    bytes.fill(0, p + len, next);
    if ((view.getUint16(p + 2, LITTLE) & NLA_F_NESTED) !== 0) clearPadding(bytes, p + 4, p + len, depth + 1);
    p = next;
  }
}
