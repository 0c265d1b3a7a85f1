// Argument lists run by both tools, back to back, on the same read table (tables.ts). None of them
// changes the table. Entries they aim at: see tables.ts and test/support/varied-table.ts. Each run costs
// a Node start, so spellings the parser's tests already compare with conntrack (aliases, letter case,
// protocol names for numbers) are left to them; coverage.test.ts checks that no option goes unrun.

import type { DiffCase } from "./case.js";
import type { ToolRun } from "./run.js";

/** Splits a command line at spaces, keeping `{ID:...}` placeholders (which contain spaces) whole. */
export const words = (line: string): string[] => line.match(/(?:[^\s{]|\{[^}]*\})+/g) ?? [];

/** A case from a command line (no argument here contains a space). */
const c = (line: string, extra: Omit<DiffCase, "args"> = {}): DiffCase => ({ args: words(line), ...extra });

/** conntrack's listing narrowed to the entry lines `keep` accepts, with the summary's count to match. */
function narrowed(keep: (line: string) => boolean): (run: ToolRun) => ToolRun {
  return (run) => {
    const lines = run.stdout.split("\n").filter((line) => line !== "" && keep(line));
    const stderr = run.stderr.replace(/\d+(?= flow entries have been shown\.)/, String(lines.length));
    return { status: run.status, stdout: lines.map((line) => `${line}\n`).join(""), stderr };
  };
}

/** A GRE key of a default -L line: `which` 0 is the original tuple's, 1 the reply tuple's. */
function greKey(line: string, name: "srckey" | "dstkey", which: 0 | 1): number | undefined {
  const values = [...line.matchAll(new RegExp(`\\b${name}=(0x[0-9a-f]+)`, "g"))].map((match) => Number(match[1]));
  return values[which];
}

/** `-L -p gre --KEY N`: the gre entries whose key is N (1.4.7 lists every gre entry). */
function greKeyCase(option: string, value: string, name: "srckey" | "dstkey", which: 0 | 1): DiffCase {
  return {
    args: ["-L", "-p", "gre", option, value],
    conntrackArgs: ["-L", "-p", "gre"],
    deviation: "filters on GRE keys (1.4.7 ignores them and lists every gre entry)",
    expected: narrowed((line) => greKey(line, name, which) === Number(value)),
  };
}

const TCP_80 = "-s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 12345 --dport 80";
const LABELLED = "-s 10.9.0.1 -d 10.9.0.2 -p tcp --sport 100 --dport 200";

export const OUTPUT_CASES: readonly DiffCase[] = [
  c("-L"),
  c("-L", { stdoutFile: true }),
  c("-L -o xml", { stdoutFile: true }),
  // Where the summary lands in buffered output: 1.4.7 flushes after </conntrack>, not after plain lines.
  c("-L", { merged: true }),
  c("-L -o xml", { merged: true }),
  c("-L -o xml,extended", { merged: true }),
  c("-L expect -o xml", { merged: true }),
  c("-L -o extended"),
  c("-L -o id"),
  c("-L -o ktimestamp", { tz: "UTC" }),
  c("-L -o ktimestamp,extended", { tz: "America/New_York" }),
  // POSIX TZ strings and other forms glibc reads (packages/cli/src/time/local-zone.ts).
  c("-L -o ktimestamp", { tz: "EST5EDT,M3.2.0,M11.1.0" }),
  c("-L -o ktimestamp", { tz: "<+0330>-3:30" }),
  c("-L -o ktimestamp", { tz: ":Europe/Paris" }),
  c("-L -o ktimestamp", { tz: "XYZ-1ABC" }),
  c("-L -o ktimestamp", { tz: "NoSuchZone" }),
  c("-L -o labels"),
  c("-L -o labels", { noLabelMap: true }),
  c("-L -o xml"),
  c("-L -o xml,labels"),
  c("-L -o xml,ktimestamp"),
  c("-L -o xml,extended,id,timestamp"),
  c("-L -o save"),
  c("-L -o sa -f ipv6"),
  c("-L -o save,id"),
  c("-L -o userspace"),
  c("-L -o extended,id,ktimestamp,labels"),
  c("-L -o s"),
  c("-L -o d,xml"),
  c("-L -o xml -p tcp --dport 1"),
  c("-L -o save -p gre"),
  c("-L -o save -p 2"),
  c("-L -o xml -p sctp"),
  c("-L -o xml -p dccp"),
  c("-L -o xml -p icmp"),
  c("-L -o foo"),
];

