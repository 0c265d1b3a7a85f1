// Argument lists that change the table. Each runs on twin tables (tables.ts fillTwin): conntrack in
// one namespace, tsconntrack in the other; what they print and the tables afterwards must match.
// Where tsconntrack deliberately deviates (packages/cli/DEVIATIONS.md), `reference` computes the
// correct result with conntrack 1.4.7 through arguments that do work.

import { words } from "./cases-read.js";
import { maskTimers } from "./normalise.js";
import type { ToolRun } from "./run.js";
import type { TwinSide } from "./twin.js";

export interface Expected {
  readonly printed: ToolRun;
  /** The table afterwards, as TwinSide.list prints it. */
  readonly table: string;
}

export interface ReferenceContext {
  /** The conntrack twin, before anything ran in it. */
  readonly side: TwinSide;
  /** "conntrack v1.4.7 (conntrack-tools): " */
  readonly messagePrefix: string;
}

export interface WriteCase {
  /** tsconntrack's arguments; `{ID:filter}` / `{FILE:name}` are resolved in each twin. */
  readonly args: readonly string[];
  /** Make a UDP flow with real counters first (tables.ts fillTwin). */
  readonly traffic?: true;
  /**
   * Only that flow and the labelled entries, so the table fits one dump batch. GET_CTRZERO resets an
   * entry's counters while writing it, and an entry that then overflows the batch is sent again in the
   * next one with its original-direction counters already zero; where the batches break depends on
   * the namespace's hash order, so -L -z on a full table differs between twins by chance.
   */
  readonly smallTable?: true;
  /** Files for `{FILE:name}` (for -R). */
  readonly files?: Readonly<Record<string, string>>;
  /** Deliberate deviation: what is correct, and how conntrack 1.4.7 shows it. */
  readonly deviation?: string;
  readonly reference?: (context: ReferenceContext) => Promise<Expected>;
}

const w = (line: string, extra: Omit<WriteCase, "args"> = {}): WriteCase => ({ args: words(line), ...extra });

const nonEmptyLines = (text: string): string[] => text.split("\n").filter(Boolean);

/** The lines of `all` whose entry is not in `removed` (compared with timers masked). */
function without(all: string, removed: string): string {
  const gone = new Set(nonEmptyLines(removed).map((line) => maskTimers(line).template));
  return nonEmptyLines(all)
    .filter((line) => !gone.has(maskTimers(line).template))
    .map((line) => `${line}\n`)
    .join("");
}

/** `-s A -d B -p P --sport X --dport Y`: the original tuple of a default -L line (ports: TCP/UDP). */
function origTuple(line: string): string[] {
  const field = (name: string): string => {
    const value = new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1];
    if (value === undefined) throw new Error(`no ${name}= in ${line}`);
    return value;
  };
  return ["-s", field("src"), "-d", field("dst"), "-p", line.split(" ")[0]!, "--sport", field("sport"), "--dport", field("dport")];
}

/** Several conntrack -U (or -D) runs as one: their stdout in order, the counts summed in one summary. */
function summed(runs: readonly ToolRun[], verb: "updated" | "deleted", messagePrefix: string): ToolRun {
  const pattern = new RegExp(`(\\d+) flow entries have been ${verb}`);
  const count = runs.reduce((sum, run) => sum + Number(pattern.exec(run.stderr)?.[1] ?? Number.NaN), 0);
  const stderr = `${messagePrefix}${count} flow entries have been ${verb}.\n`;
  return { stdout: runs.map((run) => run.stdout).join(""), stderr, status: count > 0 ? 0 : 1 };
}

/** conntrack's own argument list, with the table it leaves. */
async function runArgs({ side }: ReferenceContext, args: readonly string[]): Promise<Expected> {
  const printed = await side.run("conntrack", args);
  return { printed, table: await side.list() };
}

