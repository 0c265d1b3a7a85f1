/**
 * Smoke test of the pinned ffi-rs binding (see peers.md §C1: the sync call path is fragile, so keep
 * a test in CI). Socket-level calls only: no request reaches any conntrack table.
 */
import { describe, expect, it } from "vitest";
import { AF_NETLINK, EAGAIN, MSG_DONTWAIT, NETLINK_NETFILTER, SOCK_CLOEXEC, SOCK_RAW, SOL_SOCKET, SO_RCVBUF } from "../src/constants.js";
import { createLibcSyscalls } from "../src/libc.js";

describe("libc via ffi-rs", () => {
  const sys = createLibcSyscalls();

  it("creates, binds, names, tunes and closes a netlink socket; reports errno only on failure", () => {
    const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    expect(fd).toBeGreaterThan(2);
    try {
      const address = Buffer.alloc(12);
      address.writeUInt16LE(AF_NETLINK, 0);
      expect(sys.bind(fd, address)).toBe(0);
      expect(sys.bind(fd, address)).toBe(-22); // binding twice: EINVAL
      const self = Buffer.alloc(12);
      expect(sys.getsockname(fd, self)).toBe(0);
      expect(self.readUInt16LE(0)).toBe(AF_NETLINK);
      expect(self.readUInt32LE(4)).toBeGreaterThan(0);
      const size = Buffer.alloc(4);
      size.writeInt32LE(65536);
      expect(sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size)).toBe(0);
      expect(sys.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, size)).toBe(4);
      expect(size.readInt32LE(0)).toBeGreaterThanOrEqual(65536);
      expect(sys.recv(fd, Buffer.alloc(64), MSG_DONTWAIT)).toBe(-EAGAIN);
      const info = { nsid: undefined, senderPortId: 0, groups: 0 };
      expect(sys.recvmsg(fd, Buffer.alloc(64), MSG_DONTWAIT, info)).toBe(-EAGAIN);
    } finally {
      expect(sys.close(fd)).toBe(0);
    }
    expect(sys.close(fd)).toBe(-9); // EBADF
  });

  it("polls in a worker thread and wakes on an eventfd", async () => {
    const wake = sys.eventfd();
    expect(wake).toBeGreaterThan(2);
    const pending = sys.pollAsync([wake], 5000);
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    const { writeSync } = await import("node:fs");
    writeSync(wake, one);
    expect(await pending).toBe(1);
    sys.close(wake);
  });
});
