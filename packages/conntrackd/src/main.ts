/**
 * tsconntrackd's command line, as conntrackd 1.4.7's main() reads it (src/main.c): every argument
 * is looked at by its second character only; `-C file` picks the configuration; one client
 * request (-c -i -e -f -F -R -B -n -t -k -s, with -x) is sent to a running daemon over the UNIX
 * socket; otherwise the daemon starts, in the foreground or with -d in the background.
 */
import { spawn } from "node:child_process";
import { writeSync, createWriteStream } from "node:fs";
import { basename } from "node:path";
import { isConfigError, loadConfig } from "./config/parser.js";
import type { DaemonConfig } from "./config/types.js";
import { REQ } from "./control/commands.js";
import { localRequest } from "./control/client.js";
import { interfaceExists } from "./channel/link.js";
import { logLine, Logger } from "./log.js";
import { runDaemonLifecycle } from "./lifecycle.js";

const VERSION = "0.1.0";
const DEFAULT_CONFIGFILE = "/etc/conntrackd/conntrackd.conf";
/** Set in the environment of the background child that -d starts. */
const DAEMON_CHILD = "TSCONNTRACKD_DAEMON_CHILD";

const USAGE_GENERAL = "General commands:\n" +
  "  -d, run in daemon mode\n" +
  "  -C [configfile], configuration file path\n" +
  "  -v, display conntrackd version\n" +
  "  -h, display this help information\n";

const USAGE_CLIENT = "Client mode commands:\n" +
  "  -c [ct|expect], commit external cache to conntrack table\n" +
  "  -f [internal|external], flush internal and external cache\n" +
  "  -F [ct|expect], flush kernel conntrack table\n" +
  "  -i [ct|expect], display content of the internal cache\n" +
  "  -e [ct|expect], display the content of the external cache\n" +
  "  -k, kill conntrack daemon\n" +
  "  -s  [network|cache|runtime|link|rsqueue|queue|ct|expect], dump statistics\n" +
  "  -R [ct|expect], resync with kernel conntrack table\n" +
  "  -n, request resync with other node (only FT-FW and NOTRACK modes)\n" +
  "  -B, force a bulk send to other replica firewalls\n" +
  "  -x, dump cache in XML format (requires -i or -e)\n" +
  "  -t, reset the kernel timeout (see PurgeTimeout clause)\n";

const out = (text: string): void => {
  writeSync(1, text);
};
const logErr = (text: string): void => {
  writeSync(2, logLine("ERROR", text));
};
const logWarn = (text: string): void => {
  writeSync(2, logLine("warning", text));
};

class Exit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

function usage(progname: string): void {
  out(`Connection tracking userspace daemon v${VERSION}\nUsage: ${progname} [commands] [options]\n\n${USAGE_GENERAL}\n${USAGE_CLIENT}\n`);
}

/** strncmp(arg, word, strlen(arg)) == 0: arg is a prefix of word (the empty string too). */
const prefixOf = (arg: string, word: string): boolean => word.startsWith(arg);

export interface ParsedArgs {
  type: "daemon" | "request" | undefined;
  action: number;
  configFile: string;
}

