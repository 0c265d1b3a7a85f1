// --labelmap PATH (conntrack 1.4.9's option): the loader gets the path whichever side of the label
// options it stands on, since 1.4.7's timing loads the map when the first label option is parsed.

import { describe, expect, it } from "vitest";
import { parseArgs, parseLabelMap, type ParseEnv } from "../../src/args/index.js";

const MAP = parseLabelMap("0 eth0-in\n1 bulk\n")!;

function recordingEnv(): { env: ParseEnv; paths: (string | undefined)[] } {
  const paths: (string | undefined)[] = [];
  return { paths, env: { loadLabelMap: (path) => (paths.push(path), { map: MAP }) } };
}

describe("--labelmap", () => {
  it("hands the path to the loader before or after -o labels and -l", () => {
    for (const args of [
      ["-L", "--labelmap", "/tmp/a.conf", "-o", "labels"],
      ["-L", "-o", "labels", "--labelmap", "/tmp/a.conf"],
      ["-L", "-l", "bulk", "--labelmap=/tmp/a.conf"],
      ["-L", "-l", "bulk", "--labelma", "/tmp/a.conf"],
    ]) {
      const { env, paths } = recordingEnv();
      expect(parseArgs(args, env), args.join(" ")).toMatchObject({ ok: true, extensions: { labelMap: "/tmp/a.conf" } });
      expect(paths, args.join(" ")).toEqual(["/tmp/a.conf"]);
    }
  });

  it("leaves the loader's default without it, and --label stays conntrack's option", () => {
    const { env, paths } = recordingEnv();
    expect(parseArgs(["-L", "--label", "bulk"], env)).toMatchObject({ ok: true, labels: [1] });
    expect(paths).toEqual([undefined]);
  });

  it("is passed on by -R to the lines", () => {
    expect(parseArgs(["-R", "file", "--labelmap", "m.conf"])).toMatchObject({ ok: true, command: "load-file", extensions: { labelMap: "m.conf" } });
  });

  it("needs an argument", () => {
    expect(parseArgs(["-L", "--labelmap"])).toMatchObject({ ok: false, exitCode: 2 });
  });
});
