// Each package README opens with a runnable example; these tests run them as written, so the docs
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

describe("packages/cli/README.md example", () => {
  const readme = readFileSync(join(root, "packages/cli/README.md"), "utf8");
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const lines = block.split("\n").filter((l) => l.startsWith("tsconntrack "));
  it("has replay lines to run", () => expect(lines.length).toBeGreaterThanOrEqual(3));
  for (const line of lines) {
    it(line, () => {
      const args = line.split(" ").slice(1).map((a) => (a.startsWith("fixtures/") ? join(root, a) : a));
      const result = execHost(join(root, "bin/tsconntrack"), args, { env: { TSCONNTRACK_NOW: "1795480200" } });
      expect(result.stderr).toMatch(/have been shown\.\n$/);
      expect(result.status).toBe(0);
      expect(result.stdout).not.toBe("");
    });
  }
});

describe("README.md tsnfct replay examples", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const lines = [...readme.matchAll(/^(tsnfct [^#\n]*--replay [^#\n]*?)\s*(#.*)?$/gm)].map((m) => m[1]!);
  it("has one", () => expect(lines.length).toBeGreaterThanOrEqual(1));
  for (const line of lines) {
    it(line, () => {
      const args = line.split(" ").slice(1).map((a) => (a.startsWith("fixtures/") ? join(root, a) : a));
      const result = execHost(join(root, "bin/tsnfct"), args);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^\.t1 = \{\n/);
    });
  }
});
