// @tsconntrack/codec/conntrack: the conntrack family codec, built once from the generated tables.
import { createFamilyCodec, type FamilyCodec } from "./codec/family-codec.js";
import { conntrackFamily } from "./gen/conntrack.js";

export * from "./gen/conntrack.js";

/** Encoder/decoder for ctnetlink (NETLINK_NETFILTER, subsystems CTNETLINK and CTNETLINK_EXP). */
export const conntrack: FamilyCodec = createFamilyCodec(conntrackFamily);
