import { describe, expect, it } from "vitest";
import { loadFileRefusal, parseArgs, parseLabelMap, splitLoadFileLine, type ParseEnv } from "../../src/args/index.js";
import { formatIPv6 } from "@tsconntrack/codec";
import { inetAton, inetPton6 } from "../../src/args/inet.js";
import { Getopt, matchLongOption } from "../../src/args/getopt.js";
import { LONG_OPTIONS, OPTSTRING } from "../../src/args/option-table.js";

const LABELS = parseLabelMap("# comment\n0 eth0-in\n1\tbulk  \n1 dup-bit\n2 bad;name\n0x3 far-label\n2000 too-big\n")!;
const WITH_LABELS: ParseEnv = { loadLabelMap: () => ({ map: LABELS }) };

describe("label map and label options", () => {
  it("parses connlabel.conf like libnetfilter_conntrack", () => {
    expect([...LABELS]).toEqual([["eth0-in", 0], ["bulk", 1], ["far-label", 3]]);
    expect(parseLabelMap("# nothing\n")).toBeNull();
  });

  it("resolves -l, --label-add and --label-del", () => {
    expect(parseArgs(["-L", "-l", "bulk,eth0-in", "-l", "far-label"], WITH_LABELS)).toMatchObject({ ok: true, labels: [0, 1, 3] });
    expect(parseArgs(["-U", "--label-add", "bulk"], WITH_LABELS)).toMatchObject({ ok: true, labelAdd: [1] });
    expect(parseArgs(["-U", "--label-del", "far-label"], WITH_LABELS)).toMatchObject({ ok: true, labelDel: [3] });
    expect(parseArgs(["-U", "--label-del=bulk"], WITH_LABELS)).toMatchObject({ ok: true, labelDel: [1] });
    expect(parseArgs(["-U", "--label-del"], WITH_LABELS)).toMatchObject({ ok: true, labelDel: "all" });
  });

  it("rejects unknown names and add+del", () => {
    expect(parseArgs(["-L", "-l", "bulk,,x"], WITH_LABELS)).toMatchObject({ ok: false, exitCode: 2 });
    expect(parseArgs(["-U", "--label-add", "bulk", "--label-del", "bulk"], WITH_LABELS)).toEqual({
      ok: false,
      exitCode: 1,
      stderr: "conntrack v1.4.7 (conntrack-tools): cannot use --label-add and --label-del at the same time\n",
    });
  });

  it("prints the loader's error each time conntrack retries it", () => {
    const env: ParseEnv = { loadLabelMap: () => ({ error: "Permission denied" }) };
    const result = parseArgs(["-L", "-o", "labels", "-o", "id"], env);
    expect(result).toMatchObject({ ok: true, stderr: "nfct_labelmap_new: Permission denied\n".repeat(2) });
  });
});

describe("program identity", () => {
  it("uses the given name and version in messages, usage and -V", () => {
    const env: ParseEnv = { programName: "tsconntrack", version: "0.1.0", packageName: "tsconntrack" };
    expect(parseArgs(["-L", "-t", "1"], env)).toEqual({
      ok: false,
      exitCode: 2,
      stderr: "tsconntrack v0.1.0 (tsconntrack): Illegal option `--timeout' with this command\nTry `tsconntrack -h' or 'tsconntrack --help' for more information.\n",
    });
    expect(parseArgs(["-V"], env)).toMatchObject({ stdout: "tsconntrack v0.1.0 (tsconntrack)\n" });
    const help = parseArgs(["-h"], env);
    expect(help.ok && help.stdout.split("\n").slice(0, 2)).toEqual([
      "Command line interface for the connection tracking system. Version 0.1.0",
      "Usage: tsconntrack [commands] [options]",
    ]);
  });
});

