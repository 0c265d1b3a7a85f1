/** Numbers nfct's command line needs besides the generated codec tables (uAPI headers). */

/** Address families for CTA_TIMEOUT_L3PROTO and NFCTH_TUPLE_L3PROTONUM (nfct's `inet`, `inet6`). */
export const AF_INET = 2;
export const AF_INET6 = 10;
