// `tsconntrack top`: a live, full-screen view of the table (one dump, then the event stream with a
// resync on overrun, and a counter refresh every interval): flows, or sums by source, destination,
// protocol, port, state, zone or mark, sorted by rate, bytes, packets, age or flow count; -L's filters.
// `--once` prints the same rows once (text, or -o json / -o ndjson for scripts).

import type { Conntrack } from "@tsconntrack/conntrack";
import type { ParsedCommand, ParseResult } from "../args/types.js";
import type { Cli } from "../commands/cli.js";
import { failOperation, failOnKernelError } from "../commands/errors.js";
import { flowFilterFor, refusedListFilter } from "../commands/flow-filter.js";
import { PROGRAM_NAME } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import { openConntrack } from "../io/session.js";
import { capturesNeedOnce, integerOption, secondsOption, startSubcommand, usageFailure, type OwnOption } from "./subcommand-args.js";
import { aggregate, GROUPS, sortRows, SORTS, type Grouping, type SortKey } from "./top-aggregate.js";
import { headerLines, rowJson, tableLines, topJson, type TopHeader } from "./top-format.js";
import { TopModel } from "./top-model.js";
import { Terminal } from "./terminal.js";

const OWN_OPTIONS: readonly OwnOption[] = [
  { name: "group", value: true },
  { name: "sort", value: true },
  { name: "interval", value: true },
  { name: "once", value: false },
  { name: "limit", value: true },
];

export const TOP_USAGE = `Usage: ${PROGRAM_NAME} top [options] [-L filters]
A live view of the conntrack table (q or Ctrl-C quits; g changes the grouping, s the sort order).
  --group KEY      ${GROUPS.join(", ")} (default flow)
  --sort KEY       ${SORTS.join(", ")} (default rate with counters, else age for flows and flows for groups)
  --interval SEC   refresh every SEC seconds (default 1)
  --once           print the rows once and exit (after one interval, for the rates; --interval 0: no rates)
  --limit N        rows printed by --once (default 20, 0 for all)
  -o json|ndjson   with --once: one JSON document, or one JSON object per row
  --netns NAME     the table of another network namespace
  -L's filters (-p tcp --dport 443, -m 3, -s 10.0.0.0/8, -w 5, ...) choose the flows.
`;

interface TopOptions {
  group: Grouping;
  sort: SortKey | undefined;
  interval: number;
  once: boolean;
  limit: number;
}

function options(own: ReadonlyMap<string, string | true>): TopOptions | string {
  const group = String(own.get("group") ?? "flow");
  if (!(GROUPS as readonly string[]).includes(group)) return `--group takes one of ${GROUPS.join(", ")}`;
  const sort = own.get("sort");
  if (sort !== undefined && !(SORTS as readonly string[]).includes(String(sort))) return `--sort takes one of ${SORTS.join(", ")}`;
  const once = own.has("once");
  const interval = secondsOption(String(own.get("interval") ?? "1"), once ? 0 : 0.1, 3600);
  if (interval === undefined) return `--interval takes seconds from ${once ? 0 : 0.1} to 3600`;
  const limit = integerOption(String(own.get("limit") ?? "20"), 0, 1_000_000_000);
  if (limit === undefined) return "--limit takes a whole number";
  return { group: group as Grouping, sort: sort === undefined ? undefined : (String(sort) as SortKey), interval, once, limit };
}

export async function runSubcommand(args: readonly string[], cli: Cli, parse: (args: readonly string[]) => ParseResult): Promise<number> {
  const started = startSubcommand("top", args, OWN_OPTIONS, parse, TOP_USAGE, cli);
  if (typeof started === "number") return started;
  const { cmd, own } = started;
  const chosen = options(own);
  if (typeof chosen === "string") return usageFailure("top", chosen);
  const json = cmd.output.json || cmd.output.ndjson;
  if (json && !chosen.once) return usageFailure("top", "-o json/ndjson needs --once");
  if (capturesNeedOnce(cmd, chosen.once)) return usageFailure("top", "--record and --replay work with --once only");
  if (!chosen.once && !Terminal.available()) return usageFailure("top", "needs a terminal on stdin and stdout (or use --once)");
  const refused = refusedListFilter(cmd);
  if (refused !== undefined) return failOperation(refused, cmd, "stderr");
  const ct = openConntrack(cmd);
  try {
    return chosen.once ? await once(ct, cmd, chosen, cli) : await live(ct, cmd, chosen);
  } catch (error) {
    return failOnKernelError(error, cmd, "stderr");
  } finally {
    ct.close();
  }
}

/** The view's state besides the model: what is shown and how. */
class View {
  readonly model: TopModel;
  private readonly ct: Conntrack;
  private readonly cmd: ParsedCommand;
  group: Grouping;
  private sortChoice: SortKey | undefined;
  readonly interval: number;
  acct: boolean | undefined;
  private entries: number | undefined;
  private maxEntries: number | undefined;

  constructor(model: TopModel, ct: Conntrack, cmd: ParsedCommand, group: Grouping, sort: SortKey | undefined, interval: number) {
    this.model = model;
    this.ct = ct;
    this.cmd = cmd;
    this.group = group;
    this.sortChoice = sort;
    this.interval = interval;
  }

