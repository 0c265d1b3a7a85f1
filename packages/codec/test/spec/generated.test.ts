// (e) The committed src/gen/conntrack.ts is exactly what the compiler makes of spec/conntrack.yaml.

import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { TARGETS } from "../../compiler/targets.js";
import { CODEC_DIR } from "./paths.js";
import { join } from "node:path";

it.each(TARGETS)("$out is up to date with $spec (run `pnpm gen` if not)", ({ spec, out }) => {
  const fresh = compileSpec(readFileSync(join(CODEC_DIR, spec), "utf8"), { specPath: spec }).source;
  expect(readFileSync(join(CODEC_DIR, out), "utf8")).toBe(fresh);
});
