// Every nfct golden fixture replays byte for byte, as nobody: `tsnfct $(cat NAME.cmd) --replay
// NAME.pcap` prints NAME.out, NAME.err (our name in the prefix) and exits with NAME.status. The
// replay is strict, so each request tsnfct sends must be the one nfct 1.4.7 sent, byte for byte.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../cli/run-cli.js";
import { asNfct, runNfct } from "./run-nfct.js";

const FIXTURES = join(REPO, "fixtures", "nfct");
const names = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith(".cmd")).map((f) => f.slice(0, -4)).sort() : [];
const built = existsSync(join(REPO, "packages/cli/dist/nfct/main.js"));

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
});
