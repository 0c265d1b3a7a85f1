/** A benchmark case is a few steps; each needs the main table at some size (0: it uses its own namespace). */
import type { BenchContext } from "../context.js";
import type { BenchOptions } from "../options.js";
import type { Row } from "../report.js";

export interface Step {
  /** Entries the main table must hold first; steps run smallest first. 0 = no main table. */
  size: number;
  run(ctx: BenchContext): Promise<Row[]> | Row[];
}

export interface BenchCase {
  /** For `--only`. */
  name: string;
  steps(options: BenchOptions): Step[];
}