export const PROTOCOL_CASES: readonly DiffCase[] = [
  ...["tcp", "udp", "udplite", "icmp", "icmpv6", "sctp", "dccp", "gre", "200", "2"].map((p) =>
    c(`-L -p ${p}`),
  ),
  c("-L -p tcp --dport 80"),
  c("-L -p tcp --sport 12345"),
  c("-L -p tcp --reply-port-src 80"),
  c("-L -p tcp --reply-port-dst 12345"),
  c("-L -p tcp --state ESTABLISHED"),
  c("-L -p tcp --state TIME_WAIT"),
  c("-L -p tcp --state LISTEN"),
  c("-L -p tcp --state SYN_SENT2 -o extended"),
  c("-L -p udp --dport 53"),
  c("-L -p udplite --sport 5"),
  c("-L -p icmp --icmp-type 8"),
  c("-L -p icmp --icmp-type 13 --icmp-code 0"),
  c("-L -p icmp --icmp-id 4242"),
  c("-L -p icmpv6 --icmpv6-type 128"),
  c("-L -p icmpv6 --icmpv6-id 77 -o xml"),
  c("-L -p sctp --state ESTABLISHED"),
  c("-L -p sctp --dport 10"),
  c("-L -p dccp --state OPEN"),
  c("-L -p dccp --sport 0"),
  greKeyCase("--srckey", "0x1234", "srckey", 0),
  greKeyCase("--dstkey", "65535", "dstkey", 0),
  greKeyCase("--reply-key-src", "0x5678", "srckey", 1),
];

export const ADDRESS_CASES: readonly DiffCase[] = [
  c("-L -s 10.0.0.1"),
  c("-L -d 10.0.0.2"),
  c("-L -s 10.0.0.0/24"),
  c("-L -s 10.0.0.0/8 -d 10.0.0.2"),
  c("-L -d 224.0.0.0/4"),
  c("-L -s 10.0.0.0 --mask-src 255.255.255.0"),
  c("-L -d 10.1.3.0 --mask-dst 255.255.254.0"),
  c("-L -s 2001:db8::1"),
  c("-L -d 2001:db8::/32"),
  c("-L -d 2001:db8:: --mask-dst ffff:ffff::"),
  c("-L -s 10.258"),
  c("-L -r 10.0.0.2"),
  c("-L -q 10.0.0.1"),
  c("-L -r 3.3.3.3"),
  c("-L --reply-src 2001:db8::3"),
  c("-L -r 10.0.0.0/8"),
  c("-L -f ipv4"),
  c("-L -f ipv6"),
  c("-L -f ipv4 -s 2001:db8::1"),
];

export const META_CASES: readonly DiffCase[] = [
  c("-L -m 42"),
  c("-L -m 0"),
  c("-L -m 0x1200/0xff00"),
  c("-L -m 4294967295"),
  c("-L -u ASSURED"),
  c("-L -u UNREPLIED"),
  c("-L -u UNSET"),
  c("-L -u !ASSURED"),
  c("-L -u FIXED_TIMEOUT"),
  c("-L -u SEEN_REPLY -m 42"),
  c("-L -w 7"),
  c("-L -w 0 -p tcp"),
  c("-L --orig-zone 8"),
  c("-L --orig-zone 4 -o xml"),
  c("-L --reply-zone 9"),
  c("-L -( 8"),
  c("-L -n"),
  c("-L -g"),
  c("-L -j"),
  c("-L -n -g"),
  c("-L -n 4.4.4.4"),
  c("-L -g 3.3.3.3"),
  c("-L -g 3.3.3.3:8080"),
  c("-L -g 3.3.3.3:9"),
  c("-L -g 6.6.6.6:4000 -o save"),
  c("-L -g 2001:db8::9"),
  c("-L -g [2001:db8::9]:98"),
  c("-L -g [2001:db8::3]:80"),
  c("-L -j 3.3.3.3"),
  c("-L -l eth0-in"),
  c("-L -l eth0-in,bulk"),
  c("-L -l ppp-in -l bulk"),
  c("-L -l eth0-out -o xml"),
  c("-L -l foo"),
  c("-L -l eth0-in", { noLabelMap: true }),
  c("-L -c 7"),
  c("-L -p tcp -s 10.0.0.1 --dport 80 --state ESTABLISHED -m 42 -o extended,id"),
  c("-L -f ipv4 -p udp -u UNREPLIED -m 0x1234 -o save"),
  {
    args: words("-L -f ipv4 -p udp -m 0x1234 -u UNREPLIED -o save"),
    conntrackArgs: words("-L -f ipv4 -p udp -u UNREPLIED -m 0x1234 -o save"),
    deviation: "-u after -m keeps the mark filter (1.4.7 overwrites it; fixed in 1.4.8)",
  },
];

/** `-L FILTERS | wc -l` as -C prints it: the listing's line count, nothing on stderr, exit 0. */
function lineCount(keep: (line: string) => boolean = () => true): (run: ToolRun) => ToolRun {
  return (run) => {
    const lines = run.stdout.split("\n").filter((line) => line !== "" && keep(line)).length;
    return run.status === 0 ? { status: 0, stdout: `${lines}\n`, stderr: "" } : run;
  };
}

/**
 * Filtered -C (our extension: 1.4.7 refuses every option with -C) counts what `conntrack -L` with the
 * same filters lists. Kernel-exact filters (mark, tcp/udp ports, whole IPv4 addresses), ones the
 * predicate finishes (CIDR, IPv6, state, zones, status, labels, NAT) and the family split.
 */
