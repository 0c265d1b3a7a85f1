/** Numbers the conntrack API needs besides the generated codec tables (uAPI headers). */
import { ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";

/** Address families (nfgenmsg.nfgen_family). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** IP protocol numbers that change how a tuple is read. */
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_DCCP = 33;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_SCTP = 132;
export const IPPROTO_UDPLITE = 136;

/** NFNETLINK_V0; version 1 asks for a family-filtered flush. */
export const NFNETLINK_V0 = 0;
export const NFNETLINK_V1 = 1;

/** Message types (nlmsg_type = subsystem << 8 | message), from the spec's operations. */
export const CT_NEW = ConntrackRequest.new;
export const CT_GET = ConntrackRequest.get;
export const CT_DELETE = ConntrackRequest.delete;
export const CT_GET_CTRZERO = ConntrackRequest.getCtrzero;
export const CT_GET_STATS_CPU = ConntrackRequest.getStatsCpu;
export const CT_GET_STATS = ConntrackRequest.getStats;
export const CT_GET_DYING = ConntrackRequest.getDying;
export const CT_GET_UNCONFIRMED = ConntrackRequest.getUnconfirmed;
export const EXP_NEW = ConntrackRequest.expNew;
export const EXP_GET = ConntrackRequest.expGet;
export const EXP_DELETE = ConntrackRequest.expDelete;
export const EXP_GET_STATS_CPU = ConntrackRequest.expGetStatsCpu;
/** The kernel answers EXP_GET_STATS_CPU with messages typed 0x103 (built with the CTNETLINK subsystem). */
export const EXP_STATS_CPU_REPLY = ConntrackReply.expGetStatsCpu;

/** Attribute set names of the conntrack codec. */
export const SET_CONNTRACK = "conntrack-attrs";
export const SET_EXPECT = "expect-attrs";
export const SET_STATS_CPU = "conntrack-stats-attrs";
export const SET_STATS_GLOBAL = "stats-global-attrs";
export const SET_EXP_STATS = "exp-stats-attrs";

/** Errno values the API reacts to. */
export const ENOENT = 2;
export const EEXIST = 17;
export const EINVAL = 22;
export const EOPNOTSUPP = 95;
