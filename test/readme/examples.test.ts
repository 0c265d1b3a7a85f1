// Each library package README opens with a runnable TypeScript example; these tests run them as written, so the docs
// cannot go stale. Examples that talk to the kernel run inside a private network namespace that
// replaces the README's placeholder namespace "lab".
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canRunKernelTests, createNetns, destroyNetns, execHost } from "../support/netns.js";

const root = join(import.meta.dirname, "../..");
const tsx = join(root, "node_modules/.bin/tsx");

function firstTsBlock(readme: string): string | undefined {
  const path = join(root, readme);
  return existsSync(path) ? /```ts\n([\s\S]*?)```/.exec(readFileSync(path, "utf8"))?.[1] : undefined;
}

/** Runs example code from inside the test package, so package names resolve as they do for users. */
function runExample(code: string): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(import.meta.dirname, ".example-"));
  try {
    const file = join(dir, "example.ts");
    writeFileSync(file, code);
    return execHost(tsx, [file], { timeoutMs: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kernel = canRunKernelTests();

describe.each(["packages/socket/README.md", "packages/conntrack/README.md", "packages/nfct/README.md"])("%s example", (readme) => {
  const code = firstTsBlock(readme);
  it("has a runnable ts example", () => expect(code).toBeDefined());
  it.runIf(code !== undefined && kernel.ok)("runs against a real kernel in a private namespace", () => {
    const ns = createNetns("readme");
    try {
      const result = runExample(code!.replaceAll('"lab"', JSON.stringify(ns)));
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
    } finally {
      destroyNetns(ns);
    }
  });
  if (!kernel.ok) it.skip(`needs the kernel: ${kernel.reason}`, () => {});
});

// The README's sh blocks (the CLI's and tsnfct's examples among them) run in sh-blocks.test.ts.
