/** A second, unconnected netlink socket that tries to unicast into our port. */
import { AF_NETLINK, NETLINK_NETFILTER, SOCK_CLOEXEC, SOCK_RAW } from "../../src/constants.js";
import { createLibcSyscalls } from "../../src/libc.js";
import { withNetns } from "../../src/netns.js";

export const ECONNREFUSED_TEST = 111;

/** Returns send()'s result (a negative errno on failure) for a datagram addressed to `portId`. */
export function connectTo(netns: string, portId: number): number {
  const sys = createLibcSyscalls();
  const fd = withNetns(sys, netns, () => sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
  try {
    const address = Buffer.alloc(12);
    address.writeUInt16LE(AF_NETLINK, 0);
    if (sys.bind(fd, address) < 0) throw new Error("bind failed");
    address.writeUInt32LE(portId, 4);
    const rc = sys.connect(fd, address);
    if (rc < 0) return rc;
    const message = Buffer.alloc(20);
    message.writeUInt32LE(20, 0);
    message.writeUInt16LE(0x100, 4);
    return sys.send(fd, message, 0);
  } finally {
    sys.close(fd);
  }
}
