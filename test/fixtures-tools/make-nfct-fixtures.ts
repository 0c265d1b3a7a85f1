/**
 * (Re)makes the nfct golden fixtures in fixtures/nfct/: real nfct 1.4.7 runs against the real
 * kernel, in throwaway namespaces, captured byte for byte by the nlcap shim. Replayed without root
 * by test/nfct/fixtures.test.ts (`tsnfct $(cat NAME.cmd) --replay NAME.pcap`).
 *
 *   sudo pnpm exec tsx test/fixtures-tools/make-nfct-fixtures.ts [--only NAME,GROUP]
 *
 * Needs root, nfct, cc. Never run by CI. Writes fixtures/nfct/README.md provenance.
 */
import { execSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { canRunKernelTests, exec, withNetns } from "../support/netns.js";
import { buildShim, captureConntrack, type CaptureSpec } from "./capture.js";
import { recordProvenance, type FixtureNote } from "./provenance.js";
import type { Scenario } from "./scenario.js";

const OUT = fileURLToPath(new URL("../../fixtures/nfct/", import.meta.url));

/** nfct runs in the namespace that are not captured (building the policies a capture reads). */
function nfct(ns: string, args: string): void {
  const run = exec(ns, "nfct", args.split(" "));
  if (run.status !== 0) throw new Error(`nfct ${args} in ${ns}: ${run.stderr.trim()}`);
}

type Capture = CaptureSpec & { note: string };
const capture = (name: string, args: string, note: string, extra: Partial<Capture> = {}): Capture => ({
  name, program: "nfct", args: args.split(" "), note, ...extra,
});

const PROTOCOLS = ["tcp", "udp", "udplite", "icmp", "sctp", "gre", "generic", "dccp"] as const;

const scenarios: Record<string, Scenario> = {
  "nfct-empty": {
    setup: async () => {},
    captures: [
      capture("empty-list", "list timeout", "no policies: an empty dump"),
      capture("empty-list-old-order", "timeout list", "the old argument order"),
      capture("empty-get", "get timeout nope", "kernel ENOENT"),
      capture("empty-delete", "delete timeout nope", "kernel ENOENT"),
      capture("empty-flush", "flush timeout", "flush with nothing to flush"),
      capture("add-no-policy", "add timeout t inet tcp", "no CTA_TIMEOUT_DATA: kernel EINVAL"),
      capture("list-eperm", "list timeout", "uid 65534: kernel EPERM", { unprivileged: true }),
    ],
  },
  "nfct-policies": {
    setup: async (ns) => {
      nfct(ns, "add timeout t1 inet udp unreplied 7 replied 9");
      nfct(ns, "add timeout web inet tcp established 100 syn_sent 5 close 2");
      nfct(ns, "add timeout sctp6 inet6 sctp closed 1 cookie_wait 2 shutdown_ack_sent 7");
    },
    captures: [
      capture("policies-list", "list timeout", "three policies (UDP, TCP, SCTP with the kernel's two extra states)"),
      capture("policies-list-abbrev", "l t", "abbreviations"),
      capture("policies-get", "get timeout web", "one policy: reply then ACK"),
      capture("policies-get-sctp", "get timeout sctp6", "SCTP: nfct prints 7 of the 9 states the kernel sends"),
      capture("policies-add", "add timeout gre1 inet gre unreplied 1 replied 2", "create a GRE policy"),
      capture("policies-add-icmpv6", "add timeout ping6 inet6 icmpv6 timeout 11", "icmpv6 (not in /etc/protocols)"),
      capture("policies-add-generic", "add timeout other inet generic timeout 600", "the generic tracker (l4proto 255)"),
      capture("policies-add-ebusy", "add timeout t1 inet udp unreplied 8", "an existing name: kernel EBUSY"),
      capture("policies-add-dccp", "add timeout d inet dccp request 1", "no DCCP in this kernel: EOPNOTSUPP"),
      capture("policies-add-case", "add timeout mixed inet tcp ESTABLISHED 10 Close 2 established 7", "state names in any case, the last value wins"),
      capture("policies-add-atoi", "add timeout junk inet udp unreplied 12x replied -1", "values as atoi() reads them"),
      capture("policies-list-after", "list timeout", "after the adds"),
      capture("policies-delete", "delete timeout web", "delete one"),
      capture("policies-flush", "flush timeout", "flush the unused policies"),
      capture("policies-list-flushed", "list timeout", "after the flush"),
    ],
  },
  "nfct-defaults": {
    setup: async () => {},
    captures: [
      ...PROTOCOLS.map((p) => capture(`default-get-${p}`, `default-get timeout inet ${p}`, `${p} defaults${p === "dccp" ? " (EOPNOTSUPP: no DCCP)" : ""}`)),
      capture("default-get-icmpv6", "default-get timeout inet6 icmpv6", "icmpv6 defaults"),
      capture("default-set-udp", "default-set timeout inet udp unreplied 11", "change one UDP default"),
      capture("default-get-udp-after", "default-get timeout inet udp", "the changed default"),
      capture("default-set-tcp", "default-set timeout inet tcp established 3600 time_wait 60", "two TCP defaults"),
    ],
  },
  "nfct-helper": {
    setup: async () => {},
    captures: [
      capture("helper-list", "list helper", "no CONFIG_NF_CT_NETLINK_HELPER: kernel EINVAL"),
      capture("helper-add-ftp", "add helper ftp inet tcp", "ftp: priv_data_len 24, one expectation class"),
      capture("helper-add-tftp6", "add helper tftp inet6 udp", "tftp over IPv6"),
      capture("helper-get", "get helper ftp inet tcp", "get by name and tuple"),
      capture("helper-get-family", "get helper ftp inet", "a family alone: tuple with protocol 0"),
      capture("helper-delete", "delete helper ftp", "delete by name"),
      capture("helper-flush", "flush helper", "delete everything"),
      capture("helper-disable", "disable helper rpc inet udp", "status disabled"),
    ],
  },
};

async function main(): Promise<void> {
  const support = canRunKernelTests();
  if (!support.ok) throw new Error(`cannot make fixtures: ${support.reason}`);
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg > 0 ? new Set(process.argv[onlyArg + 1]!.split(",")) : undefined;
  mkdirSync(OUT, { recursive: true });
  const shim = buildShim();
  const notes: FixtureNote[] = [];
  try {
    for (const [group, scenario] of Object.entries(scenarios)) {
      const wanted = scenario.captures.filter((c) => !only || only.has(c.name) || only.has(group));
      if (wanted.length === 0) continue;
      await withNetns("fx-nfct", async (ns) => {
        await scenario.setup(ns);
        for (const spec of wanted) {
          const result = await captureConntrack(ns, spec, shim.path, OUT);
          notes.push({ name: spec.name, note: spec.note, pinnedTime: result.pinnedTime });
          console.log(`${spec.name}: status ${result.status ?? result.signal}, ${result.stdout.length} bytes out`);
        }
      });
    }
  } finally {
    shim.dispose();
  }
  recordProvenance(OUT, notes, execSync("uname -r").toString().trim(), { nfct: "1.4.7 (Debian 1:1.4.7-1+b2)" });
}

await main();
