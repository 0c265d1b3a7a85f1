/**
 * Runs the real `conntrack` under the nlcap LD_PRELOAD shim inside a test namespace and writes a
 * golden fixture: NAME.pcap (exact netlink bytes), NAME.cmd, NAME.out, NAME.err, NAME.status,
 * NAME.time (the pinned time() value), NAME.io (the shim's per-syscall log) and, for captures that
 * pin gettimeofday() too, NAME.timeofday; NAME.labelmap names the label map a capture used.
 * Only used to (re)make fixtures; CI never runs it.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SHIM_SOURCE = fileURLToPath(new URL("./nlcap.c", import.meta.url));
/** conntrack runs from the repository root, so file arguments (-R) are relative to it. */
const REPO = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Microseconds of the pinned gettimeofday() (its seconds are the pinned time()). Fewer than six
 * digits on purpose: conntrack pads them with zeros on the left for conntrack events ("001053")
 * but with spaces on the right for expectations ("1053  "), and the goldens should show both.
 */
export const PINNED_MICROSECONDS = 1053;

export interface CaptureSpec {
  /** Fixture base name. */
  name: string;
  /** The program captured (default conntrack; nfct's fixtures live in fixtures/nfct). */
  program?: "conntrack" | "nfct";
  /** The program's arguments (written to NAME.cmd joined by single spaces, so no spaces inside an argument). */
  args: string[];
  /** Run conntrack as uid/gid 65534 (for EPERM). */
  unprivileged?: boolean;
  /** A labelmap file the shim substitutes for /etc/xtables/connlabel.conf. */
  labelmap?: string;
  /**
   * For -E: actions run while conntrack listens; it gets SIGINT `settleMs` after they finish.
   * Without it the command runs to completion.
   */
  during?: (ns: string) => Promise<void> | void;
  settleMs?: number;
  /** Pin gettimeofday() as well (-o timestamp prints it); written to NAME.timeofday. */
  pinTimeOfDay?: boolean;
}

export interface CaptureResult {
  name: string;
  status: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  pinnedTime: number;
  /** "SECONDS.MICROSECONDS" gettimeofday() returned, when pinned. */
  pinnedTimeOfDay?: string;
}

export class ShimBuildError extends Error {
  override readonly name = "ShimBuildError";
  readonly compilerOutput: string;
  constructor(compilerOutput: string) {
    super(`could not compile nlcap.c: ${compilerOutput}`);
    this.compilerOutput = compilerOutput;
  }
}

export function isShimBuildError(value: unknown): value is ShimBuildError {
  return value instanceof Error && value.name === "ShimBuildError";
}

/** Compiles nlcap.c into a world-readable temp dir (the unprivileged runs must load it too). */
export function buildShim(): { path: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "fx-nlcap-"));
  chmodSync(dir, 0o755);
  const path = join(dir, "nlcap.so");
  const cc = spawnSync("cc", ["-shared", "-fPIC", "-O2", "-Wall", "-o", path, SHIM_SOURCE, "-ldl"], {
    encoding: "utf8",
  });
  if (cc.status !== 0) throw new ShimBuildError(cc.stderr || String(cc.error));
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Captures one conntrack (or nfct) run and writes its fixture files into outDir. */
export async function captureConntrack(
  ns: string,
  spec: CaptureSpec,
  shimPath: string,
  outDir: string,
): Promise<CaptureResult> {
  const work = mkdtempSync(join(tmpdir(), "fx-cap-"));
  chmodSync(work, 0o777); // the unprivileged run writes its pcap here
  const pcap = join(work, "cap.pcap");
  const log = join(work, "cap.io");
  const pinnedTime = Math.floor(Date.now() / 1000);
  const pinnedTimeOfDay = spec.pinTimeOfDay ? `${pinnedTime}.${String(PINNED_MICROSECONDS).padStart(6, "0")}` : undefined;
  const env = [
    "TZ=UTC",
    "LC_ALL=C",
    `LD_PRELOAD=${shimPath}`,
    `NLCAP_PCAP=${pcap}`,
    `NLCAP_LOG=${log}`,
    `NLCAP_TIME=${pinnedTime}`,
    ...(pinnedTimeOfDay ? [`NLCAP_TIMEOFDAY=${pinnedTimeOfDay}`] : []),
    // The -E progname lookup races with the process that caused the event; hiding the table it
    // reads makes every golden take the "not found" path, which is also what a replay sees.
    "NLCAP_HIDE=/proc/net/netlink",
    ...(spec.labelmap ? [`NLCAP_LABELMAP=${spec.labelmap}`] : []),
  ];
  const drop = spec.unprivileged ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
  const argv = ["netns", "exec", ns, ...drop, "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", ...env, spec.program ?? "conntrack", ...spec.args];
  try {
    const child = spawn("ip", argv, { stdio: ["ignore", "pipe", "pipe"], cwd: REPO });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const exited = new Promise<{ status: number | null; signal: string | null }>((resolve) =>
      child.on("close", (status, signal) => resolve({ status, signal })),
    );
    if (spec.during) {
      await waitForSubscription(log, 5_000);
      await spec.during(ns);
      await sleep(spec.settleMs ?? 500);
      child.kill("SIGINT"); // `ip netns exec`, setpriv and env all exec, so this pid is conntrack's
    }
    const { status, signal } = await exited;
    const result: CaptureResult = {
      name: spec.name,
      status,
      signal,
      stdout: Buffer.concat(stdout),
      stderr: Buffer.concat(stderr),
      pinnedTime,
      ...(pinnedTimeOfDay ? { pinnedTimeOfDay } : {}),
    };
    const base = join(outDir, spec.name);
    copyFileSync(pcap, `${base}.pcap`);
    copyFileSync(log, `${base}.io`);
    writeFileSync(`${base}.cmd`, spec.args.join(" ") + "\n");
    writeFileSync(`${base}.out`, result.stdout);
    writeFileSync(`${base}.err`, result.stderr);
    writeFileSync(`${base}.status`, `${status ?? `signal ${signal}`}\n`);
    writeFileSync(`${base}.time`, `${pinnedTime}\n`);
    if (pinnedTimeOfDay) writeFileSync(`${base}.timeofday`, `${pinnedTimeOfDay}\n`);
    else rmSync(`${base}.timeofday`, { force: true });
    // Which file stood in for /etc/xtables/connlabel.conf, so a replay can load the same map.
    if (spec.labelmap) writeFileSync(`${base}.labelmap`, `${relative(REPO, spec.labelmap)}\n`);
    else rmSync(`${base}.labelmap`, { force: true });
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** -E is ready once its event socket is bound to multicast groups (seen in the shim log). */
async function waitForSubscription(log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(log) && /^bind .* groups=0x[1-9a-f]/m.test(readFileSync(log, "utf8"))) return;
    await sleep(20);
  }
  // An unprivileged -E fails to bind: carry on, the fixture records that failure.
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
