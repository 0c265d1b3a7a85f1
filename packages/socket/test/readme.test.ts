// The README's "Testing with a scripted kernel" example runs as written, from this package's
// directory, so `@tsconntrack/socket/testing` resolves through package.json "exports" (to dist:
// run `pnpm build` first, as for every test that imports a package by name).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

it("the scripted-kernel example of the README runs", () => {
  const readme = readFileSync(join(here, "../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Testing with a scripted kernel"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toBeDefined();
  const dir = mkdtempSync(join(here, ".readme-"));
  try {
    const file = join(dir, "example.ts");
    writeFileSync(file, code!);
    const run = spawnSync(tsx, [file], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
