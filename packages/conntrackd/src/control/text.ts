/** The text conntrackd 1.4.7 writes to the control socket for `-s …` (byte for byte). */
import type { CacheStats } from "../cache.js";

const u20 = (n: number | bigint): string => String(n).padStart(20, " ");
const u12 = (n: number): string => String(n >>> 0).padStart(12, " ");

/** cache_stats (src/cache.c). */
export function cacheStatsText(name: string, s: CacheStats): string {
  return `cache ${name}:\n` +
    `current active connections:\t${u12(s.active)}\n` +
    `connections created:\t\t${u12(s.addOk)}\tfailed:\t${u12(s.addFail)}\n` +
    `connections updated:\t\t${u12(s.updOk)}\tfailed:\t${u12(s.updFail)}\n` +
    `connections destroyed:\t\t${u12(s.delOk)}\tfailed:\t${u12(s.delFail)}\n\n`;
}

/** cache_stats_extended. */
export function cacheStatsExtendedText(name: string, s: CacheStats, entries: number): string {
  return `cache:${name}\tactive objects:\t\t${u12(s.objects)}\n` +
    `\tactive/total entries:\t\t${u12(s.active)}/${u12(entries)}\n` +
    `\tcreation OK/failed:\t\t${u12(s.addOk)}/${u12(s.addFail)}\n` +
    `\t\tno memory available:\t${u12(s.addFailEnomem)}\n` +
    `\t\tno space left in cache:\t${u12(s.addFailEnospc)}\n` +
    `\tupdate OK/failed:\t\t${u12(s.updOk)}/${u12(s.updFail)}\n` +
    `\t\tentry not found:\t${u12(s.updFailEnoent)}\n` +
    `\tdeletion created/failed:\t${u12(s.delOk)}/${u12(s.delFail)}\n` +
    `\t\tentry not found:\t${u12(s.delFailEnoent)}\n\n`;
}

/** dump_traffic_stats. */
export function trafficText(bytes: bigint, packets: bigint): string {
  return `traffic processed:\n${u20(bytes)} Bytes      ${u20(packets)} Pckts\n\n`;
}

export interface LinkStats {
  sentBytes: number;
  recvBytes: number;
  sentPackets: number;
  recvPackets: number;
  sentErrors: number;
  recvErrors: number;
}

const linkBody = (s: LinkStats): string =>
  `${u20(s.sentBytes)} Bytes sent ${u20(s.recvBytes)} Bytes recv\n` +
  `${u20(s.sentPackets)} Pckts sent ${u20(s.recvPackets)} Pckts recv\n` +
  `${u20(s.sentErrors)} Error send ${u20(s.recvErrors)} Error recv\n\n`;

/** udp_/mcast_/tcp_snprintf_stats: the link's title line, then its counters. */
export function linkStatsText(title: string, s: LinkStats): string {
  return `${title}:\n` + linkBody(s);
}

/** STATE_SYNC(error): the receive and send error counters. */
export interface SyncErrors {
  malformed: number;
  badVersion: number;
  badHeader: number;
  badPayload: number;
  badType: number;
  truncated: number;
  badSize: number;
  sendMalformed: number;
  lost: number;
  before: number;
}

export const newSyncErrors = (): SyncErrors => ({
  malformed: 0, badVersion: 0, badHeader: 0, badPayload: 0, badType: 0, truncated: 0, badSize: 0,
  sendMalformed: 0, lost: 0, before: 0,
});

/** dump_stats_sync. */
export function messageTrackingText(e: SyncErrors): string {
  return `message tracking:\n${u20(e.malformed)} Malformed msgs ${u20(e.lost)} Lost msgs\n\n`;
}

