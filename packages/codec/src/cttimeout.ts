// @tsconntrack/codec/cttimeout: the cttimeout family codec, built once from the generated tables.
import { createFamilyCodec, type FamilyCodec } from "./codec/family-codec.js";
import { cttimeoutFamily } from "./gen/cttimeout.js";

export * from "./gen/cttimeout.js";

/** Encoder/decoder for nfnetlink_cttimeout (NETLINK_NETFILTER, subsystem CTNETLINK_TIMEOUT). */
export const cttimeout: FamilyCodec = createFamilyCodec(cttimeoutFamily);
