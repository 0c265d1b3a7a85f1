/**
 * `-L` to /dev/null at each list size: at most 0.7x conntrack's time. At the first size also
 * `-o json` (at most conntrack's plain `-L`: JSON costs no more than its text) and `-o xml` (at
 * most 0.7x conntrack's `-o xml`).
 */
import { formatCount } from "../report.js";
import { outcomeRow } from "../compare.js";
import type { BenchCase } from "./case.js";
import { listAt, measureListing } from "./list-samples.js";

/** -o xml prints the XML declaration and <conntrack> before the flows and </conntrack> after them. */
const XML_FRAME_LINES = 3;

export const listCase: BenchCase = {
  name: "list",
  steps: (options) =>
    options.listSizes.map((size, i) => ({
      size,
      run: async (ctx) => {
        const entries = formatCount(size);
        const rows = [outcomeRow("`-L`", entries, await listAt(ctx, size), 0.7, ctx.tools.candidateSkip)];
        if (i > 0) return rows;
        // One JSON array on one line, against conntrack's plain text of the same table.
        const json = await measureListing(ctx, size, ["-L", "-o", "json"], 1, { args: ["-L"], lines: size });
        rows.push(outcomeRow("`-L -o json` (vs conntrack `-L`)", entries, json, 1.0, ctx.tools.candidateSkip));
        const xml = await measureListing(ctx, size, ["-L", "-o", "xml"], size + XML_FRAME_LINES);
        rows.push(outcomeRow("`-L -o xml`", entries, xml, 0.7, ctx.tools.candidateSkip));
        return rows;
      },
    })),
};
