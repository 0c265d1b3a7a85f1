// A classic BPF socket filter for the event socket, so that events the user-space filter would reject
// are dropped in the kernel before they take room in the receive buffer (fewer overruns in a storm,
// fewer wake-ups). Netlink attributes are found with the kernel's ancillary loads SKF_AD_NLATTR
// (search a flat attribute list from offset A for type X) and SKF_AD_NLATTR_NEST (search inside the
// nest at offset A). The program only rejects what the user-space filter rejects too: every check is
// a strict comparison of an attribute that filter also requires (see commands/filter.ts).

import { errorGuard, ErrorWithFields } from "@tsconntrack/codec";

/** One comparison: the attribute at `path` (top level first) equals `words` after masking. */
export interface AttributeCheck {
  readonly path: readonly number[];
  /** Width of each loaded unit: 1, 2 or 4 bytes, read in network byte order like the attribute. */
  readonly size: 1 | 2 | 4;
  /** Consecutive units from the start of the payload (an IPv6 address is four 4-byte words). */
  readonly words: readonly { readonly value: number; readonly mask?: number }[];
}

export interface EventFilterSpec {
  /** nfgenmsg.nfgen_family that must match, when given. */
  readonly family?: number;
  readonly checks: readonly AttributeCheck[];
}

// linux/filter.h and linux/bpf_common.h
const BPF_LD = 0x00;
const BPF_LDX = 0x01;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_MISC = 0x07;
const BPF_W = 0x00;
const BPF_H = 0x08;
const BPF_B = 0x10;
const BPF_IMM = 0x00;
const BPF_ABS = 0x20;
const BPF_IND = 0x40;
const BPF_AND = 0x50;
const BPF_JEQ = 0x10;
const BPF_K = 0x00;
const BPF_TAX = 0x00;
const SKF_AD_OFF = -0x1000;
const SKF_AD_NLATTR = 12;
const SKF_AD_NLATTR_NEST = 16;

/** struct nlmsghdr (16) + struct nfgenmsg (4): where the top-level attributes start. */
const ATTRS_OFFSET = 20;
const FAMILY_OFFSET = 16;
/** The payload follows the 4-byte struct nlattr header. */
const NLA_HDRLEN = 4;
const ACCEPT = 0xffffffff;
const MAX_INSTRUCTIONS = 4096;

const SIZE_CODE = { 1: BPF_B, 2: BPF_H, 4: BPF_W } as const;

interface Instruction {
  code: number;
  k: number;
  /** Conditional jump: true → next instruction, false → the drop instruction. */
  failToDrop?: boolean;
}

/** Thrown when a filter cannot be expressed (too long for cBPF's 8-bit jumps). */
export class BpfProgramError extends ErrorWithFields<BpfProgramError> {
  override readonly name = "BpfProgramError";
  declare readonly instructions: number;
  constructor(message: string, instructions: number) {
    super(message, { instructions });
  }
}

export const isBpfProgramError = errorGuard<BpfProgramError>("BpfProgramError");

function load(size: 1 | 2 | 4, mode: number, k: number): Instruction {
  return { code: BPF_LD | SIZE_CODE[size] | mode, k };
}

function dropUnlessEqual(value: number): Instruction {
  return { code: BPF_JMP | BPF_JEQ | BPF_K, k: value >>> 0, failToDrop: true };
}

/** A = offset of the attribute at `path`, or the program drops the message when it is missing. */
function findAttribute(path: readonly number[]): Instruction[] {
  const code: Instruction[] = [{ code: BPF_LD | BPF_IMM, k: ATTRS_OFFSET }];
  path.forEach((type, depth) => {
    code.push({ code: BPF_LDX | BPF_IMM, k: type });
    code.push(load(1, BPF_ABS, SKF_AD_OFF + (depth === 0 ? SKF_AD_NLATTR : SKF_AD_NLATTR_NEST)));
    // 0 = not found: jump to drop when A == 0, i.e. "equal to 0" must be false.
    code.push({ code: BPF_JMP | BPF_JEQ | BPF_K, k: 0, failToDrop: false });
  });
  return code;
}