  get sort(): SortKey {
    return this.sortChoice ?? (this.acct === true ? "rate" : this.group === "flow" ? "age" : "flows");
  }
  nextGroup(): void {
    this.group = GROUPS[(GROUPS.indexOf(this.group) + 1) % GROUPS.length]!;
  }
  nextSort(): void {
    this.sortChoice = SORTS[(SORTS.indexOf(this.sort) + 1) % SORTS.length]!;
  }

  /** Seconds the last reading took (the dump, the header figures) plus the rows' sorting. */
  lastReading = 0;

  /** Re-reads the table and the header figures. */
  async refresh(): Promise<void> {
    const started = performance.now();
    await this.model.refresh();
    const acct = this.ct.sysctl("nf_conntrack_acct");
    this.acct = acct === undefined ? undefined : acct === "1";
    const global = this.ct.statsGlobalSync();
    this.entries = global.entries;
    this.maxEntries = global.maxEntries;
    this.lastReading = (performance.now() - started) / 1000;
  }

  rows(limit: number): { header: TopHeader; rows: ReturnType<typeof sortRows> } {
    const started = performance.now();
    const all = aggregate(this.model.flows.values(), this.group, Date.now() / 1000, this.model.uptime, performance.now() / 1000);
    const rows = sortRows(all, this.sort, limit);
    const header: TopHeader = {
      entries: this.entries,
      maxEntries: this.maxEntries,
      acct: this.acct,
      group: this.group,
      sort: this.sort,
      interval: this.interval,
      stats: this.model.stats(),
      shown: rows.length,
      total: all.length,
      netns: this.cmd.extensions.netns,
      refreshSeconds: this.lastReading + (performance.now() - started) / 1000,
    };
    return { header, rows };
  }
}

/** Feeds the model from the event stream until closed; returns the closer. */
function follow(ct: Conntrack, cmd: ParsedCommand, model: TopModel, onError: (error: unknown) => void): () => void {
  const events = ct.events({ filter: flowFilterFor(cmd, "event") });
  let closed = false;
  void (async () => {
    try {
      for await (const event of events) await model.apply(event);
    } catch (error) {
      if (!closed) onError(error);
    }
  })();
  return () => {
    closed = true;
    events.close();
  };
}

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function once(ct: Conntrack, cmd: ParsedCommand, chosen: TopOptions, cli: Cli): Promise<number> {
  const model = new TopModel(ct, flowFilterFor(cmd, "list"));
  const view = new View(model, ct, cmd, chosen.group, chosen.sort, chosen.interval);
  let failure: unknown;
  // Subscribed before the first dump, so no flow falls between the two.
  const stop = chosen.interval > 0 ? follow(ct, cmd, model, (error) => (failure = error)) : () => {};
  try {
    await view.refresh();
    if (chosen.interval > 0) {
      await sleep(chosen.interval);
      await view.refresh();
    }
  } finally {
    stop();
  }
  if (failure !== undefined) throw failure;
  const { header, rows } = view.rows(chosen.limit);
  if (cmd.output.json) cli.out.write(topJson(header, rows, Date.now()));
  else if (cmd.output.ndjson) cli.out.write(rows.map((row) => rowJson(row) + "\n").join(""));
  else cli.out.write([...headerLines(header, false), "", ...tableLines(rows, header.group, process.stdout.columns || 100)].join("\n") + "\n");
  cli.out.finish("", cli.stdoutIsTty);
  return 0;
}

async function live(ct: Conntrack, cmd: ParsedCommand, chosen: TopOptions): Promise<number> {
  const model = new TopModel(ct, flowFilterFor(cmd, "list"));
  const view = new View(model, ct, cmd, chosen.group, chosen.sort, chosen.interval);
  let finish!: (reason: { error?: unknown }) => void;
  const done = new Promise<{ error?: unknown }>((resolve) => (finish = resolve));
  const draw = (): void => {
    const { header, rows } = view.rows(Math.max(1, terminal.rows - 5));
    const lines = [...headerLines(header, true), "", ...tableLines(rows, header.group, terminal.columns)];
    terminal.draw(lines);
  };
  const terminal = new Terminal(
    (key) => {
      if (key === "q" || key === "Q" || key === "\x03" || key === "\x04") finish({});
      else if (key === "g") view.nextGroup();
      else if (key === "s") view.nextSort();
      else return;
      draw();
    },
    () => finish({}),
    () => draw(),
  );
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (): void => finish({});
  for (const signal of signals) process.once(signal, onSignal);
  const stopEvents = follow(ct, cmd, model, (error) => finish({ error }));
  let timer: NodeJS.Timeout | undefined;
  try {
    await view.refresh();
    terminal.start();
    draw();
    // A refresh that takes longer than the interval delays the next one instead of piling up.
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      view.refresh().then(draw, (error: unknown) => finish({ error })).finally(() => (busy = false));
    }, chosen.interval * 1000);
    const { error } = await done;
    if (error !== undefined) throw error;
    return 0;
  } finally {
    clearInterval(timer);
    stopEvents();
    terminal.stop();
    for (const signal of signals) process.removeListener(signal, onSignal);
  }
}
