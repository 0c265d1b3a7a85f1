// Structured mutations of real netlink messages, for fuzzing everything that reads them: the message
// is parsed into its attribute tree (nests by NLA_F_NESTED, as ctnetlink sets it), one node is changed
// (cut short, grown, retyped, removed, duplicated, an unknown sibling added, a payload byte flipped),
// and the tree is written back with consistent lengths; or a length field is made to lie.

const NLA_F_NESTED = 0x8000;
const HEADER = 16;

interface Attr {
  type: number;
  payload: Uint8Array;
  children?: Attr[];
}

/** xorshift32: small, fast, seeded, so a failure names its seed. */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (this.s = s >>> 0);
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.next() & 0xff);
  }
}

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);

function parseAttrs(bytes: Uint8Array): Attr[] {
  const attrs: Attr[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    const len = u16(bytes, at);
    if (len < 4 || at + len > bytes.length) break;
    const type = u16(bytes, at + 2);
    const payload = bytes.slice(at + 4, at + len);
    attrs.push((type & NLA_F_NESTED) !== 0 ? { type, payload, children: parseAttrs(payload) } : { type, payload });
    at += (len + 3) & ~3;
  }
  return attrs;
}

function writeAttrs(attrs: readonly Attr[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const attr of attrs) {
    const payload = attr.children !== undefined ? writeAttrs(attr.children) : attr.payload;
    const out = new Uint8Array((4 + payload.length + 3) & ~3);
    const len = Math.min(4 + payload.length, 0xffff);
    out[0] = len & 0xff;
    out[1] = len >> 8;
    out[2] = attr.type & 0xff;
    out[3] = attr.type >> 8;
    out.set(payload.subarray(0, len - 4), 4);
    parts.push(out);
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** Every attribute list in the tree (top level included), so a mutation can pick any depth. */
function lists(attrs: Attr[], out: Attr[][] = []): Attr[][] {
  out.push(attrs);
  for (const attr of attrs) if (attr.children !== undefined) lists(attr.children, out);
  return out;
}

/** One message (nlmsghdr + 4-byte nfgenmsg + attributes), mutated once. */
export function mutateMessage(message: Uint8Array, random: Random): Uint8Array {
  const fixed = message.slice(0, HEADER + 4);
  const attrs = parseAttrs(message.subarray(HEADER + 4));
  const kind = random.below(10);
  const list = random.pick(lists(attrs));
  const index = random.below(list.length);
  const attr = list[index];
  switch (kind) {
    case 0: // cut a leaf short (an 8-byte value with 3 bytes, an address with 1)
      if (attr !== undefined && attr.children === undefined) attr.payload = attr.payload.slice(0, random.below(attr.payload.length));
      break;
    case 1: // grow a leaf
      if (attr !== undefined && attr.children === undefined) attr.payload = Uint8Array.from([...attr.payload, ...random.bytes(1 + random.below(12))]);
      break;
    case 2: // retype (another known number, an unknown one, the nested flag flipped)
      if (attr !== undefined) attr.type = random.pick([random.below(40), 0x3fff, attr.type ^ NLA_F_NESTED, (attr.type & NLA_F_NESTED) | random.below(40)]);
      break;
    case 3: // remove
      if (attr !== undefined) list.splice(index, 1);
      break;
    case 4: // duplicate
      if (attr !== undefined) list.splice(index, 0, structuredClone(attr));
      break;
    case 5: // an unknown sibling, as a newer kernel may send
      list.splice(index, 0, random.below(2) === 0 ? { type: 40 + random.below(200), payload: random.bytes(random.below(20)) } : { type: NLA_F_NESTED | (40 + random.below(60)), payload: new Uint8Array(), children: [{ type: 1, payload: random.bytes(random.below(9)) }] });
      break;
    case 6: // a payload byte flipped
      if (attr !== undefined && attr.children === undefined && attr.payload.length > 0) attr.payload[random.below(attr.payload.length)]! ^= 1 << random.below(8);
      break;
    case 7: // a nest emptied
      if (attr?.children !== undefined) attr.children = [];
      break;
    default:
      break;
  }
  const body = writeAttrs(attrs);
  const out = new Uint8Array(fixed.length + body.length);
  out.set(fixed, 0);
  out.set(body, fixed.length);
  setLength(out, out.length);
  if (kind === 8) return lieAboutALength(out, random);
  if (kind === 9) {
    // Cut the message anywhere after its header (nlmsg_len follows).
    const cut = out.slice(0, HEADER + random.below(out.length - HEADER + 1));
    setLength(cut, cut.length);
    return cut;
  }
  return out;
}

function setLength(message: Uint8Array, length: number): void {
  new DataView(message.buffer, message.byteOffset, message.byteLength).setUint32(0, length, true);
}

/** Rewrites one attribute's length field to a wrong value (shorter, longer, below 4, past the end). */
function lieAboutALength(message: Uint8Array, random: Random): Uint8Array {
  const offsets: number[] = [];
  const walk = (start: number, end: number): void => {
    for (let at = start; at + 4 <= end; ) {
      const len = u16(message, at);
      if (len < 4 || at + len > end) return;
      offsets.push(at);
      if ((u16(message, at + 2) & NLA_F_NESTED) !== 0) walk(at + 4, at + len);
      at += (len + 3) & ~3;
    }
  };
  walk(HEADER + 4, message.length);
  if (offsets.length === 0) return message;
  const at = random.pick(offsets);
  const len = random.pick([0, 1, 3, u16(message, at) - 1, u16(message, at) + 1, u16(message, at) + 4, 0xffff]);
  message[at] = len & 0xff;
  message[at + 1] = (len >> 8) & 0xff;
  return message;
}
