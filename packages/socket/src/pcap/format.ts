/**
 * pcap constants for netlink captures.
 *
 * LINKTYPE_NETLINK (253) is what tcpdump writes when capturing on an nlmon device. Each packet
 * starts with the 16-byte Linux "cooked" (SLL) header, all fields big-endian:
 *   u16 packet type   PACKET_HOST 0 … PACKET_OUTGOING 4 (nlmon marks every packet OUTGOING,
 *                     and Wireshark ignores the field and derives direction from nlmsg_pid)
 *   u16 ARPHRD type   ARPHRD_NETLINK = 824 (Wireshark checks it)
 *   u16 address length, 8 address bytes (zero for netlink)
 *   u16 protocol      the netlink protocol (12 = NETLINK_NETFILTER)
 * followed by the raw datagram, whose netlink headers are in the capturing host's byte order.
 */
export const LINKTYPE_NETLINK = 253;
/** DLT_LINUX_SLL: the same 16-byte header; accepted when its ARPHRD type is netlink. */
export const LINKTYPE_LINUX_SLL = 113;
export const ARPHRD_NETLINK = 824;
export const COOKED_HEADER_SIZE = 16;
export const PACKET_HOST = 0;
export const PACKET_OUTGOING = 4;

export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
export const PCAP_FILE_HEADER_SIZE = 24;
export const PCAP_RECORD_HEADER_SIZE = 16;
export const DEFAULT_SNAPLEN = 262144;
