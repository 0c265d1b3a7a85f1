/** Numbers from the Linux uAPI headers (socket.h, netlink.h, sched.h, poll.h) that the socket layer needs. */

export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;

/** Netlink protocol numbers (the third argument of socket(2)). */
export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GENERIC = 16;

export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_RCVTIMEO = 20;
export const SO_ATTACH_FILTER = 26;
export const SO_DETACH_FILTER = 27;
export const SO_SNDBUFFORCE = 32;
export const SO_RCVBUFFORCE = 33;

export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_PKTINFO = 3;
export const NETLINK_BROADCAST_ERROR = 4;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_LIST_MEMBERSHIPS = 9;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
/** recvmmsg: block for the first datagram only, then take what is already queued. */
export const MSG_WAITFORONE = 0x10000;

export const CLONE_NEWNET = 0x40000000;

export const POLLIN = 0x1;
export const POLLERR = 0x8;

/** Errno values this package reacts to (Linux numbering). */
export const EINTR = 4;
export const EAGAIN = 11;
export const EPERM = 1;
export const ENOBUFS = 105;
export const EMSGSIZE = 90;

/** Size of struct sockaddr_nl. */
export const SOCKADDR_NL_SIZE = 12;
