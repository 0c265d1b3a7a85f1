/** Address matching for filters: exact addresses, CIDR prefixes and netmasks, for IPv4 and IPv6. */
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, type MessageView } from "@tsconntrack/codec";
import { AF_INET, AF_INET6 } from "./constants.js";
import { ConntrackArgumentError } from "./errors.js";

/** An address to match: "10.0.0.1", "10.0.0.0/8", "fd00::/64", or an address with a prefix length or a netmask. */
export type AddressSpec = string | { address: string; prefix?: number; mask?: string };

/** A parsed address match. */
export interface AddressMatch {
  family: typeof AF_INET | typeof AF_INET6;
  /** Canonical text of the (masked) network address, as the codec formats decoded addresses. */
  text: string;
  /** The mask is all ones: an exact address, which the kernel can compare. */
  exact: boolean;
  /** Tests a decoded address string (from the codec, so already canonical). */
  matches(address: string | undefined): boolean;
  /** Tests the address in a view's slot (an IPv4 u32 or 16 IPv6 bytes); an absent one never matches. */
  matchesSlot(view: MessageView, slot: number): boolean;
}

export function parseAddressSpec(spec: AddressSpec, field: string): AddressMatch {
  let address: string;
  let prefix: number | undefined;
  let mask: string | undefined;
  if (typeof spec === "string") {
    const slash = spec.indexOf("/");
    address = slash < 0 ? spec : spec.slice(0, slash);
    const suffix = slash < 0 ? undefined : spec.slice(slash + 1);
    if (suffix !== undefined) {
      if (/^\d+$/.test(suffix)) prefix = Number(suffix);
      else mask = suffix;
    }
  } else {
    address = spec.address;
    prefix = spec.prefix;
    mask = spec.mask;
  }
  const v4 = parseIPv4(address);
  if (v4 !== undefined) {
    if (mask !== undefined) {
      const m = parseIPv4(mask);
      if (m === undefined) throw new ConntrackArgumentError(field, `bad IPv4 netmask ${JSON.stringify(mask)}`);
      return ipv4Match(v4, m);
    }
    const p = prefix ?? 32;
    if (!Number.isInteger(p) || p < 0 || p > 32) throw new ConntrackArgumentError(field, `bad IPv4 prefix length ${p}`);
    return ipv4Match(v4, p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);
  }
  const v6 = parseIPv6(address);
  if (v6 !== undefined) {
    if (mask !== undefined) {
      const m = parseIPv6(mask);
      if (m === undefined) throw new ConntrackArgumentError(field, `bad IPv6 netmask ${JSON.stringify(mask)}`);
      return ipv6Match(v6, m);
    }
    const p = prefix ?? 128;
    if (!Number.isInteger(p) || p < 0 || p > 128) throw new ConntrackArgumentError(field, `bad IPv6 prefix length ${p}`);
    return ipv6Match(v6, prefixBytes(p));
  }
  throw new ConntrackArgumentError(field, `not an IPv4 or IPv6 address: ${JSON.stringify(address)}`);
}

/** (address & mask) === (network & mask); any mask, contiguous or not, as conntrack's --mask-src. */
function ipv4Match(value: number, mask: number): AddressMatch {
  const network = (value & mask) >>> 0;
  const text = formatIPv4(network);
  return {
    family: AF_INET,
    text,
    exact: mask === 0xffffffff,
    matches(a) {
      if (a === undefined) return false;
      const v = parseIPv4(a);
      return v !== undefined && ((v & mask) >>> 0) === network;
    },
    matchesSlot: (view, slot) => view.pos[slot]! >= 0 && ((view.num[slot]! & mask) >>> 0) === network,
  };
}

function ipv6Match(bytes: Uint8Array, mask: Uint8Array): AddressMatch {
  const network = bytes.map((b, i) => b & mask[i]!);
  const text = formatIPv6(network, 0);
  const masked = (u8: Uint8Array, at: number): boolean => {
    for (let i = 0; i < 16; i++) if ((u8[at + i]! & mask[i]!) !== network[i]) return false;
    return true;
  };
  return {
    family: AF_INET6,
    text,
    exact: mask.every((b) => b === 0xff),
    matches(a) {
      if (a === undefined || a.indexOf(":") < 0) return false;
      const v = parseIPv6(a);
      return v !== undefined && masked(v, 0);
    },
    matchesSlot: (view, slot) => view.pos[slot]! >= 0 && view.len[slot] === 16 && masked(view.u8, view.pos[slot]!),
  };
}

function prefixBytes(prefix: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = (0xff << (8 - bits)) & 0xff;
  }
  return out;
}
