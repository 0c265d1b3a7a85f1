/** `-L -p tcp --dport 22` on the mixed IPv4/IPv6 table (every 10th entry matches, half of them IPv6): at most conntrack's time. */
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
        return [outcomeRow("`-L -p tcp --dport 22`", formatCount(size), outcome, 1.0, ctx.tools.candidateSkip)];
      },
    },
  ],
};
