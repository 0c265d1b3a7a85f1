// Every way a script starts tsconntrack must load ffi-rs's native binding: stdin, stdout and stderr
// each a pipe, a file, /dev/null or closed, from the repository or another working directory. With
// commands on stdin it runs `-R -` and the entry must appear; otherwise `-L` must list the table.
// (A pipe on stdin once broke the binding's resolution: a plain fstat of the pipe left S_IFIFO in
// the stat buffer Node's realpath walk trusts.)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { canRunKernelTests, exec, withNetns } from "../support/netns.js";
import { BIN, REPO } from "./run-cli.js";

const kernel = canRunKernelTests();
if (!kernel.ok) console.warn(`skipping the stdio matrix: ${kernel.reason}`);

const STREAM_MODES = ["pipe", "file", "devnull", "closed"] as const;
type Mode = (typeof STREAM_MODES)[number];
const scratch = mkdtempSync(join(tmpdir(), "stdio-matrix-"));

interface Case {
  stdin: Mode;
  stdout: Mode;
  stderr: Mode;
  cwd: string;
}

const cases: Case[] = [];
for (const stdin of STREAM_MODES) for (const stdout of STREAM_MODES) for (const stderr of STREAM_MODES) for (const cwd of [REPO, "/"]) cases.push({ stdin, stdout, stderr, cwd });

/** A bash command line for one case; `n` makes the -R entry and the capture files unique. */
function commandLine(c: Case, n: number): { line: string; creates: boolean; outFile: string; errFile: string } {
  const outFile = join(scratch, `out-${n}`);
  const errFile = join(scratch, `err-${n}`);
  const inFile = join(scratch, `in-${n}`);
  const creates = c.stdin === "pipe" || c.stdin === "file";
  const entry = `-I -s 10.7.0.1 -d 10.7.0.2 -p tcp --sport ${1000 + n} --dport 80 --state ESTABLISHED -t 100`;
  if (c.stdin === "file") writeFileSync(inFile, `${entry}\n`);
  const args = creates ? "-R -" : "-L";
  const input = { pipe: `printf '%s\\n' '${entry}' | `, file: "", devnull: "", closed: "" }[c.stdin];
  const inRedirect = { pipe: "", file: `< ${inFile}`, devnull: "< /dev/null", closed: "<&-" }[c.stdin];
  const outRedirect = { pipe: `> >(cat > ${outFile})`, file: `> ${outFile}`, devnull: "> /dev/null", closed: ">&-" }[c.stdout];
  const errRedirect = { pipe: `2> >(cat > ${errFile})`, file: `2> ${errFile}`, devnull: "2> /dev/null", closed: "2>&-" }[c.stderr];
  // `wait` lets the process substitutions finish writing before the files are read.
  return { line: `cd ${c.cwd} && ${input}${BIN} ${args} ${inRedirect} ${outRedirect} ${errRedirect}; status=$?; wait; exit $status`, creates, outFile, errFile };
}

const read = (path: string): string => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

describe.skipIf(!kernel.ok)("bin/tsconntrack with every kind of stdin, stdout and stderr", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it(`loads the native binding in all ${cases.length} combinations`, async () => {
    await withNetns("stdio", (ns) => {
      const failures: string[] = [];
      cases.forEach((c, n) => {
        const { line, creates, errFile } = commandLine(c, n);
        const run = exec(ns, "bash", ["-c", line]);
        const stderr = read(errFile);
        const name = `stdin ${c.stdin}, stdout ${c.stdout}, stderr ${c.stderr}, cwd ${c.cwd}`;
        if (run.status !== 0) failures.push(`${name}: exit ${run.status}: ${stderr}${run.stderr}`);
        else if (/Cannot find module|Error:/.test(stderr)) failures.push(`${name}: ${stderr}`);
        else if (creates && exec(ns, "conntrack", ["-L", "-p", "tcp", "--sport", String(1000 + n)]).stdout === "") failures.push(`${name}: -R - created nothing`);
      });
      expect(failures).toEqual([]);
    });
  });
});
