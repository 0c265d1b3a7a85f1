// The timeout states nfct 1.4.7 knows per layer 4 protocol, with its names (libnetfilter_cttimeout
// 1.0.1's tables): state i is the kernel's CTA_TIMEOUT_<PROTO>_* attribute i + 1, whose key in the
// codec's value comes from the cttimeout spec. The kernel may know more states than nfct (SCTP's
// heartbeat states): nfct neither takes nor prints those; tsnfct's JSON shows them.

import { cttimeoutFamily, IpProto } from "@tsconntrack/codec/cttimeout";

const UDP_STATES = ["UNREPLIED", "REPLIED"];
const TIMEOUT_ONLY = ["TIMEOUT"];

const NFCT_STATE_NAMES: Readonly<Partial<Record<number, readonly string[]>>> = {
  [IpProto.icmp]: TIMEOUT_ONLY,
  [IpProto.tcp]: ["SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "RETRANS", "UNACKNOWLEDGED"],
  [IpProto.udp]: UDP_STATES,
  [IpProto.gre]: UDP_STATES,
  [IpProto.sctp]: ["CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT"],
  [IpProto.dccp]: ["REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIMEWAIT"],
  [IpProto.udplite]: UDP_STATES,
  [IpProto.icmpv6]: TIMEOUT_ONLY,
  [IpProto.raw]: TIMEOUT_ONLY,
};

export interface TimeoutState {
  /** nfct's name (upper case; matched without regard to case). */
  readonly name: string;
  /** The key of the state in the codec's decoded CTA_TIMEOUT_DATA. */
  readonly key: string;
}

export interface ProtocolStates {
  /** The states nfct knows, in attribute order. */
  readonly states: readonly TimeoutState[];
  /** Every state of the kernel's attribute set, in attribute order (for JSON): nfct's name, else the spec's. */
  readonly all: readonly TimeoutState[];
}

/** The attribute set the spec reads CTA_TIMEOUT_DATA of this protocol with. */
function formatSet(l4proto: number) {
  const entry = cttimeoutFamily.enums["ip-proto"].entries.find((e) => e.value === l4proto);
  if (entry === undefined) return undefined;
  const format = cttimeoutFamily.subMessages["timeout-data"].formats.find((f) => f.value === entry.name);
  return format === undefined ? undefined : cttimeoutFamily.attributeSets[format.attributeSet as keyof typeof cttimeoutFamily.attributeSets];
}

const cache = new Map<number, ProtocolStates | undefined>();

/** The states of a layer 4 protocol, or undefined when nfct has no table for it. */
export function protocolStates(l4proto: number): ProtocolStates | undefined {
  if (cache.has(l4proto)) return cache.get(l4proto);
  const names = NFCT_STATE_NAMES[l4proto];
  const set = formatSet(l4proto);
  let result: ProtocolStates | undefined;
  if (names !== undefined && set !== undefined) {
    const attrs = [...set.attrs].sort((a, b) => a.value - b.value);
    const all = attrs.map((a) => ({ name: names[a.value - 1] ?? a.name.toUpperCase().replace(/-/g, "_"), key: a.key }));
    result = { states: all.slice(0, names.length), all };
  }
  cache.set(l4proto, result);
  return result;
}

/** strcasecmp in the C locale: ASCII letters fold, nothing else does. */
export function sameIgnoringAsciiCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
  return fold(a) === fold(b);
}
