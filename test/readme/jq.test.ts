// The README's jq examples must work as printed: each runs against a golden kernel capture
// (--replay, no root) and must exit 0 with output that jq produced.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execHost, hasCommand } from "../support/netns.js";

const root = join(import.meta.dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const jsonSection = readme.slice(readme.indexOf("### JSON"), readme.indexOf("### Capture and replay"));
const examples = [...jsonSection.matchAll(/^tsconntrack .*\| jq .*$/gm)].map((m) => m[0]);

/** Events come from a capture of -E; listings from a varied table dump. */
function captureFor(command: string): string {
  return join(root, "fixtures", / -E /.test(` ${command} `) ? "events-E.pcap" : "varied-L.pcap");
}

describe("README jq examples", () => {
  it("the README has jq examples", () => expect(examples.length).toBeGreaterThanOrEqual(3));

  const jq = hasCommand("jq");
  if (!jq) it.skip("needs jq (apt-get install jq)", () => {});

  for (const example of examples) {
    it.runIf(jq)(example, () => {
      const [tool, ...filter] = example.split(" | ");
      const line = `${tool!.replace(/^tsconntrack/, join(root, "bin/tsconntrack"))} --replay ${captureFor(tool!)} | ${filter.join(" | ")}`;
      const result = execHost("bash", ["-o", "pipefail", "-c", line], { env: { TSCONNTRACK_NOW: "1795480200" } });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout.trim()).not.toBe("");
      expect(result.stdout).not.toMatch(/null\n?$/);
    });
  }
});
