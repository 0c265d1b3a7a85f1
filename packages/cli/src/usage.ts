// The `-h` text of conntrack 1.4.7, captured byte for byte from `conntrack -h` (stdout, exit 0) and
// `conntrack -h -p PROTO`. Only the program name and version are parameters.

import type { ProtoHandlerName } from "./args/types.js";

/** Everything after the "Usage:" line, tabs and blank lines included. */
const USAGE_BODY =
  "\n" +
  "Commands:\n" +
  "  -L [table] [options]\t\tList conntrack or expectation table\n" +
  "  -G [table] parameters\t\tGet conntrack or expectation\n" +
  "  -D [table] parameters\t\tDelete conntrack or expectation\n" +
  "  -I [table] parameters\t\tCreate a conntrack or expectation\n" +
  "  -U [table] parameters\t\tUpdate a conntrack\n" +
  "  -E [table] [options]\t\tShow events\n" +
  "  -F [table]\t\t\tFlush table\n" +
  "  -C [table]\t\t\tShow counter\n" +
  "  -S\t\t\t\tShow statistics\n" +
  "\n" +
  "Tables: conntrack, expect, dying, unconfirmed\n" +
  "\n" +
  "Conntrack parameters and options:\n" +
  "  -n, --src-nat ip\t\t\tsource NAT ip\n" +
  "  -g, --dst-nat ip\t\t\tdestination NAT ip\n" +
  "  -j, --any-nat ip\t\t\tsource or destination NAT ip\n" +
  "  -m, --mark mark\t\t\tSet mark\n" +
  "  -c, --secmark secmark\t\t\tSet selinux secmark\n" +
  "  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY\n" +
  "  -z, --zero \t\t\t\tZero counters while listing\n" +
  "  -o, --output type[,...]\t\tOutput format, eg. xml\n" +
  "  -l, --label label[,...]\t\tconntrack labels\n" +
  "\n" +
  "Expectation parameters and options:\n" +
  "  --tuple-src ip\tSource address in expect tuple\n" +
  "  --tuple-dst ip\tDestination address in expect tuple\n" +
  "\n" +
  "Updating parameters and options:\n" +
  "  --label-add label\tAdd label\n" +
  "  --label-del label\tDelete label\n" +
  "\n" +
  "Common parameters and options:\n" +
  "  -s, --src, --orig-src ip\t\tSource address from original direction\n" +
  "  -d, --dst, --orig-dst ip\t\tDestination address from original direction\n" +
  "  -r, --reply-src ip\t\tSource addres from reply direction\n" +
  "  -q, --reply-dst ip\t\tDestination address from reply direction\n" +
  "  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'\n" +
  "  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'\n" +
  "  -t, --timeout timeout\t\tSet timeout\n" +
  "  -u, --status status\t\tSet status, eg. ASSURED\n" +
  "  -w, --zone value\t\tSet conntrack zone\n" +
  "  --orig-zone value\t\tSet zone for original direction\n" +
  "  --reply-zone value\t\tSet zone for reply direction\n" +
  "  -b, --buffer-size\t\tNetlink socket buffer size\n" +
  "  --mask-src ip\t\t\tSource mask address\n" +
  "  --mask-dst ip\t\t\tDestination mask address\n" +
  "\n";

/** `conntrack -h` (and `conntrack` with no command): stdout text. */
export function usageText(argv0: string, version: string): string {
  return `Command line interface for the connection tracking system. Version ${version}\nUsage: ${argv0} [commands] [options]\n` + USAGE_BODY;
}

/** The tuple options of a protocol whose tuple carries ports (tcp, udp, udplite, sctp, dccp) or GRE keys: the
 * same eight lines with the other word. conntrack prints "--tuple-WORD-src" twice, so do we. */
function tupleOptionsHelp(word: "port" | "key"): string {
  return (
    `  --orig-${word}-src\t\toriginal source ${word}\n` +
    `  --orig-${word}-dst\t\toriginal destination ${word}\n` +
    `  --reply-${word}-src\t\treply source ${word}\n` +
    `  --reply-${word}-dst\t\treply destination ${word}\n` +
    `  --mask-${word}-src\t\tmask source ${word}\n` +
    `  --mask-${word}-dst\t\tmask destination ${word}\n` +
    `  --tuple-${word}-src\t\texpectation tuple src ${word}\n` +
    `  --tuple-${word}-src\t\texpectation tuple dst ${word}\n`
  );
}

const PORT_HELP = tupleOptionsHelp("port");

/** The option lines each protocol extension prints after "Proto `NAME' help:". */
const PROTO_HELP: Readonly<Record<ProtoHandlerName, string>> = {
  tcp:
    PORT_HELP +
    "  --state\t\t\tTCP state, fe. ESTABLISHED\n",
  udp:
    PORT_HELP,
  udplite:
    PORT_HELP,
  sctp:
    PORT_HELP +
    "  --state\t\t\tSCTP state, fe. ESTABLISHED\n" +
    "  --orig-vtag\t\toriginal verification tag\n" +
    "  --reply-vtag\t\treply verification tag\n",
  dccp:
    PORT_HELP +
    "  --state\t\t\tDCCP state, fe. RESPOND\n",
  icmp:
    "  --icmp-type\t\t\ticmp type\n" +
    "  --icmp-code\t\t\ticmp code\n" +
    "  --icmp-id\t\t\ticmp id\n",
  icmpv6:
    "  --icmpv6-type\t\t\ticmpv6 type\n" +
    "  --icmpv6-code\t\t\ticmpv6 code\n" +
    "  --icmpv6-id\t\t\ticmpv6 id\n",
  gre:
    tupleOptionsHelp("key"),
  unknown:
    "  no options (unsupported)\n",
};

/** `-h -p PROTO`: appended to the usage text. `displayName` is the handler name, or for "unknown" the
 * /etc/protocols name of the number (or "unknown"). */
export function protoHelpText(handler: ProtoHandlerName, displayName: string): string {
  return `Proto \`${displayName}' help:\n` + PROTO_HELP[handler];
}

/** tsconntrack's own options, for callers that append them to the usage text (conntrack has none). */
export const EXTENSIONS_HELP =
  "tsconntrack extensions:\n" +
  "  -o json, -o ndjson\t\tJSON output (one array, or one object per line)\n" +
  "  --netns name\t\t\tRun inside network namespace /run/netns/name\n" +
  "  --all-netns\t\t\tRun in every named network namespace (-L, -E, -C, -S)\n" +
  "  --record file\t\t\tCapture the netlink traffic to a pcap file\n" +
  "  --replay file\t\t\tAnswer from a recorded pcap file instead of the kernel\n" +
  "  --resync\t\t\tOn event loss (-E), re-dump the table\n";