/** The argument loop of main(); throws Exit for -v, -h and errors. */
export function parseArgs(argv: readonly string[], progname: string): ParsedArgs {
  let type: ParsedArgs["type"];
  let action = -1;
  let configFile = "";
  const setMode = (want: "daemon" | "request"): void => {
    if (type === undefined) type = want;
    else if (type !== want) {
      usage(progname);
      logErr("Invalid parameters");
      throw new Exit(1);
    }
  };
  const byTable = (i: number, ct: number, exp: number, dfl: number): number => {
    const next = argv[i + 1];
    if (next !== undefined && next[0] !== "-") {
      if (prefixOf(next, "ct")) {
        action = ct;
        return i + 1;
      }
      if (prefixOf(next, "expect")) {
        action = exp;
        return i + 1;
      }
      return i;
    }
    action = dfl;
    return i;
  };
  const words = (i: number, table: readonly [string, number][], option: string, dfl: number): number => {
    const next = argv[i + 1];
    if (next !== undefined && next[0] !== "-") {
      for (const [word, value] of table) {
        if (prefixOf(next, word)) {
          if (word === "multicast") logWarn("use `link' instead of `multicast' as parameter.");
          action = value;
          return i + 1;
        }
      }
      logErr(`unknown parameter \`${next}' for option \`-${option}'`);
      throw new Exit(1);
    }
    action = dfl;
    return i;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg[1]) {
      case "d":
        setMode("daemon");
        break;
      case "c":
        setMode("request");
        i = byTable(i, REQ.CT_COMMIT, REQ.EXP_COMMIT, REQ.ALL_COMMIT);
        break;
      case "i":
        setMode("request");
        i = byTable(i, REQ.CT_DUMP_INTERNAL, REQ.EXP_DUMP_INTERNAL, REQ.CT_DUMP_INTERNAL);
        break;
      case "e":
        setMode("request");
        i = byTable(i, REQ.CT_DUMP_EXTERNAL, REQ.EXP_DUMP_EXTERNAL, REQ.CT_DUMP_EXTERNAL);
        break;
      case "C":
        if (++i < argv.length) {
          configFile = argv[i]!.slice(0, 4095);
          break;
        }
        usage(progname);
        logErr("Missing config filename");
        break;
      case "F":
        setMode("request");
        i = byTable(i, REQ.CT_FLUSH_MASTER, REQ.EXP_FLUSH_MASTER, REQ.ALL_FLUSH_MASTER);
        break;
      case "f":
        setMode("request");
        i = words(i, [["internal", REQ.CT_FLUSH_INT_CACHE], ["external", REQ.CT_FLUSH_EXT_CACHE]], "f", REQ.ALL_FLUSH_CACHE);
        break;
      case "R":
        setMode("request");
        i = byTable(i, REQ.CT_RESYNC_MASTER, REQ.EXP_RESYNC_MASTER, REQ.ALL_RESYNC_MASTER);
        break;
      case "B":
        setMode("request");
        action = REQ.SEND_BULK;
        break;
      case "t":
        setMode("request");
        action = REQ.RESET_TIMERS;
        break;
      case "k":
        setMode("request");
        action = REQ.KILL;
        break;
      case "s":
        setMode("request");
        i = words(i, [
          ["network", REQ.STATS_NETWORK], ["cache", REQ.STATS_CACHE], ["runtime", REQ.STATS_RUNTIME],
          ["multicast", REQ.STATS_LINK], ["link", REQ.STATS_LINK], ["rsqueue", REQ.STATS_RSQUEUE],
          ["process", REQ.STATS_PROCESS], ["queue", REQ.STATS_QUEUE], ["ct", REQ.STATS], ["expect", REQ.EXP_STATS],
        ], "s", REQ.STATS);
        break;
      case "n":
        setMode("request");
        action = REQ.REQUEST_DUMP;
        break;
      case "x":
        if (action === REQ.CT_DUMP_INTERNAL) action = REQ.CT_DUMP_INT_XML;
        else if (action === REQ.CT_DUMP_EXTERNAL) action = REQ.CT_DUMP_EXT_XML;
        else if (action === REQ.EXP_DUMP_INTERNAL) action = REQ.EXP_DUMP_INT_XML;
        else if (action === REQ.EXP_DUMP_EXTERNAL) action = REQ.EXP_DUMP_EXT_XML;
        else {
          usage(progname);
          logErr("Invalid parameters");
          throw new Exit(1);
        }
        break;
      case "v":
        // conntrackd's two lines, with our version, licence and authorship (the shape is kept).
        out(`Connection tracking userspace daemon v${VERSION}. Licensed under MIT.\n(C) tsconntrack authors, a TypeScript clone of conntrackd 1.4.7\n`);
        throw new Exit(0);
      case "h":
        usage(progname);
        throw new Exit(0);
      default:
        usage(progname);
        logErr(`Unknown option: ${arg}`);
        // 1.4.7 returns 0 here.
        throw new Exit(0);
    }
  }
  return { type, action, configFile: configFile || DEFAULT_CONFIGFILE };
}