const TCP_80 = "-s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 12345 --dport 80";
/** A -R file whose -o xml applies to every line in 1.4.7 (DEVIATIONS.md #12). */
const LEAK_LINES = ["-D -p gre -o xml\n", "-U -f ipv4 -s 10.0.0.1 -p udp -m 9\n"];
const NEW_TCP = "-p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100";

export const DELETE_CASES: readonly WriteCase[] = [
  w("-D"),
  w("-D -p icmp"),
  w("-D -s 10.0.0.1 -d 10.0.0.3 -p udp --sport 5353 --dport 53 -o extended,id"),
  w("-D -m 16 -o xml"),
  w("-D -m 16 -o save"),
  w("-D -m 0x1200/0xff00 -o ktimestamp"),
  w("-D -p tcp --state SYN_SENT"),
  w("-D -p gre"),
  w("-D -p gre --srckey 0x1234", {
    deviation: "deletes only the gre entries with that key (1.4.7 ignores GRE keys and deletes every gre entry)",
    // In this table the entry with key 0x1234 is the only gre entry to 10.0.0.2.
    reference: (context) => runArgs(context, words("-D -p gre -d 10.0.0.2")),
  }),
  w("-D -w 7"),
  w("-D --orig-zone 8"),
  w("-D -f ipv6"),
  w("-D -s 2001:db8::/32"),
  w("-D -g 3.3.3.3"),
  w("-D -n"),
  w("-D -l eth0-in"),
  w("-D -s 10.9.0.1 -p tcp --sport 100 -o labels"),
  w("-D -u ASSURED"),
  w("-D -d 10.0.0.2 -p tcp --dport 80 -u SEEN_REPLY"),
  w("-D -p tcp --sport 55555"),
  w(`-D -i {ID:${TCP_80}}`),
  w(`-D --id={ID:${TCP_80}}`),
  w(`-D --id {ID:${TCP_80}}`, {
    deviation: "--id N works like --id=N (1.4.7 segfaults)",
    reference: (context) => runArgs(context, words(`-D --id={ID:${TCP_80}}`)),
  }),
  w("-D -u UNREPLIED", {
    deviation: "deletes only unreplied entries (1.4.7 deletes every entry)",
    reference: async ({ side, messagePrefix }) => {
      const shown = await side.run("conntrack", ["-L", "-u", "UNREPLIED"]);
      const count = nonEmptyLines(shown.stdout).length;
      const all = await side.list();
      const table = without(all, await side.list(["-u", "UNREPLIED"]));
      const stderr = `${messagePrefix}${count} flow entries have been deleted.\n`;
      return { printed: { stdout: shown.stdout, stderr, status: count > 0 ? 0 : 1 }, table };
    },
  }),
];

