/**
 * (Re)makes the golden fixtures in fixtures/: real conntrack 1.4.7 runs against a real kernel, in
 * throwaway namespaces, captured byte for byte by the nlcap shim.
 *
 *   sudo pnpm exec tsx test/fixtures-tools/make-fixtures.ts [--only NAME,NAME] [--out DIR]
 *
 * Needs root, conntrack, nft, python3, cc. Never run by CI. Writes fixtures/README.md provenance.
 */
import { execSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { canRunKernelTests, withNetns } from "../support/netns.js";
import { loadCreateLines, buildVariedTable } from "../support/varied-table.js";
import { buildShim, captureConntrack } from "./capture.js";
import { eventActions, setupEvents } from "./event-actions.js";
import { recordProvenance, type FixtureNote } from "./provenance.js";
import type { Scenario } from "./scenario.js";
import { fx2Scenarios } from "./scenarios-fx2.js";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));
const LABELMAP = join(FIXTURES, "connlabel.conf");

const GET_TCP = ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "12345", "--dport", "80"];

const scenarios: Record<string, Scenario> = {
  empty: {
    setup: async () => {},
    captures: [
      { name: "empty-L", args: ["-L"], note: "empty table" },
      { name: "empty-L-xml", args: ["-L", "-o", "xml"], note: "empty table, xml (no header at all)" },
      { name: "empty-L-expect", args: ["-L", "expect"], note: "empty expectation table" },
      { name: "empty-C", args: ["-C"], note: "global count of an empty table" },
    ],
  },
  varied: {
    setup: async (ns) => {
      await buildVariedTable(ns);
    },
    captures: [
      { name: "varied-L", args: ["-L"], note: "varied table" },
      { name: "varied-L-extended", args: ["-L", "-o", "extended"], note: "varied table, extended" },
      { name: "varied-L-xml", args: ["-L", "-o", "xml"], note: "varied table, xml (deltatime uses the pinned time)" },
      { name: "varied-L-save", args: ["-L", "-o", "save"], note: "varied table, save format" },
      { name: "varied-L-id", args: ["-L", "-o", "id"], note: "varied table, ids" },
      {
        name: "varied-L-ktimestamp",
        args: ["-L", "-o", "extended,ktimestamp"],
        note: "varied table, [start=] in TZ=UTC; delta-time uses the pinned time",
      },
      { name: "varied-L-labels", args: ["-L", "-o", "labels"], labelmap: LABELMAP, note: "labels with fixtures/connlabel.conf" },
      { name: "varied-L-labels-nomap", args: ["-L", "-o", "labels"], note: "labels with no connlabel.conf (perror on stderr)" },
      { name: "varied-L-ipv6", args: ["-L", "-f", "ipv6"], note: "family filter in the dump request" },
      { name: "varied-L-mark", args: ["-L", "-m", "42"], note: "kernel mark filter (CTA_MARK/CTA_MARK_MASK)" },
      { name: "varied-L-status", args: ["-L", "-u", "ASSURED"], note: "kernel status filter (CTA_STATUS/CTA_STATUS_MASK)" },
      { name: "varied-L-zone", args: ["-L", "-w", "7"], note: "zone filter, userspace only" },
      { name: "varied-L-dnat", args: ["-L", "-g", "3.3.3.3"], note: "NAT filter, userspace only" },
      { name: "varied-L-dying", args: ["-L", "dying"], note: "GET_DYING dump" },
      { name: "varied-L-unconfirmed", args: ["-L", "unconfirmed"], note: "GET_UNCONFIRMED dump" },
      { name: "varied-G", args: ["-G", ...GET_TCP], note: "single GET (use=2)" },
      { name: "varied-G-xml", args: ["-G", ...GET_TCP, "-o", "xml"], note: "single GET, xml (no footer)" },
      {
        name: "varied-G-enoent",
        args: ["-G", "-p", "tcp", "-s", "10.9.9.9", "-d", "10.0.0.2", "--sport", "1", "--dport", "2"],
        note: "kernel ENOENT",
      },
      { name: "varied-L-expect", args: ["-L", "expect"], note: "real ftp-helper expectation" },
      { name: "varied-L-expect-xml", args: ["-L", "expect", "-o", "xml"], note: "expectation, xml" },
      { name: "varied-C", args: ["-C"], note: "IPCTNL_MSG_CT_GET_STATS" },
      { name: "varied-C-expect", args: ["-C", "expect"], note: "expectation count (a dump)" },
      { name: "varied-S", args: ["-S"], note: "per-CPU stats (GET_STATS_CPU)" },
      { name: "varied-S-expect", args: ["-S", "expect"], note: "per-CPU expectation stats (replies typed 0x103)" },
      { name: "varied-L-einval", args: ["-L", "-u", "UNSET"], note: "kernel EINVAL (status mask 0); no extack: conntrack never sets NETLINK_EXT_ACK" },
      { name: "varied-L-eperm", args: ["-L"], unprivileged: true, note: "uid 65534: kernel EPERM" },
      { name: "varied-I-eperm", args: ["-I", "-p", "udp", "-s", "10.8.0.1", "-d", "10.8.0.2", "--sport", "1", "--dport", "2", "-t", "30"], unprivileged: true, note: "uid 65534: kernel EPERM on create" },
      { name: "varied-L-zero", args: ["-L", "-z", "-o", "extended"], note: "GET_CTRZERO (reads then zeroes counters)" },
      { name: "varied-D-mark", args: ["-D", "-m", "16"], note: "dump + DELETE on a second socket" },
      { name: "varied-D-none", args: ["-D", "-p", "tcp", "-s", "10.9.9.9"], note: "nothing matches: exit 1" },
      {
        name: "varied-U-nofamily",
        args: ["-U", "-p", "tcp", "-s", "10.0.0.1", "--sport", "12347", "-m", "5"],
        note: "1.4.7 -U without a family (update request carries AF_UNSPEC)",
      },
      {
        name: "varied-U-mark",
        args: ["-U", "-f", "ipv4", "-p", "tcp", "-s", "10.0.0.1", "--sport", "12346", "-m", "9"],
        note: "update: dump, NEW on a second socket, then GET",
      },
      {
        name: "varied-U-zones",
        args: ["-U", "-f", "ipv4", "-p", "tcp", "-s", "10.0.0.5", "-m", "5"],
        note: "update of zoned entries: the update request lacks the zone, the kernel answers ENOENT for some",
      },
      {
        name: "varied-I",
        args: ["-I", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "33", "--dport", "44", "--state", "SYN_SENT", "-t", "100", "-m", "3"],
        note: "create",
      },
      {
        name: "varied-I-eexist",
        args: ["-I", "-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "33", "--dport", "44", "--state", "SYN_SENT", "-t", "100"],
        note: "kernel EEXIST",
      },
      { name: "varied-F-expect", args: ["-F", "expect"], note: "expectation flush" },
      { name: "varied-F", args: ["-F"], note: "flush" },
    ],
  },
  many: {
    setup: async (ns) => {
      const lines: string[] = [];
      for (let i = 0; i < 300; i++) {
        lines.push(`-I -p udp -s 10.${i >> 8}.${i & 255}.1 -d 10.200.0.1 --sport ${1000 + i} --dport 53 -t 300 -m ${i}`);
      }
      loadCreateLines(ns, lines);
    },
    captures: [{ name: "many-L", args: ["-L"], note: "300 entries: a dump spanning several datagrams" }],
  },
  events: {
    freshEach: true,
    setup: setupEvents,
    captures: [
      { name: "events-E", args: ["-E"], during: eventActions, note: "NEW/UPDATE/DESTROY from traffic and from userspace" },
      {
        name: "events-E-extended",
        args: ["-E", "-o", "extended,ktimestamp,id"],
        during: eventActions,
        note: "events with [start=][stop=] (TZ=UTC) and ids",
      },
      { name: "events-E-xml", args: ["-E", "-o", "xml"], during: eventActions, note: "events, xml (footer from the SIGINT handler)" },
      { name: "events-E-save", args: ["-E", "-o", "save"], during: eventActions, note: "events, save format" },
      { name: "events-E-new", args: ["-E", "-e", "NEW"], during: eventActions, note: "only the NEW group" },
      { name: "events-E-udp", args: ["-E", "-p", "udp"], during: eventActions, note: "userspace protocol filter" },
      { name: "events-E-expect", args: ["-E", "expect"], during: eventActions, note: "expectation NEW/DESTROY" },
      { name: "events-E-eperm", args: ["-E"], unprivileged: true, during: () => {}, note: "uid 65534: bind fails" },
    ],
  },
  ...fx2Scenarios,
};

async function main(): Promise<void> {
  const support = canRunKernelTests();
  if (!support.ok) throw new Error(`cannot make fixtures: ${support.reason}`);
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1].split(",")) : undefined;
  const outArg = process.argv.indexOf("--out");
  const outDir = outArg > 0 ? process.argv[outArg + 1] : FIXTURES;
  mkdirSync(outDir, { recursive: true });
  const shim = buildShim();
  const notes: FixtureNote[] = [];
  try {
    for (const [group, scenario] of Object.entries(scenarios)) {
      const wanted = scenario.captures.filter((c) => !only || only.has(c.name) || only.has(group));
      if (wanted.length === 0) continue;
      const runs = scenario.freshEach ? wanted.map((c) => [c]) : [wanted];
      for (const batch of runs) {
        await withNetns("fx2-mk", async (ns) => {
          await scenario.setup(ns);
          for (const spec of batch) {
            const result = await captureConntrack(ns, spec, shim.path, outDir);
            notes.push({
              name: spec.name,
              note: spec.note,
              pinnedTime: result.pinnedTime,
              ...(result.pinnedTimeOfDay ? { pinnedTimeOfDay: result.pinnedTimeOfDay } : {}),
            });
            console.log(`${spec.name}: status ${result.status ?? result.signal}, ${result.stdout.length} bytes out`);
          }
        });
      }
    }
  } finally {
    shim.dispose();
  }
  const kernel = execSync("uname -r", { encoding: "utf8" }).trim();
  recordProvenance(outDir, notes, kernel);
}

await main();
