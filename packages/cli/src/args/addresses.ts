// Address option arguments: "ADDR[/PREFIX]" for -s/-d/--tuple-*, plain addresses for -r/-q/--mask-*, and
// "ADDR[:PORT]" / "[ADDR6]:PORT" for the NAT options, with conntrack's checks in conntrack's order.

import { strtol, toInt32 } from "./c-numbers.js";
import { ArgsError } from "./errors.js";
import { formatIPv4Bytes, formatIPv6 } from "@tsconntrack/codec/ip";
import { inetAton, inetPton6, prefixMask } from "./inet.js";
import type { Address } from "./types.js";

/** conntrack copies the argument into a 46-byte buffer (INET6_ADDRSTRLEN) before parsing it. */
const ADDRESS_BUFFER_CHARS = 45;

export interface ParsedAddressText {
  readonly address: Address | null;
  /** -1 no "/", -2 invalid, else the prefix length. */
  readonly prefix: number;
}

export function makeAddress(bytes: Uint8Array): Address {
  return bytes.length === 4
    ? { family: "ipv4", text: formatIPv4Bytes(bytes, 0), bytes }
    : { family: "ipv6", text: formatIPv6(bytes, 0), bytes };
}

/** parse_addr(): inet_aton first, then inet_pton(AF_INET6); "/N" is split off and checked. */
export function parseAddressText(arg: string): ParsedAddressText {
  let text = arg.slice(0, ADDRESS_BUFFER_CHARS);
  let prefix = -1;
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    const { value, end } = strtol(digits, 10);
    prefix = toInt32(value);
    if (prefix < 0 || end !== digits.length) prefix = -2;
    text = text.slice(0, slash);
  }
  const v4 = inetAton(text);
  if (v4 !== null) return { address: makeAddress(v4), prefix: prefix > 32 ? -2 : prefix };
  const v6 = inetPton6(text);
  if (v6 !== null) return { address: makeAddress(v6), prefix: prefix > 128 ? -2 : prefix };
  return { address: null, prefix };
}

/** The netmask a CIDR prefix stands for, or null when it is a host prefix (/32, /128) or absent. */
export function cidrMask(address: Address, prefix: number): Address | null {
  const full = address.family === "ipv4" ? 32 : 128;
  if (prefix < 0 || prefix === full) return null;
  return makeAddress(prefixMask(prefix, address.family === "ipv4" ? 4 : 16));
}

/** Digits only and at most 65535 (conntrack's valid_port()). */
function isValidPort(text: string): boolean {
  if (text === "" || !/^[0-9]+$/.test(text)) return false;
  return Number(text) <= 65535;
}

/**
 * split_address_and_port(): "[v6]:port", "v4:port", or a bare address (an IPv6 address without brackets has
 * several colons). A bracketed address without a port is passed on whole, brackets included, and is then
 * rejected as an invalid address.
 */
export function splitNatArgument(arg: string): { address: string; port?: string } {
  const open = arg.indexOf("[");
  if (open >= 0) {
    const start = open + 1;
    const close = arg.indexOf("]", start);
    if (close === start) throw new ArgsError("No IPv6 address specified", 2);
    if (close < 0) throw new ArgsError("No closing ']' around IPv6 address", 2);
    const colon = arg.indexOf(":", close);
    if (colon < 0) return { address: arg };
    return { address: arg.slice(start, close), port: checkPort(arg.slice(colon + 1)) };
  }
  const colon = arg.indexOf(":");
  if (colon >= 0 && arg.indexOf(":", colon + 1) < 0) {
    return { address: arg.slice(0, colon), port: checkPort(arg.slice(colon + 1)) };
  }
  return { address: arg };
}

function checkPort(port: string): string {
  if (port === "") throw new ArgsError("No port specified after `:'", 2);
  if (!isValidPort(port)) throw new ArgsError(`Invalid port \`${port}'`, 2);
  return port;
}
