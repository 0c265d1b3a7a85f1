// nfct's family and protocol words: `inet`/`inet6`, and getprotobyname() with nfct's two extras.

import { AF_INET, AF_INET6, IpProto } from "@tsconntrack/nfct";
import type { ProtocolDatabase } from "../args/protocol-db.js";

/** nfct_cmd_get_l3proto(): exactly "inet" or "inet6". */
export function l3protoOf(word: string | undefined): number | undefined {
  return word === "inet" ? AF_INET : word === "inet6" ? AF_INET6 : undefined;
}

/**
 * nfct_cmd_get_l4proto(): /etc/protocols (names and aliases, case-sensitive), then `icmpv6`
 * (Debian's file says ipv6-icmp) and `generic` (IPPROTO_RAW, the generic tracker).
 */
export function l4protoOf(word: string, protocols: ProtocolDatabase): number | undefined {
  const found = protocols.byName(word);
  if (found !== undefined) return found;
  if (word === "icmpv6") return IpProto.icmpv6;
  if (word === "generic") return IpProto.raw;
  return undefined;
}
