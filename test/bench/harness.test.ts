// Pure helpers of the benchmark harness only: no kernel, no timing assertions.
import { describe, expect, it } from "vitest";
import { AF_INET6, BENCH_MARK, IPPROTO_TCP, countShapes, flowAttrs, flowShape } from "./flows.js";
import { formatCount, formatRatio, formatSeconds, markdownTable, skippedRow, type Row } from "./report.js";
import { errorLine } from "./command.js";
import { parseTimeOutput } from "./runner.js";
import { median, ratio, verdictFor } from "./stats.js";

describe("stats", () => {
  it("takes the middle sample, or the mean of the two middle ones", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("ratios and verdicts treat missing values as failures", () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(undefined, 4)).toBeNaN();
    expect(ratio(1, 0)).toBeNaN();
    expect(verdictFor(0.5, 0.5)).toBe("PASS");
    expect(verdictFor(0.51, 0.5)).toBe("FAIL");
    expect(verdictFor(Number.NaN, 1)).toBe("FAIL");
  });
});

describe("table shapes", () => {
  it("are 5% IPv6, half of the port-22 flows among them, with addresses of their family", () => {
    expect(countShapes(100_000, (shape) => shape.family === AF_INET6)).toBe(5_000);
    const port22 = (shape: ReturnType<typeof flowShape>) => shape.proto === IPPROTO_TCP && shape.dport === 22;
    expect(countShapes(100_000, (shape) => port22(shape) && shape.family === AF_INET6)).toBe(countShapes(100_000, port22) / 2);
    expect(flowAttrs(10).tupleOrig?.tupleIp).toEqual({ ipV6Src: "2001:db8::0:a", ipV6Dst: "2001:db8:ffff::1" });
    expect(flowAttrs(1_311_330).tupleReply?.tupleIp?.ipV6Dst).toBe("2001:db8::14:262");
    expect(flowAttrs(1).tupleOrig?.tupleIp).toEqual({ ipV4Src: "10.0.0.1", ipV4Dst: "192.0.2.1" });
  });
});

describe("report", () => {
  it("formats sizes, times and ratios", () => {
    expect([formatCount(1_000_000), formatCount(100_000), formatCount(2_500), formatCount(999)]).toEqual(["1M", "100k", "2.5k", "999"]);
    expect([formatSeconds(0.0123), formatSeconds(1.5), formatSeconds(undefined)]).toEqual(["12.3 ms", "1.50 s", "—"]);
    expect(formatRatio(0.704)).toBe("0.70x");
    expect(formatRatio(Number.NaN)).toBe("—");
  });

  it("prints a markdown table with escaped pipes", () => {
    const row: Row = { name: "`-L`", entries: "1M", ours: "1.00 s", theirs: "2.00 s", ratio: "0.50x", target: "≤ 1.0x", verdict: "PASS", rss: "—" };
    const table = markdownTable([row, skippedRow("`-E`", "5k", "exit 1 | boom")]).split("\n");
    expect(table[0]).toBe("| case | entries | tsconntrack | conntrack | ratio | target | verdict | peak RSS (ts / ct) |");
    expect(table[1]).toBe("| --- | --- | --- | --- | --- | --- | --- | --- |");
    expect(table[2]).toBe("| `-L` | 1M | 1.00 s | 2.00 s | 0.50x | ≤ 1.0x | PASS | — |");
    expect(table[3]).toContain("skipped: exit 1 \\| boom");
  });
});

describe("runner parsing", () => {
  it("reads peak RSS from GNU time output, also after a failure line", () => {
    expect(parseTimeOutput("2048\n")).toBe(2048);
    expect(parseTimeOutput("Command exited with non-zero status 1\n4096\n")).toBe(4096);
    expect(parseTimeOutput("")).toBeUndefined();
  });

  it("picks the Error line of a Node stack trace", () => {
    expect(errorLine("node:internal/x:1\n   throw e\nError [ERR_MODULE_NOT_FOUND]: Cannot find module\n  at y")).toBe("Error [ERR_MODULE_NOT_FOUND]: Cannot find module");
    expect(errorLine("conntrack v1.4.7: Operation failed\n")).toBe("conntrack v1.4.7: Operation failed");
  });
});

describe("flows", () => {
  it("mixes TCP port 22 and mark 3 into the table deterministically", () => {
    expect(flowShape(0)).toEqual({ proto: IPPROTO_TCP, dport: 22, mark: BENCH_MARK, family: 2 });
    expect(countShapes(1000, (s) => s.proto === IPPROTO_TCP && s.dport === 22)).toBe(100);
    expect(countShapes(1000, (s) => s.mark === BENCH_MARK)).toBe(250);
  });
});