export const UPDATE_CASES: readonly WriteCase[] = [
  w("-U -f ipv4 -p tcp --sport 12345 -m 5"),
  w("-U -s 10.0.0.1 -p udp -m 9 -o xml"),
  w("-U -s 10.1.2.3 -m 0x10/0xf0"),
  w("-U -s 10.1.2.4 -m 0x1/0x1 -o save"),
  w("-U -s 10.9.0.1 -p tcp --sport 101 --label-add eth0-out"),
  w("-U -s 10.9.0.1 -p tcp --sport 100 --label-del bulk"),
  w("-U -s 10.9.0.1 -p tcp --sport 100 --label-del"),
  w("-U -s 10.9.0.1 -p tcp --sport 103 --label-del last", {
    deviation: "deletes only the label of bit 127 (1.4.7 wipes every label of the entry)",
    // 1.4.7 reaches the same entry through two updates: delete every label, then add back the other one.
    reference: async ({ side }) => {
      await side.run("conntrack", words("-U -s 10.9.0.1 -p tcp --sport 103 --label-del"));
      const printed = await side.run("conntrack", words("-U -s 10.9.0.1 -p tcp --sport 103 --label-add eth0-in"));
      return { printed, table: await side.list() };
    },
  }),
  w("-U -f ipv6 -p tcp --dport 443 -m 3 -o extended"),
  w("-U -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 12346 -u ASSURED"),
  w("-U -s 10.0.0.1 -p tcp --sport 12346 -t 1234"),
  w("-U -s 10.0.0.1 -p tcp --sport 12345 -m 42"),
  w("-U -s 9.9.9.9 -m 1"),
  w(`-U -f ipv4 -i {ID:${TCP_80}} -m 9 -o extended`),
  // Several entries at once, and entries in a zone.
  w("-U -s 10.0.0.1 -p tcp --dport 80 -m 42", {
    deviation: "prints every updated entry (1.4.7 prints only some of them; fixed in 1.4.8)",
    // 1.4.7 prints the one entry a -U on a complete tuple updates, so: one such -U per matching entry.
    reference: async ({ side, messagePrefix }) => {
      const listed = await side.run("conntrack", words("-L -s 10.0.0.1 -p tcp --dport 80"));
      const runs: ToolRun[] = [];
      for (const line of nonEmptyLines(listed.stdout)) runs.push(await side.run("conntrack", ["-U", ...origTuple(line), "-m", "42"]));
      return { printed: summed(runs, "updated", messagePrefix), table: await side.list() };
    },
  }),
  w("-U -s 10.0.0.5 -t 1234", {
    deviation:
      "updates entries in a zone (1.4.7 sends the update without the zone: `Operation failed: No such file or directory`, entry unchanged)",
    // No 1.4.7 command can update a zoned entry (-U takes no zone option), so the result is built from
    // its listing: every entry with the new timeout, printed as the kernel answers the follow-up GET (use=2).
    reference: async ({ side, messagePrefix }) => {
      const withTimeout = (line: string): string => line.replace(/^(\S+ +\d+ )\d+/, "$11234");
      const isTarget = (line: string): boolean => / src=10\.0\.0\.5 /.test(line);
      const targets = nonEmptyLines((await side.run("conntrack", words("-L -s 10.0.0.5"))).stdout);
      const stdout = targets.map((line) => `${withTimeout(line).replace(/ use=1$/, " use=2")}\n`).join("");
      const stderr = `${messagePrefix}${targets.length} flow entries have been updated.\n`;
      const table = nonEmptyLines(await side.list())
        .map((line) => `${isTarget(line) ? withTimeout(line) : line}\n`)
        .join("");
      return { printed: { stdout, stderr, status: 0 }, table };
    },
  }),
  w("-U -p udp --sport 5353 -m 5", {
    deviation: "updates entries of every family (1.4.7 fails with AF_UNSPEC)",
    reference: async ({ side, messagePrefix }) => {
      const runs = [
        await side.run("conntrack", words("-U -f ipv4 -p udp --sport 5353 -m 5")),
        await side.run("conntrack", words("-U -f ipv6 -p udp --sport 5353 -m 5")),
      ];
      return { printed: summed(runs, "updated", messagePrefix), table: await side.list() };
    },
  }),
];

export const CREATE_CASES: readonly WriteCase[] = [
  w(`-I ${NEW_TCP} -u SEEN_REPLY,ASSURED -m 7 -w 3 --label-add bulk`),
  w(`-I ${TCP_80} --state ESTABLISHED -t 50`),
  w("-I -r 10.5.0.2 -q 10.5.0.1 -p udp --reply-port-src 53 --reply-port-dst 5353 -t 30"),
  w("-I -p icmp -s 10.5.0.1 -d 10.5.0.2 --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30"),
  w("-I -p sctp -s 10.5.0.1 -d 10.5.0.2 --sport 5 --dport 6 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 49"),
  w("-I -p gre -s 10.5.0.1 -d 10.5.0.2 --srckey 0x1234 --dstkey 0x5678 -t 49"),
  w("-I -p dccp -s 10.5.0.1 -d 10.5.0.2 --sport 7 --dport 8 --state OPEN --role client -t 49"),
  w("-I -p 99 -s 10.5.0.1 -d 10.5.0.2 -t 49"),
  w(`-I ${NEW_TCP} --orig-zone 4`),
  w(`-I ${NEW_TCP} --reply-zone 5`),
  w(`-I ${NEW_TCP} --dst-nat 10.5.0.9:8080`),
  w("-I -p udp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 -t 30 --src-nat 10.5.0.8"),
  w("-I -p tcp -s 2001:db8:5::1 -d 2001:db8:5::2 --sport 1 --dport 2 --state SYN_SENT -t 100"),
  w("-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state LISTEN -t 100"),
  w("-A -s 2001:db8:5::1 -d 2001:db8:5::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 -t 30"),
  w(`-A ${TCP_80} --state ESTABLISHED -t 50`),
];

