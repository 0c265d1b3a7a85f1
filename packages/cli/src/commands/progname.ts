// The name of the process that owns a netlink port id, as conntrack finds it for [USERSPACE] tags:
// /proc/net/netlink maps the port to a socket inode, /proc/*/fd finds the process holding it.
// Best effort: the process may already be gone (conntrack then prints the portid alone).

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function socketInode(portId: number): string | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/net/netlink", "latin1");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    if (fields.length >= 10 && fields[1] === "12" && Number(fields[2]) >>> 0 === portId >>> 0) return fields[9];
  }
  return undefined;
}

export function processNameOfPort(portId: number): string | undefined {
  const inode = socketInode(portId);
  if (inode === undefined) return undefined;
  const target = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return readFileSync(`/proc/${pid}/comm`, "latin1").trim();
      } catch {
        // the process or fd went away meanwhile
      }
    }
  }
  return undefined;
}
