// Every `sh` block of every README runs as written. A block runs as one bash script (`set -eo
// pipefail`: every command must succeed) inside a fresh network namespace holding a small table, from
// a scratch folder where `fixtures/` is the repository's, with bin/ on PATH and the namespace's name
// in place of the examples' "lab". An HTML comment just before a block changes that:
//   <!-- readme-test: setup-commands -->  run from the repository with npm and pnpm as no-ops (CI
//                                          runs the real ones); what follows them runs for real
//   <!-- readme-test: events -->          every `tsconntrack -E` is stopped by SIGINT after 10 s (3 s once lost the race with a start-up on a loaded CI machine: exit 130)
//   <!-- readme-test: needs nlmon -->     skipped, with the reason, where the kernel has no nlmon;
//                                          elsewhere run on the host (it makes its own namespace)
//   <!-- readme-test: skip REASON -->     skipped with REASON (only for what cannot run in a test)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, execOk } from "../support/netns.js";

const REPO = join(import.meta.dirname, "../..");
const kernel = canRunKernelTests();

interface Block {
  readme: string;
  line: number;
  directive: string;
  script: string;
}

function readmes(): string[] {
  const listed = spawnSync("git", ["ls-files", "*README.md", "README.md"], { cwd: REPO, encoding: "utf8" }).stdout;
  return [...new Set(listed.split("\n").filter(Boolean))].sort();
}

/** The sh blocks of a README, each with the directive of the comment right before it (blank lines aside). */
function blocksOf(readme: string): Block[] {
  const lines = readFileSync(join(REPO, readme), "utf8").split("\n");
  const blocks: Block[] = [];
  let directive = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = /^<!-- readme-test: (.*) -->$/.exec(line);
    if (comment !== null) directive = comment[1]!;
    else if (/^```(sh|bash|shell)\s*$/.test(line)) {
      const body: string[] = [];
      const start = i + 1;
      for (i++; i < lines.length && !lines[i]!.startsWith("```"); i++) body.push(lines[i]!);
      blocks.push({ readme, line: start, directive, script: body.join("\n") });
      directive = "";
    } else if (line.trim() !== "") directive = "";
  }
  return blocks;
}

/** A table the examples can work on: TCP to 22, 80 and 443, DNS, a mark 3 entry, IPv6, an expectation-free FTP port. */
const SEED = [
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.2 --sport 40000 --dport 80 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 600",
  "-I -p tcp -s 10.0.0.1 -d 10.0.0.3 --sport 40001 --dport 22 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 600 -m 3",
  "-I -p tcp -s 10.0.0.4 -d 10.0.0.2 --sport 40002 --dport 443 --state SYN_SENT -t 600",
  "-I -p udp -s 10.0.0.1 -d 10.0.0.53 --sport 5353 --dport 53 -t 600 -m 3",
  "-I -p tcp -s 2001:db8::1 -d 2001:db8::2 --sport 40003 --dport 80 --state ESTABLISHED -u SEEN_REPLY -t 600",
];

function hasNlmon(): boolean {
  if (!kernel.ok) return false;
  const ns = createNetns("readme-nlmon");
  try {
    return spawnSync("ip", ["netns", "exec", ns, "ip", "link", "add", "nlmon-probe", "type", "nlmon"]).status === 0;
  } finally {
    destroyNetns(ns);
  }
}

function run(block: Block): { status: number | null; stdout: string; stderr: string } {
  const setupCommands = block.directive === "setup-commands";
  let script = block.script;
  if (block.directive === "events") script = script.replace(/\btsconntrack -E\b/g, "timeout --preserve-status -s INT 10 tsconntrack -E");
  const prelude = [
    "set -eo pipefail",
    `export PATH="${join(REPO, "bin")}:$PATH"`,
    ...(setupCommands ? ["npm() { :; }", "pnpm() { :; }"] : []),
  ].join("\n");
  if (setupCommands) {
    return spawnSync("bash", ["-c", `${prelude}\n${script}`], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
  }
  const scratch = mkdtempSync(join(tmpdir(), "readme-sh-"));
  symlinkSync(join(REPO, "fixtures"), join(scratch, "fixtures"));
  if (block.directive === "needs nlmon") {
    // The block makes and deletes its own namespace: give it a name no one uses.
    try {
      const named = script.replace(/\blab\b/g, `readme-nlmon-${process.pid}`);
      return spawnSync("bash", ["-c", `${prelude}\n${named}`], { cwd: scratch, encoding: "utf8", timeout: 120_000 });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const ns = createNetns("readme-sh");
  try {
    for (const line of SEED) execOk(ns, "conntrack", line.split(" "));
    const named = script.replace(/\blab\b/g, ns);
    return spawnSync("ip", ["netns", "exec", ns, "bash", "-c", `${prelude}\n${named}`], { cwd: scratch, encoding: "utf8", timeout: 120_000 });
  } finally {
    destroyNetns(ns);
    rmSync(scratch, { recursive: true, force: true });
  }
}

const all = readmes().flatMap(blocksOf);
const nlmon = all.some((block) => block.directive === "needs nlmon") ? hasNlmon() : true;

describe("sh blocks of every README", () => {
  it(`finds the blocks (${all.length} in ${readmes().length} READMEs)`, () => expect(all.length).toBeGreaterThanOrEqual(6));

  for (const block of all) {
    const name = `${block.readme}:${block.line}`;
    const skip = block.directive.startsWith("skip ")
      ? block.directive.slice(5)
      : block.directive === "needs nlmon" && !nlmon
        ? "this kernel has no nlmon device (CONFIG_NLMON)"
        : block.directive !== "setup-commands" && !kernel.ok
          ? `needs the kernel: ${kernel.reason}`
          : undefined;
    if (skip !== undefined) {
      it.skip(`${name} (${skip})`, () => {});
      continue;
    }
    it(name, () => {
      const result = run(block);
      expect(result.stderr.split("\n").filter((line) => /Error|error:|command not found|No such file/.test(line))).toEqual([]);
      expect(result.status, result.stderr).toBe(0);
    });
  }
});