/** dump_stats_sync_extended (`-s network`). */
export function networkStatsText(e: SyncErrors): string {
  return "network statistics:\n" +
    "\trecv:\n" +
    `\t\tMalformed messages:\t${u20(e.malformed)}\n` +
    `\t\tWrong protocol version:\t${u20(e.badVersion)}\n` +
    `\t\tMalformed header:\t${u20(e.badHeader)}\n` +
    `\t\tMalformed payload:\t${u20(e.badPayload)}\n` +
    `\t\tBad message type:\t${u20(e.badType)}\n` +
    `\t\tTruncated message:\t${u20(e.truncated)}\n` +
    `\t\tBad message size:\t${u20(e.badSize)}\n` +
    "\tsend:\n" +
    `\t\tMalformed messages:\t${u20(e.sendMalformed)}\n\n` +
    "sequence tracking statistics:\n" +
    "\trecv:\n" +
    `\t\tPackets lost:\t\t${u20(e.lost)}\n` +
    `\t\tPackets before:\t\t${u20(e.before)}\n\n`;
}

export interface RuntimeStats {
  startTime: number;
  eventsReceived: number;
  eventsFiltered: number;
  eventsUnknownType: number;
  catchEventFailed: number;
  dumpUnknownType: number;
  overrun: number;
  kernelTableFlush: number;
  kernelTableResync: number;
  bufferSize: number;
  childFailed: number;
  childSegfault: number;
  childTermsig: number;
  selectFailed: number;
  waitFailed: number;
  localReadFailed: number;
  localUnknownRequest: number;
}

/** uptime() of src/run.c. */
export function uptimeText(seconds: number): string {
  const days = Math.trunc(seconds / 86400);
  let s = days ? `${days} day${days !== 1 ? "s" : ""} ` : "";
  const minutes = Math.trunc(seconds / 60);
  const hours = Math.trunc(minutes / 60) % 24;
  s += hours ? `${hours} h ${minutes % 60} min` : `${minutes % 60} min`;
  return s;
}

/** dump_stats_runtime (`-s runtime`). */
export function runtimeStatsText(r: RuntimeStats, now: number): string {
  return `daemon uptime: ${uptimeText(now - r.startTime)}\n\n` +
    "netlink stats:\n" +
    `\tevents received:\t${u20(r.eventsReceived)}\n` +
    `\tevents filtered:\t${u20(r.eventsFiltered)}\n` +
    `\tevents unknown type:\t\t${u12(r.eventsUnknownType)}\n` +
    `\tcatch event failed:\t\t${u12(r.catchEventFailed)}\n` +
    `\tdump unknown type:\t\t${u12(r.dumpUnknownType)}\n` +
    `\tnetlink overrun:\t\t${u12(r.overrun)}\n` +
    `\tflush kernel table:\t\t${u12(r.kernelTableFlush)}\n` +
    `\tresync with kernel table:\t${u12(r.kernelTableResync)}\n` +
    `\tcurrent buffer size (in bytes):\t${u12(r.bufferSize)}\n\n` +
    "runtime stats:\n" +
    `\tchild process failed:\t\t${u12(r.childFailed)}\n` +
    `\t\tchild process segfault:\t${u12(r.childSegfault)}\n` +
    `\t\tchild process termsig:\t${u12(r.childTermsig)}\n` +
    `\tselect failed:\t\t\t${u12(r.selectFailed)}\n` +
    `\twait failed:\t\t\t${u12(r.waitFailed)}\n` +
    `\tlocal read failed:\t\t${u12(r.localReadFailed)}\n` +
    `\tlocal unknown request:\t\t${u12(r.localUnknownRequest)}\n\n`;
}

export interface QueueInfo {
  name: string;
  length: number;
  max: number;
  enospc: number;
}

/** queue_stats_show (`-s queue`): queues newest first, as 1.4.7's list_add leaves them. */
export function queueStatsText(allocatedNodes: number, queues: readonly QueueInfo[]): string {
  let s = `allocated queue nodes:\t\t${u12(allocatedNodes)}\n\n`;
  for (const q of queues) {
    s += `queue ${q.name}:\n` +
      `current elements:\t\t${u12(q.length)}\n` +
      `maximum elements:\t\t${u12(q.max)}\n` +
      `not enough space errors:\t${u12(q.enospc)}\n\n`;
  }
  return s;
}
