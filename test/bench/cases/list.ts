/** `-L` to /dev/null at each list size: at most conntrack's time (aim 0.7x). */
import { formatCount } from "../report.js";
import { outcomeRow } from "../compare.js";
import type { BenchCase } from "./case.js";
import { listAt } from "./list-samples.js";

export const listCase: BenchCase = {
  name: "list",
  steps: (options) =>
    options.listSizes.map((size) => ({
      size,
      run: async (ctx) => [outcomeRow("`-L`", formatCount(size), await listAt(ctx, size), 1.0, ctx.tools.candidateSkip)],
    })),
};
