// Every nfct golden fixture replays byte for byte, as nobody: `tsnfct $(cat NAME.cmd) --replay
// NAME.pcap` prints NAME.out, NAME.err (our name in the prefix) and exits with NAME.status. The
// replay is strict, so each request tsnfct sends must be the one nfct 1.4.7 sent, byte for byte.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { REPO } from "../cli/run-cli.js";
import { asNfct, runNfct } from "./run-nfct.js";

const FIXTURES = join(REPO, "fixtures", "nfct");
const names = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith(".cmd")).map((f) => f.slice(0, -4)).sort() : [];
const built = existsSync(join(REPO, "packages/cli/dist/nfct/main.js"));
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const timeoutSchema = new Ajv({ strict: true }).compile(JSON.parse(readFileSync(join(REPO, "packages/cli/schema/nfct-timeout.schema.json"), "utf8")));

describe("nfct golden fixtures replay byte for byte", () => {
  if (!built) {
    it.skip("packages/cli/dist/nfct/main.js is missing: run `pnpm build` first", () => {});
    return;
  }

  it("has the captures, each with its companion files and a README line", () => {
    expect(names.length).toBeGreaterThanOrEqual(40);
    const readme = readFileSync(join(FIXTURES, "README.md"), "utf8");
    for (const name of names) {
      for (const ext of [".pcap", ".out", ".err", ".status", ".time", ".io"]) expect(existsSync(join(FIXTURES, name + ext)), name + ext).toBe(true);
      expect(readme).toContain(`| ${name} |`);
    }
  });

  for (const name of names) {
    it(name, () => {
      const base = join(FIXTURES, name);
      const args = readFileSync(`${base}.cmd`, "utf8").trim().split(/\s+/);
      const result = runNfct([...args, "--replay", `${base}.pcap`], { unprivileged: true });
      expect(asNfct(result.stderr)).toBe(readFileSync(`${base}.err`, "utf8"));
      expect(asNfct(result.stdout)).toBe(readFileSync(`${base}.out`, "utf8"));
      expect(result.status).toBe(Number(readFileSync(`${base}.status`, "utf8").trim()));
    });
  }

  // The same captures answer -o json (the requests do not change): one array, valid by the schema,
  // holding the policies the text shows.
  const printing = names.filter((name) => readFileSync(join(FIXTURES, `${name}.out`), "utf8") !== "");
  for (const name of printing) {
    it(`${name} -o json`, () => {
      const base = join(FIXTURES, name);
      const args = readFileSync(`${base}.cmd`, "utf8").trim().split(/\s+/);
      const result = runNfct([...args, "-o", "json", "--replay", `${base}.pcap`], { unprivileged: true });
      expect(result.status).toBe(0);
      const document = JSON.parse(result.stdout) as { name?: string; policy?: object }[];
      expect(timeoutSchema(document), JSON.stringify(timeoutSchema.errors)).toBe(true);
      const text = readFileSync(`${base}.out`, "utf8");
      // nfct's objects end with "};"; a named one starts with ".NAME = {" (defaults have no name).
      const textNames = text.split("};\n").slice(0, -1).map((block) => /^\.(\S+) = \{/.exec(block)?.[1] ?? "");
      expect(document.map((p) => p.name ?? "")).toEqual(textNames);
      expect(document.every((p) => p.policy !== undefined)).toBe(true);
    });
  }
});
