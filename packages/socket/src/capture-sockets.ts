// Which socket each pcap record crossed, from the per-syscall log that sits next to a capture
// (`NAME.io` for `NAME.pcap`, written by the fixtures' capture shim): lines such as
// `recv recvmsg fd=6 sock=1 in ... record=3`. Captures of one program that used several sockets
// interleave their datagrams; the log tells them apart.

import { existsSync, readFileSync } from "node:fs";

/** `sockets[i]` = the socket index of pcap record i (undefined when the log does not name it). */
export function parseSyscallLog(text: string): (number | undefined)[] {
  const sockets: (number | undefined)[] = [];
  for (const line of text.split("\n")) {
    const record = /(?:^|\s)record=(\d+)(?:\s|$)/.exec(line);
    const socket = /(?:^|\s)sock=(\d+)(?:\s|$)/.exec(line);
    if (record === null || socket === null) continue;
    sockets[Number(record[1])] = Number(socket[1]);
  }
  return sockets;
}

/** The socket of each record of `pcapPath`, from `NAME.io` next to it; undefined when there is no log. */
export function readSyscallLogFor(pcapPath: string): (number | undefined)[] | undefined {
  const logPath = pcapPath.replace(/\.pcap$/, "") + ".io";
  if (logPath === pcapPath || !existsSync(logPath)) return undefined;
  return parseSyscallLog(readFileSync(logPath, "utf8"));
}
