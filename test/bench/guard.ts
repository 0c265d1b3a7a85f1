/**
 * Cleans up after us even if this process is killed (tsx answers Ctrl-C with SIGKILL when the
 * event loop is busy in a synchronous fill or run): a detached shell waits for our pid to
 * disappear, then stops listeners we left running, flushes and deletes the namespaces still listed in a state file, restores
 * sysctls still holding our value, and removes scratch directories. Normal exits empty the list first.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPT = `
while kill -0 "$1" 2>/dev/null; do sleep 1; done
[ -f "$2" ] || exit 0
tac "$2" | while read -r kind a b c; do
  case "$kind" in
    pid) kill "$a" 2>/dev/null ;;
    netns) nsenter --net="/run/netns/$a" conntrack -F >/dev/null 2>&1; ip netns del "$a" 2>/dev/null ;;
    sysctl) [ "$(cat "$a")" = "$c" ] && echo "$b" > "$a" ;;
    dir) rm -rf "$a" ;;
  esac
done
rm -f "$2"
`;

const entries: string[] = [];
let statePath: string | undefined;

function save(): void {
  if (entries.length === 0) {
    if (statePath) rmSync(statePath, { force: true });
    return;
  }
  if (!statePath) {
    statePath = join(tmpdir(), `bench-guard-${process.pid}.state`);
    const guard = spawn("sh", ["-c", SCRIPT, "bench-guard", String(process.pid), statePath], { detached: true, stdio: "ignore" });
    guard.unref();
  }
  writeFileSync(statePath, `${entries.join("\n")}\n`);
}

function add(entry: string): void {
  entries.push(entry);
  save();
}

function remove(entry: string): void {
  const at = entries.lastIndexOf(entry);
  if (at !== -1) entries.splice(at, 1);
  save();
}

/** Names and paths here never contain spaces (we make them). */
export const guardNetns = (name: string) => add(`netns ${name}`);
export const releaseNetns = (name: string) => remove(`netns ${name}`);
export const guardSysctl = (path: string, before: number, ours: number) => add(`sysctl ${path} ${before} ${ours}`);
export const releaseSysctl = (path: string, before: number, ours: number) => remove(`sysctl ${path} ${before} ${ours}`);
export const guardPid = (pid: number) => add(`pid ${pid}`);
export const releasePid = (pid: number) => remove(`pid ${pid}`);
export const guardDir = (path: string) => add(`dir ${path}`);
export const releaseDir = (path: string) => remove(`dir ${path}`);