function readConfig(path: string): DaemonConfig {
  try {
    const config = loadConfig(path, { interfaceExists });
    for (const warning of config.warnings) logWarn(warning);
    return config;
  } catch (error) {
    if (isConfigError(error)) {
      logErr(error.text);
      // A missing file is reported after the parse would have been.
      throw new Exit(1);
    }
    throw error;
  }
}

async function runDaemon(config: DaemonConfig, background: boolean, report?: (error?: string) => void): Promise<void> {
  const log = new Logger();
  try {
    log.open(config.general.logFile);
  } catch (error) {
    writeSync(2, `ERROR: can't open logfile \`${config.general.logFile}'.Reason: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (error as Error).message}\n`);
    throw new Exit(1);
  }
  if (config.kind !== "sync") {
    if (config.kind === undefined) log.warning("No running mode specified. Defaulting to statistics mode.");
    const { runStats, StatsExit } = await import("./stats-mode.js");
    try {
      return await runStats(config, log, background, report);
    } catch (error) {
      if (error instanceof StatsExit) throw new Exit(error.code);
      throw error;
    }
  }
  const { SyncDaemon } = await import("./daemon.js");
  const options = { background, report, fatalStatus: 1, ignoreSigpipe: true };
  const started = await runDaemonLifecycle(config, log, options, (finish) => new SyncDaemon(config, log, { onKill: () => finish(0) }));
  if (!started) throw new Exit(1);
}

/** -d: 1.4.7 forks after init; Node cannot fork, so the same program starts again detached and says when it is up. */
function daemonize(argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...argv], {
      detached: true,
      stdio: ["ignore", "ignore", "pipe", "pipe"],
      env: { ...process.env, [DAEMON_CHILD]: "1" },
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("latin1")));
    const status = child.stdio[3] as NodeJS.ReadableStream;
    let answer = "";
    status.on("data", (d: Buffer) => (answer += d.toString("latin1")));
    const done = (code: number): void => {
      if (stderr) writeSync(2, stderr);
      child.unref();
      (child.stderr as unknown as { destroy(): void }).destroy();
      (status as unknown as { destroy(): void }).destroy();
      resolve(code);
    };
    status.on("end", () => done(answer.startsWith("ok") ? 0 : 1));
    child.on("exit", (code) => done(code ?? 1));
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const progname = basename(process.argv[1] ?? "tsconntrackd").replace(/\.c?js$/, "");
  try {
    const args = parseArgs(argv, progname);
    process.umask(0o177);
    const config = readConfig(args.configFile);
    if (args.type === "request") {
      const ok = await localRequest(config.general.unixPath, args.action, (chunk) => process.stdout.write(chunk));
      if (!ok) {
        logErr("can't connect: is conntrackd running? appropriate permissions?");
        return 1;
      }
      return 0;
    }
    if (args.type === "daemon" && process.env[DAEMON_CHILD] !== "1") return await daemonize(argv);
    if (process.env[DAEMON_CHILD] === "1") {
      // The background child: report to the parent on fd 3, then lose the console.
      const statusPipe = createWriteStream("", { fd: 3 });
      const report = (error?: string): void => {
        statusPipe.end(error === undefined ? "ok" : `error ${error}`);
        if (error === undefined) {
          process.stderr.destroy();
          process.chdir("/");
        }
      };
      await runDaemon(config, true, report);
      return -1;
    }
    await runDaemon(config, false);
    return -1;
  } catch (error) {
    if (error instanceof Exit) return error.code;
    logErr(`internal error: ${(error as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) {
  process.exitCode = code;
  // Let pending writes to stdout drain, then leave.
  process.stdout.write("", () => process.exit(code));
}
