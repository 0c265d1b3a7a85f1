// @tsconntrack/codec/cthelper: the cthelper family codec, built once from the generated tables.
import { createFamilyCodec, type FamilyCodec } from "./codec/family-codec.js";
import { cthelperFamily } from "./gen/cthelper.js";

export * from "./gen/cthelper.js";

/** Encoder/decoder for nfnetlink_cthelper (NETLINK_NETFILTER, subsystem CTHELPER). */
export const cthelper: FamilyCodec = createFamilyCodec(cthelperFamily);
