// The README's first code block must run: it is the package's Example.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

it("README example runs and prints what its comments say", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const src = (p: string) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));
  const runnable = code
    .replace('"@tsconntrack/codec/conntrack"', JSON.stringify(src("conntrack.ts")))
    .replace('"@tsconntrack/codec"', JSON.stringify(src("index.ts")));
  const dir = mkdtempSync(join(tmpdir(), "codec-readme-"));
  const file = join(dir, "example.ts");
  writeFileSync(file, runnable);
  const logged: unknown[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((v: unknown) => void logged.push(v));
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    spy.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
  expect(logged).toEqual([
    { nfgenFamily: 2, version: 0, resId: 0 },
    "10.0.0.1",
    { tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" }, tupleProto: { protoNum: 6, protoSrcPort: 40000, protoDstPort: 443 } },
    "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src",
  ]);
});
