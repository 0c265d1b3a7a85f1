// What the per-syscall log next to a capture (`NAME.io` for `NAME.pcap`, written by the fixtures'
// capture shim) adds to it: which socket each record crossed (`... sock=1 ... record=3`), since
// captures of one program that used several sockets interleave their datagrams, and which group
// subscriptions the kernel refused (`bind ... groups=0x7 ret=-1 errno=1`), which leave no record.

import { existsSync, readFileSync } from "node:fs";

/** A bind to multicast groups that failed. */
export interface FailedBind {
  /** The groups bitmask asked for (bit g-1 = group g). */
  groups: number;
  errno: number;
}

export interface SyscallLog {
  /** `sockets[i]` = the socket index of pcap record i (undefined when the log does not name it). */
  sockets: (number | undefined)[];
  failedBinds: FailedBind[];
}

const field = (line: string, name: string): string | undefined => new RegExp(`(?:^|\\s)${name}=(\\S+)`).exec(line)?.[1];

/** The socket index of each pcap record. */
export function parseSyscallLog(text: string): (number | undefined)[] {
  return parseSyscallLogFull(text).sockets;
}

export function parseSyscallLogFull(text: string): SyscallLog {
  const log: SyscallLog = { sockets: [], failedBinds: [] };
  for (const line of text.split("\n")) {
    const record = field(line, "record");
    const socket = field(line, "sock");
    if (record !== undefined && socket !== undefined && /^\d+$/.test(record) && /^\d+$/.test(socket)) {
      log.sockets[Number(record)] = Number(socket);
    }
    if (line.startsWith("bind ") && field(line, "ret") === "-1") {
      const groups = Number(field(line, "groups") ?? 0);
      const errno = Number(field(line, "errno") ?? 0);
      if (groups !== 0 && errno > 0) log.failedBinds.push({ groups, errno });
    }
  }
  return log;
}

/** The log of `pcapPath` (`NAME.io` next to it); undefined when there is none. */
export function readSyscallLogFor(pcapPath: string): SyscallLog | undefined {
  const logPath = pcapPath.replace(/\.pcap$/, "") + ".io";
  if (!existsSync(logPath)) return undefined;
  return parseSyscallLogFull(readFileSync(logPath, "utf8"));
}
