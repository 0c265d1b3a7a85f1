/**
 * State shared by the cases: options, tools, and the main namespace whose table only grows
 * (cases run smallest table first). Cleans up everything it made in `close`.
 */
import type { BenchOptions } from "./options.js";
import { createNetns, deleteNetns, raiseConntrackMax } from "./netns.js";
import { formatCount } from "./report.js";
import type { ListResult } from "./cases/list-samples.js";
import { BenchTable } from "./table.js";
import type { Tools } from "./tools.js";

export class BenchContext {
  readonly options: BenchOptions;
  readonly tools: Tools;
  /** Measurements of `-L` by table size, shared by the list and rss cases. */
  readonly listResults = new Map<number, ListResult>();
  private main: BenchTable | undefined;
  private readonly restores: (() => void)[] = [];

  constructor(options: BenchOptions, tools: Tools) {
    this.options = options;
    this.tools = tools;
  }

  log(line: string): void {
    process.stderr.write(`${line}\n`);
  }

  /** The main table, grown to at least `size` entries. */
  mainTable(size: number): BenchTable {
    if (!this.main) this.main = new BenchTable(createNetns("main"));
    if (this.main.size < size) {
      this.allowEntries(size);
      const from = this.main.size;
      const seconds = this.main.growTo(size);
      this.log(`  table ${this.main.netns}: ${formatCount(from)} → ${formatCount(size)} entries in ${seconds.toFixed(1)} s`);
    }
    return this.main;
  }

  /** A table in a namespace of its own, flushed and deleted after `fn`. */
  async ownTable<T>(label: string, size: number, fn: (table: BenchTable) => Promise<T> | T): Promise<T> {
    this.allowEntries(size);
    const table = new BenchTable(createNetns(label));
    try {
      return await fn(table);
    } finally {
      try {
        table.close();
      } finally {
        deleteNetns(table.netns);
      }
    }
  }

  /** Raises nf_conntrack_max for `entries` in one namespace (restored in `close`). */
  allowEntries(entries: number): void {
    this.restores.push(raiseConntrackMax(entries));
  }

  /** Flushes and deletes the main namespace, restores sysctls. Safe to call twice. */
  close(): void {
    const main = this.main;
    this.main = undefined;
    try {
      if (main) {
        try {
          main.close();
        } finally {
          deleteNetns(main.netns);
        }
      }
    } finally {
      // Newest first, so the oldest saved value is what stays.
      for (const restore of this.restores.splice(0).reverse()) restore();
    }
  }
}
