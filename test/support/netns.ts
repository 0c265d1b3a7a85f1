import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { exec, execHost, hasCommand } from "./exec.js";

export { exec, execOk, execHost, hasCommand, type ExecResult, type ExecOptions } from "./exec.js";

/** `{ ok: true }` when kernel integration tests can run here, else the reason to print when skipping. */
export type KernelSupport = { ok: true } | { ok: false; reason: string };

export interface NetnsOptions {
  /** Turn on `net.netfilter.nf_conntrack_acct` (per-namespace; only entries created afterwards count). */
  acct?: boolean;
  /** Turn on `net.netfilter.nf_conntrack_timestamp` (same caveat). */
  timestamp?: boolean;
  /** Bring `lo` up (default true), so loopback traffic works. */
  loopback?: boolean;
}

const live = new Set<string>();
const children = new Map<string, Set<ChildProcess>>();
let exitHookInstalled = false;
let support: KernelSupport | undefined;

/**
 * Checks once whether this process may create namespaces and talk ctnetlink: root, `ip` and
 * `conntrack` on PATH, and a `conntrack -L` that succeeds inside a fresh namespace.
 */
export function canRunKernelTests(): KernelSupport {
  if (support) return support;
  support = probeKernelSupport();
  return support;
}

function probeKernelSupport(): KernelSupport {
  if (process.platform !== "linux") return { ok: false, reason: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: "not running as root" };
  if (!hasCommand("ip")) return { ok: false, reason: "`ip` (iproute2) is not installed" };
  if (!hasCommand("conntrack")) return { ok: false, reason: "`conntrack` (conntrack-tools) is not installed" };
  let ns: string;
  try {
    ns = createNetns("fx-probe", { loopback: false });
  } catch (error) {
    return { ok: false, reason: `cannot create a network namespace: ${(error as Error).message}` };
  }
  try {
    const listed = exec(ns, "conntrack", ["-L"]);
    if (listed.status !== 0) {
      return { ok: false, reason: `conntrack -L fails in a namespace: ${listed.stderr.trim()}` };
    }
    return { ok: true };
  } finally {
    destroyNetns(ns);
  }
}

/** A namespace name that no concurrent test or engineer uses: prefix, pid, random suffix. */
export function uniqueNetnsName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** Creates a uniquely named namespace and returns its name. Pair with destroyNetns (or use withNetns). */
export function createNetns(prefix: string, options: NetnsOptions = {}): string {
  const name = uniqueNetnsName(prefix);
  const added = execHost("ip", ["netns", "add", name]);
  if (added.status !== 0) throw new Error(`ip netns add ${name}: ${added.stderr.trim()}`);
  live.add(name);
  installExitHook();
  try {
    if (options.loopback ?? true) mustRun(name, "ip", ["link", "set", "lo", "up"]);
    if (options.acct) setSysctl(name, "net.netfilter.nf_conntrack_acct", "1");
    if (options.timestamp) setSysctl(name, "net.netfilter.nf_conntrack_timestamp", "1");
  } catch (error) {
    destroyNetns(name);
    throw error;
  }
  return name;
}

/**
 * Stops the processes started in the namespace, empties its conntrack and expectation tables (the
 * hash table is global, so big tables must not linger) and deletes it. Never throws.
 */
export function destroyNetns(name: string): void {
  for (const child of children.get(name) ?? []) stopChild(child);
  children.delete(name);
  try {
    exec(name, "conntrack", ["-F"], { timeoutMs: 10_000 });
    exec(name, "conntrack", ["-F", "expect"], { timeoutMs: 10_000 });
  } catch {
    // conntrack missing: nothing to flush.
  }
  execHost("ip", ["netns", "del", name]);
  live.delete(name);
}

/** Runs fn with a fresh namespace, which is always deleted afterwards, also when fn throws. */
export async function withNetns<T>(
  prefix: string,
  fn: (ns: string) => T | Promise<T>,
  options: NetnsOptions = {},
): Promise<T> {
  const ns = createNetns(prefix, options);
  try {
    return await fn(ns);
  } finally {
    destroyNetns(ns);
  }
}

/** Sets a sysctl inside the namespace (netfilter sysctls are per namespace). */
export function setSysctl(ns: string, key: string, value: string): void {
  mustRun(ns, "sysctl", ["-q", "-w", `${key}=${value}`]);
}

/**
 * Starts a long-running process inside the namespace; destroyNetns stops it. Resolves once the
 * process prints `readyLine` on stdout (or right away when no line is given).
 */
export function spawnInNetns(
  ns: string,
  command: string,
  args: readonly string[],
  options: { readyLine?: string; timeoutMs?: number } = {},
): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", ns, command, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let set = children.get(ns);
  if (!set) children.set(ns, (set = new Set()));
  set.add(child);
  child.on("exit", () => set.delete(child));
  const { readyLine } = options;
  if (readyLine === undefined) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      stopChild(child);
      reject(new Error(`${command} in ${ns} did not print ${JSON.stringify(readyLine)} in time; stderr: ${err}`));
    }, options.timeoutMs ?? 15_000);
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split("\n").includes(readyLine)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} in ${ns} exited (${code ?? signal}) before it was ready; stderr: ${err}`));
    });
  });
}

/** Ends a helper by pid: SIGTERM, a short synchronous wait, then SIGKILL. */
function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill("SIGTERM");
  const deadline = Date.now() + 2_000;
  // A synchronous wait keeps destroyNetns usable from sync code and exit hooks.
  while (isRunning(child.pid) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  if (isRunning(child.pid)) child.kill("SIGKILL");
}

/** True while the process exists and is not a zombie (Node reaps children only from its event loop). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function mustRun(ns: string, command: string, args: readonly string[]): void {
  const result = exec(ns, command, args);
  if (result.status !== 0) throw new Error(`in ${ns}: ${command} ${args.join(" ")}: ${result.stderr.trim()}`);
}

/** Deletes namespaces left over by a test that crashed before its finally ran. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const name of [...live]) destroyNetns(name);
  });
}
