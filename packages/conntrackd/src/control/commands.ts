/** The request numbers of conntrackd's UNIX socket (include/conntrackd.h); sent as one native int. */
export const REQ = {
  CT_FLUSH_MASTER: 0,
  CT_RESYNC_MASTER: 1,
  CT_DUMP_INTERNAL: 16,
  CT_DUMP_EXTERNAL: 17,
  CT_COMMIT: 18,
  CT_FLUSH_CACHE: 19,
  KILL: 20,
  STATS: 21,
  SEND_BULK: 22,
  REQUEST_DUMP: 23,
  CT_DUMP_INT_XML: 24,
  CT_DUMP_EXT_XML: 25,
  RESET_TIMERS: 26,
  DEBUG_INFO: 27,
  STATS_NETWORK: 28,
  STATS_CACHE: 29,
  STATS_RUNTIME: 30,
  STATS_LINK: 31,
  STATS_RSQUEUE: 32,
  CT_FLUSH_INT_CACHE: 33,
  CT_FLUSH_EXT_CACHE: 34,
  STATS_PROCESS: 35,
  STATS_QUEUE: 36,
  EXP_STATS: 37,
  EXP_FLUSH_MASTER: 38,
  EXP_RESYNC_MASTER: 39,
  EXP_DUMP_INTERNAL: 40,
  EXP_DUMP_EXTERNAL: 41,
  EXP_COMMIT: 42,
  ALL_FLUSH_MASTER: 43,
  ALL_RESYNC_MASTER: 44,
  ALL_FLUSH_CACHE: 45,
  ALL_COMMIT: 46,
  EXP_DUMP_INT_XML: 47,
  EXP_DUMP_EXT_XML: 48,
} as const;

/** The int as the C client sends it: 4 bytes in host order. */
export function encodeRequest(request: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(request);
  return b;
}