const FILTERED_COUNT_CASES: readonly DiffCase[] = [
  "-f ipv4", "-f ipv6", "-p tcp", "-p tcp --dport 80", "-p udp --sport 5353", "-m 42", "-m 16/0xf0", "-s 10.0.0.0/8",
  "-s 10.0.0.1 -d 10.0.0.2", "-d 2001:db8::2", "-p tcp --state ESTABLISHED", "-u ASSURED", "-u UNREPLIED", "-w 7",
  "--orig-zone 8", "--reply-zone 9", "-p icmp --icmp-type 8", "-p icmpv6", "-l eth0-in", "--dst-nat", "-j 4.4.4.4",
  "-f ipv6 -p tcp --dport 443", "-p 200", "-s 10.0.0.1 --mask-src 255.255.0.0",
].map((filters): DiffCase => ({
  args: words(`-C ${filters}`),
  conntrackArgs: words(`-L ${filters}`),
  deviation: `filtered -C (extension), counted like conntrack -L ${filters} | wc -l`,
  expected: lineCount(),
})).concat({
  // 1.4.7's -L ignores GRE keys (deviation 18): its gre lines narrowed to the key.
  args: words("-C -p gre --srckey 0x1234"),
  conntrackArgs: words("-L -p gre"),
  deviation: "filtered -C (extension), counted like conntrack -L -p gre | grep srckey=0x1234 | wc -l",
  expected: lineCount((line) => greKey(line, "srckey", 0) === 0x1234),
});

export const TABLE_CASES: readonly DiffCase[] = [
  c("-L dying"),
  c("-L unconfirmed"),
  c("-L expect"),
  c("-L expect -o xml"),
  c("-L expect -o extended"),
  c("-L expect -f ipv4"),
  c("-L expect -f ipv6"),
  c("-L expect -s 1.1.1.1"),
  c("-C"),
  c("-C expect"),
  ...FILTERED_COUNT_CASES,
  c("-S"),
  c("-S expect"),
  c("-S -o xml"),
];

export const GET_CASES: readonly DiffCase[] = [
  c(`-G ${TCP_80}`),
  c(`-G ${TCP_80} -o xml`),
  c(`-G ${TCP_80} -o save`),
  c(`-G ${TCP_80} -o extended,id,ktimestamp`),
  c(`-G ${TCP_80} -i {ID:${TCP_80}}`),
  {
    args: words(`-G ${TCP_80} --id {ID:${TCP_80}}`),
    conntrackArgs: words(`-G ${TCP_80} --id={ID:${TCP_80}}`),
    deviation: "--id N works like --id=N (1.4.7 segfaults)",
  },
  c(`-G ${TCP_80} -i 1`),
  c(`-G ${LABELLED} -o labels,id`),
  c("-G -s 10.0.0.1 -d 10.0.0.4 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 1226"),
  c("-G -s 2001:db8::1 -d 2001:db8::3 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 77"),
  c("-G -s 10.0.0.5 -d 10.0.0.6 -p tcp --sport 1 --dport 2 -w 7"),
  c("-G -s 10.0.0.5 -d 10.0.0.6 -p tcp --sport 1 --dport 2"),
  c("-G -s 2001:db8::1 -d 2001:db8::2 -p tcp --sport 1000 --dport 443 -o xml"),
  {
    args: words("-G -r 3.3.3.3 -q 1.1.1.1 -p tcp --reply-port-src 8080 --reply-port-dst 10"),
    conntrackArgs: words("-G -s 1.1.1.1 -d 2.2.2.2 -p tcp --sport 10 --dport 20"),
    deviation: "looks the entry up by its reply tuple (1.4.7 sends an empty original tuple: invalid parameters)",
  },
  c("-G -s 10.0.0.1 -d 10.0.0.4 -p icmp --icmp-type 8 --icmp-code 0"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p gre --srckey 0x1234 --dstkey 0x5678 -o save"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p sctp --sport 5 --dport 6 -o xml"),
  c("-G -s 10.0.0.1 -d 10.0.0.3 -p udplite --sport 5 --dport 6"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p 200"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p dccp --sport 7 --dport 8"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 1 --dport 2"),
  c("-G -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 12345 --dport 80 --orig-zone 1"),
];

/**
 * Help, version and parameter errors. The parser's tests (packages/cli/test/args) already compare every
 * rejected argument list with conntrack 1.4.7; these few run the whole program for its wiring (stdout
 * for help, stderr and exit status for errors) and the checks made after parsing (-G, -C, dying).
 */
export const USAGE_CASES: readonly DiffCase[] = [
  c("-h"),
  c("-h -p icmpv6"),
  c("-V"),
  { args: [] },
  c("-L -I"),
  c("-L -t 5"),
  c("-L -s 1.1.1.1/33"),
  c("-L dying -s 1.1.1.1/8"),
  c("-G"),
  c("-G -p tcp"),
  c("-C -o xml"),
  c("-L -o save -o xml"),
];

export const READ_CASES: readonly DiffCase[] = [
  ...OUTPUT_CASES,
  ...PROTOCOL_CASES,
  ...ADDRESS_CASES,
  ...META_CASES,
  ...TABLE_CASES,
  ...GET_CASES,
  ...USAGE_CASES,
];
