import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { labelMapPath, loadLabelMap } from "../../src/io/system-files.js";

describe("label map path", () => {
  const dir = mkdtempSync(join(tmpdir(), "labelmap-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is --labelmap, else $TSCONNTRACK_LABELMAP, else /etc/xtables/connlabel.conf", () => {
    expect(labelMapPath("/a", { TSCONNTRACK_LABELMAP: "/b" })).toBe("/a");
    expect(labelMapPath(undefined, { TSCONNTRACK_LABELMAP: "/b" })).toBe("/b");
    expect(labelMapPath(undefined, { TSCONNTRACK_LABELMAP: "" })).toBe("/etc/xtables/connlabel.conf");
  });

  it("loads the given file, or reports why not as perror() would", () => {
    const path = join(dir, "connlabel.conf");
    writeFileSync(path, "3 bulk\n");
    expect(loadLabelMap(path)).toEqual({ map: new Map([["bulk", 3]]) });
    expect(loadLabelMap(join(dir, "missing.conf"))).toEqual({ error: "No such file or directory" });
  });
});
