/**
 * `Filter { Protocol, Address, State }` (src/filter.c ct_filter_check): Accept keeps only what
 * matches, Ignore drops what matches. Addresses match the original source or the reply source
 * (the "real" endpoints, NAT aside). Kernelspace filtering is done here as well: the result is
 * the same set of flows.
 */
import type { ConntrackAttrs } from "@tsconntrack/conntrack";
import { parseIPv4, parseIPv6 } from "@tsconntrack/codec";
import type { FilterConfig } from "./config/types.js";

const IPPROTO_TCP = 6;

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function v6Matches(addr: Uint8Array, net: Uint8Array, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((addr[bit >> 3]! & m) !== (net[bit >> 3]! & m)) return false;
  }
  return true;
}

export type FlowPredicate = (flow: ConntrackAttrs) => boolean;

/** True when the flow is to be synced (ct_filter_conntrack returns 0); sanity checks included. */
export function compileFlowFilter(filter: FilterConfig | undefined): FlowPredicate {
  const protocols = filter?.protocol ? new Set(filter.protocol.protocols) : undefined;
  const protoAccept = filter?.protocol?.logic === "accept";
  const addrs = filter?.address;
  const v4 = (addrs?.entries ?? []).filter((e) => e.family === 4).map((e) => ({ net: parseIPv4(e.address)!, mask: v4Mask(e.prefix), exact: e.prefix === 32 }));
  const v6 = (addrs?.entries ?? []).filter((e) => e.family === 6).map((e) => ({ net: parseIPv6(e.address)!, prefix: e.prefix, exact: e.prefix === 128 }));
  const addrAccept = addrs?.logic === "accept";
  const states = filter?.state ? new Set(filter.state.states) : undefined;
  const stateAccept = filter?.state?.logic === "accept";

  return (flow) => {
    const o = flow.tupleOrig?.tupleIp;
    const r = flow.tupleReply?.tupleIp;
    const isV4 = o?.ipV4Src !== undefined;
    // ct_filter_sanity_check: both real source addresses are needed.
    if (isV4 ? r?.ipV4Src === undefined : o?.ipV6Src === undefined || r?.ipV6Src === undefined) return false;
    const l4 = flow.tupleOrig?.tupleProto?.protoNum ?? 0;
    if (protocols && protocols.has(l4) !== protoAccept) return false;
    if (addrs) {
      if (isV4) {
        const src = parseIPv4(o!.ipV4Src!) ?? 0;
        const dst = parseIPv4(r!.ipV4Src!) ?? 0;
        const masked = v4.filter((e) => !e.exact).some((e) => ((e.net & e.mask) >>> 0) === ((src & e.mask) >>> 0) || ((e.net & e.mask) >>> 0) === ((dst & e.mask) >>> 0));
        if (masked) {
          if (!addrAccept) return false;
        } else {
          const hit = v4.filter((e) => e.exact).some((e) => e.net === src || e.net === dst);
          if (hit !== addrAccept) return false;
        }
      } else {
        const src = parseIPv6(o!.ipV6Src!)!;
        const dst = parseIPv6(r!.ipV6Src!)!;
        const masked = v6.filter((e) => !e.exact).some((e) => v6Matches(src, e.net, e.prefix) || v6Matches(dst, e.net, e.prefix));
        if (masked) {
          if (!addrAccept) return false;
        } else {
          const hit = v6.filter((e) => e.exact).some((e) => v6Matches(src, e.net, 128) || v6Matches(dst, e.net, 128));
          if (hit !== addrAccept) return false;
        }
      }
    }
    if (states && l4 === IPPROTO_TCP) {
      const state = flow.protoinfo?.protoinfoTcp?.tcpState;
      if (state !== undefined && states.has(state) !== stateAccept) return false;
    }
    return true;
  };
}
