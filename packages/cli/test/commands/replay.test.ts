// Each capture under captures/ was recorded with `tsconntrack ARGS --netns NS --record NAME.pcap` in a
// private namespace (entries made with conntrack -I). Replaying it must give the same stdout, stderr
// and exit status, without root: run as nobody when the tests run as root.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO, runCli } from "../../../../test/cli/run-cli.js";

const CAPTURES = fileURLToPath(new URL("./captures/", import.meta.url));
const built = existsSync(join(REPO, "packages/cli/dist/main.js"));
const names = readdirSync(CAPTURES).filter((name) => name.endsWith(".cmd")).map((name) => name.slice(0, -4)).sort();

describe("commands replayed from recorded captures", () => {
  if (!built) {
    it.skip("packages/cli/dist/main.js is missing: run `pnpm build` first", () => {});
    return;
  }
  for (const name of names) {
    const read = (ext: string): string => readFileSync(join(CAPTURES, `${name}.${ext}`), "utf8");
    it(`${name}: tsconntrack ${read("cmd").trim()}`, () => {
      const args = read("cmd").trim().split(/\s+/);
      const result = runCli([...args, "--replay", join(CAPTURES, `${name}.pcap`)], { unprivileged: true });
      expect(result.stdout).toBe(read("out"));
      expect(result.stderr).toBe(read("err"));
      expect(result.status).toBe(Number(read("rc")));
    });
  }
});
