/** `-L -p tcp --dport 22` (every 10th entry matches): at most half conntrack's time. */
import { outcomeRow } from "../compare.js";
import { IPPROTO_TCP, countShapes } from "../flows.js";
import { formatCount } from "../report.js";
import type { BenchCase } from "./case.js";
import { measureListing } from "./list-samples.js";

export const filterCase: BenchCase = {
  name: "filter",
  steps: (options) => [
    {
      size: options.filterSize,
      run: async (ctx) => {
        const size = options.filterSize;
        const expected = countShapes(size, (shape) => shape.proto === IPPROTO_TCP && shape.dport === 22);
        const outcome = await measureListing(ctx, size, ["-L", "-p", "tcp", "--dport", "22"], expected);
        return [outcomeRow("`-L -p tcp --dport 22`", formatCount(size), outcome, 0.5, ctx.tools.candidateSkip)];
      },
    },
  ],
};
