// `pnpm gen`: compile every target and write outputs whose content changed.
// `pnpm check:gen`: compile and compare only; exit 1 naming each stale file.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSpec } from "./compile.js";
import { isSpecError } from "./errors.js";
import { TARGETS } from "./targets.js";

const CODEC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  const stale: string[] = [];
  for (const target of TARGETS) {
    const outPath = join(CODEC_DIR, target.out);
    const shownOut = relative(process.cwd(), outPath) || outPath;
    const { source } = compileSpec(readFileSync(join(CODEC_DIR, target.spec), "utf8"), { specPath: target.spec });
    const current = existsSync(outPath) ? readFileSync(outPath, "utf8") : undefined;
    if (current === source) continue;
    if (check) {
      stale.push(shownOut);
    } else {
      mkdirSync(dirname(outPath), { recursive: true });
      writeFileSync(outPath, source);
      process.stdout.write(`wrote ${shownOut}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(
      `Generated code is stale (spec or compiler changed without regenerating):\n${stale.map((s) => `  ${s}\n`).join("")}` +
        "Run `pnpm gen` and commit the result.\n",
    );
    return 1;
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (!isSpecError(e)) throw e;
  process.stderr.write(`spec error: ${e.message}\n`);
  process.exitCode = 2;
}