export const FLUSH_AND_FILE_CASES: readonly WriteCase[] = [
  w("-F"),
  w("-F expect"),
  w("-F -f ipv6", {
    deviation: "flushes only IPv6 entries (1.4.7 flushes every family)",
    reference: async ({ side }) => {
      const table = await side.list(["-f", "ipv4"]);
      // conntrack's message and status are right; only its effect (everything gone) is not.
      return { printed: await side.run("conntrack", ["-F", "-f", "ipv6"]), table };
    },
  }),
  w("-L -z", { traffic: true, smallTable: true }),
  w("-L -z -o xml", { traffic: true, smallTable: true }),
  w("-D -p udp --dport 40011 -o extended", { traffic: true }),
  w("-U -f ipv4 -p udp --dport 40011 -m 0/0xf0", { traffic: true }),
  w("-R {FILE:create.txt}", {
    files: {
      "create.txt": [
        "# comment",
        "",
        `  -I ${NEW_TCP}`,
        '\t-I -p udp -s "10.5.0.3" -d 10.5.0.4 --sport 1 --dport 2 -t 30',
        "-A -p udp -s 10.5.0.3 -d 10.5.0.4 --sport 1 --dport 2 -t 30",
        "",
      ].join("\n"),
    },
  }),
  w("-R {FILE:delete.txt}", { files: { "delete.txt": "-D -p icmp\n-D -p gre\n" } }),
  w("-R {FILE:update.txt}", { files: { "update.txt": "-U -f ipv4 -s 10.0.0.1 -p udp -m 9\n" } }),
  w("-R {FILE:stops.txt}", {
    files: { "stops.txt": `-I ${NEW_TCP}\n-I ${TCP_80} --state ESTABLISHED -t 50\n-D -p icmp\n` },
  }),
  w("-R {FILE:refused.txt}", { files: { "refused.txt": "-D -p gre\n-L\n-D -p icmp\n" } }),
  w("-R {FILE:incomplete.txt}", {
    files: { "incomplete.txt": `-D -p gre\n-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED\n` },
  }),
  w("-R {FILE:leak.txt}", {
    files: {
      "leak.txt": LEAK_LINES.join(""),
      ...Object.fromEntries(LEAK_LINES.map((line, i) => [`leak-${i}.txt`, line])),
    },
    deviation: "each line is parsed on its own (1.4.7 applies one line's -o xml to every line: the -U line prints XML)",
    reference: async ({ side }) => {
      const runs: ToolRun[] = [];
      for (let i = 0; i < LEAK_LINES.length; i++) runs.push(await side.run("conntrack", ["-R", `{FILE:leak-${i}.txt}`]));
      const printed = { stdout: runs.map((run) => run.stdout).join(""), stderr: runs.map((run) => run.stderr).join(""), status: 0 };
      return { printed, table: await side.list() };
    },
  }),
];

export const WRITE_CASES: readonly WriteCase[] = [...DELETE_CASES, ...UPDATE_CASES, ...CREATE_CASES, ...FLUSH_AND_FILE_CASES];

export function writeTitle(testCase: WriteCase): string {
  const shown = testCase.args.join(" ");
  return testCase.deviation ? `${shown} (deliberate deviation: ${testCase.deviation})` : shown;
}