describe("getopt_long", () => {
  it("permutes non-options to the end, as glibc does", () => {
    const argv = ["prog", "a", "-L", "b", "-s", "1", "c"];
    const getopt = new Getopt(argv, OPTSTRING, LONG_OPTIONS);
    const codes: string[] = [];
    for (let r = getopt.next(); r.code !== -1; r = getopt.next()) codes.push(String.fromCharCode(r.code) + (r.optarg ?? ""));
    expect(codes).toEqual(["L", "s1"]);
    expect(argv).toEqual(["prog", "-L", "-s", "1", "a", "b", "c"]);
    expect(getopt.optind).toBe(4);
  });

  it("stops at the first non-option with POSIXLY_CORRECT", () => {
    expect(parseArgs(["conntrack", "-L"], { posixlyCorrect: true })).toMatchObject({ ok: true, command: "usage" });
  });

  it("resolves abbreviations, exact names first", () => {
    expect(matchLongOption(LONG_OPTIONS, "src")).toMatchObject({ name: "src" });
    expect(matchLongOption(LONG_OPTIONS, "reply")).toBe("ambiguous");
    expect(matchLongOption(LONG_OPTIONS, "nope")).toBeNull();
  });
});

describe("addresses", () => {
  it("follows glibc inet_aton / inet_pton / inet_ntop", () => {
    expect(inetAton("1")).toEqual(new Uint8Array([0, 0, 0, 1]));
    expect(inetAton("1.2.3")).toEqual(new Uint8Array([1, 2, 0, 3]));
    expect(inetAton("1.2.3.256")).toBeNull();
    expect(inetAton("0x")).toBeNull();
    expect(inetPton6("1::2::3")).toBeNull();
    expect(inetPton6("::1.2.3.04")).toBeNull();
    expect(formatIPv6(inetPton6("::1.2.3.4")!, 0)).toBe("::1.2.3.4");
    expect(formatIPv6(inetPton6("::ffff:0:1.2.3.4")!, 0)).toBe("::ffff:0:102:304");
    expect(formatIPv6(inetPton6("::1")!, 0)).toBe("::1");
    expect(formatIPv6(inetPton6("::")!, 0)).toBe("::");
    expect(formatIPv6(inetPton6("1:0:0:2:0:0:0:3")!, 0)).toBe("1:0:0:2::3");
    expect(formatIPv6(inetPton6("1:0:0:2:0:0:3:4")!, 0)).toBe("1::2:0:0:3:4");
  });
});

describe("-R files", () => {
  it("splits lines like conntrack", () => {
    expect(splitLoadFileLine("  -I -s 1.1.1.1\t-d  2.2.2.2\n")).toEqual(["-I", "-s", "1.1.1.1", "-d", "2.2.2.2"]);
    expect(splitLoadFileLine('-L -o "x\\"y" ""\n')).toEqual(["-L", "-o", 'x"y', ""]);
    expect(splitLoadFileLine("\t# comment\n")).toBeNull();
    expect(splitLoadFileLine("\n")).toBeNull();
  });

  it("names the commands a file may not hold", () => {
    const refusal = (line: string): string | null => {
      const parsed = parseArgs(splitLoadFileLine(line)!);
      return parsed.ok ? loadFileRefusal(parsed) : "parse error";
    };
    expect(refusal("-L")).toBe("-L");
    expect(refusal("-L expect")).toBe("-L expect");
    expect(refusal("-F")).toBeNull();
    expect(refusal("-D -s 1.1.1.1")).toBeNull();
    expect(refusal("-F expect")).toBe("-F expect");
    expect(refusal("-S")).toBe("-S");
  });
});

describe("--id", () => {
  it.each(["abc", "4294967296", "-1", " 7", "7x", "", "+5", "0x", "99999999999999999999"])("refuses %j with conntrack's Bad parameter wording", (id) => {
    const result = parseArgs(["-D", `--id=${id}`]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.exitCode).toBe(2);
      expect(result.stderr.split("\n")[0]).toBe(`conntrack v1.4.7 (conntrack-tools): Bad parameter \`${id}'`);
    }
  });

  it.each([["5", 5], ["0x10", 16], ["010", 8], ["4294967295", 4294967295], ["0", 0]])("takes %j as %i", (id, value) => {
    const result = parseArgs(["-D", "-i", id]);
    expect(result.ok && result.id).toBe(value);
  });
});