function checkCode(check: AttributeCheck): Instruction[] {
  const code = findAttribute(check.path);
  code.push({ code: BPF_MISC | BPF_TAX, k: 0 });
  check.words.forEach((word, index) => {
    code.push(load(check.size, BPF_IND, NLA_HDRLEN + index * check.size));
    const full = check.size === 4 ? 0xffffffff : check.size === 2 ? 0xffff : 0xff;
    const mask = (word.mask ?? full) >>> 0;
    if (mask !== full) code.push({ code: BPF_ALU | BPF_AND | BPF_K, k: mask });
    code.push(dropUnlessEqual((word.value & mask) >>> 0));
  });
  return code;
}

/**
 * The program as `struct sock_filter` array bytes (host order), or null when there is nothing to
 * check. Layout: the checks, `ret #ACCEPT`, `ret #0`; every failed check jumps to the last one.
 */
export function buildEventFilter(spec: EventFilterSpec): Uint8Array | null {
  const body: Instruction[] = [];
  if (spec.family !== undefined) {
    body.push(load(1, BPF_ABS, FAMILY_OFFSET));
    body.push(dropUnlessEqual(spec.family));
  }
  for (const check of spec.checks) body.push(...checkCode(check));
  if (body.length === 0) return null;
  const program = [...body, { code: BPF_RET | BPF_K, k: ACCEPT }, { code: BPF_RET | BPF_K, k: 0 }];
  if (program.length > MAX_INSTRUCTIONS) throw new BpfProgramError(`filter needs ${program.length} instructions`, program.length);
  const drop = program.length - 1;
  const bytes = new Uint8Array(program.length * 8);
  const view = new DataView(bytes.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  program.forEach((insn, at) => {
    let jt = 0;
    let jf = 0;
    if (insn.failToDrop !== undefined) {
      const toDrop = drop - at - 1;
      if (toDrop > 255) throw new BpfProgramError(`a jump of ${toDrop} instructions does not fit cBPF's 8 bits`, program.length);
      // failToDrop: equal → go on, else drop. Otherwise (the "missing attribute" test): equal → drop.
      if (insn.failToDrop) jf = toDrop;
      else jt = toDrop;
    }
    view.setUint16(at * 8, insn.code, little);
    view.setUint8(at * 8 + 2, jt);
    view.setUint8(at * 8 + 3, jf);
    view.setUint32(at * 8 + 4, insn.k >>> 0, little);
  });
  return bytes;
}

/**
 * Runs a program over one message the way the kernel would (only the instructions built above).
 * For tests without a kernel: returns the filter's verdict (0 = drop).
 */
export function runEventFilter(program: Uint8Array, message: Uint8Array): number {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const data = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const u16 = (at: number) => (at + 2 <= message.length ? data.getUint16(at, little) : -1);
  const findFlat = (from: number, end: number, type: number): number => {
    for (let at = from; at + NLA_HDRLEN <= end; ) {
      const length = u16(at);
      if (length < NLA_HDRLEN || at + length > end) return 0;
      if ((u16(at + 2) & 0x3fff) === type) return at;
      at += (length + 3) & ~3;
    }
    return 0;
  };
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < program.length / 8; pc++) {
    const code = view.getUint16(pc * 8, little);
    const jt = view.getUint8(pc * 8 + 2);
    const jf = view.getUint8(pc * 8 + 3);
    const k = view.getUint32(pc * 8 + 4, little);
    const cls = code & 0x07;
    if (cls === BPF_RET) return k;
    if (cls === BPF_LDX) x = k;
    else if (cls === BPF_MISC) x = a;
    else if (cls === BPF_ALU) a = (a & k) >>> 0;
    else if (cls === BPF_JMP) pc += a === k ? jt : jf;
    else if (cls === BPF_LD) {
      const mode = code & 0xe0;
      const size = code & 0x18;
      if (mode === BPF_IMM) {
        a = k;
        continue;
      }
      const offset = mode === BPF_IND ? x + k : (k | 0);
      if (offset === SKF_AD_OFF + SKF_AD_NLATTR) {
        a = a > message.length - NLA_HDRLEN ? 0 : findFlat(a, message.length, x);
        continue;
      }
      if (offset === SKF_AD_OFF + SKF_AD_NLATTR_NEST) {
        const length = u16(a);
        a = length < 0 || length > message.length - a ? 0 : findFlat(a + NLA_HDRLEN, a + length, x);
        continue;
      }
      const width = size === BPF_B ? 1 : size === BPF_H ? 2 : 4;
      if (offset < 0 || offset + width > message.length) return 0;
      a = width === 1 ? data.getUint8(offset) : width === 2 ? data.getUint16(offset) : data.getUint32(offset);
    }
  }
  return 0;
}
