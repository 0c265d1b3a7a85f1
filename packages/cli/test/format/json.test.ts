import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import AjvModule from "ajv";
import { describe, expect, it } from "vitest";
import { JsonListWriter, formatCpuStatsJson, formatExpectCpuStatsJson, formatGlobalStatsJson, formatOverrunJson, jsonString } from "../../src/format/index.js";
import { formatConntrackEventJson, formatConntrackJson, formatExpectEventJson, formatExpectJson, type ConntrackValue } from "./render.js";
import { S, TCP, counters, labels, ns, t4, t6, tcp } from "./build.js";

const schemaDir = fileURLToPath(new URL("../../schema/", import.meta.url));
const load = (name: string) => JSON.parse(readFileSync(schemaDir + name, "utf8"));
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: true });
const schemas = {
  entry: load("conntrack-entry.schema.json"),
  event: load("conntrack-event.schema.json"),
  expect: load("conntrack-expect.schema.json"),
  stats: load("conntrack-stats.schema.json"),
};
for (const s of Object.values(schemas)) ajv.addSchema(s);
const validate = (schema: { $id: string }, json: string) => {
  const v = ajv.getSchema(schema.$id)!;
  const ok = v(JSON.parse(json));
  expect(v.errors ?? [], json).toEqual([]);
  expect(ok).toBe(true);
};

const ASSURED = S.SEEN_REPLY | S.ASSURED | S.CONFIRMED;
const established: ConntrackValue = {
  tupleOrig: t4("10.0.0.1", "10.0.0.2", 6, { sport: 51814, dport: 6379 }),
  tupleReply: t4("10.0.0.2", "10.0.0.1", 6, { sport: 6379, dport: 51814 }),
  status: ASSURED,
  protoinfo: tcp(TCP.ESTABLISHED),
  timeout: 431999,
  mark: 0,
  countersOrig: counters(12, 2104),
  countersReply: counters(10, 1880),
  use: 1,
  id: 3672847611,
};

describe("conntrack JSON", () => {
  it("the peers.md §D shape", () => {
    const json = formatConntrackJson(established, { family: 2 });
    expect(json).toBe(
      '{"family":"ipv4","proto":"tcp","protonum":6,"state":"ESTABLISHED","timeout":431999,' +
        '"orig":{"src":"10.0.0.1","dst":"10.0.0.2","sport":51814,"dport":6379,"packets":12,"bytes":2104},' +
        '"reply":{"src":"10.0.0.2","dst":"10.0.0.1","sport":6379,"dport":51814,"packets":10,"bytes":1880},' +
        '"status":["SEEN_REPLY","ASSURED","CONFIRMED"],"mark":0,"use":1,"id":3672847611}',
    );
    validate(schemas.entry, json);
  });

  it("counters stay exact: numbers below 2^53, digit strings beyond; kernel timestamps as RFC 3339 with nanoseconds", () => {
    const json = formatConntrackJson({ ...established, countersOrig: counters(18446744073709551615n, 9007199254740993n), timestamp: { start: 1795386532566348667n, stop: 1795386562566348668n } }, { family: 2 });
    expect(json).toContain('"packets":"18446744073709551615","bytes":"9007199254740993"}');
    expect(formatConntrackJson({ ...established, countersOrig: counters(9007199254740991n, 0n) }, { family: 2 })).toContain('"packets":9007199254740991,"bytes":0}');
    // 1795386532566348667 ns is 2026-11-22T22:28:52.566348667Z: a number would lose the last digits in JSON.parse.
    expect(json).toContain('"timestamp":{"start":"2026-11-22T22:28:52.566348667Z","stop":"2026-11-22T22:29:22.566348668Z"}');
    validate(schemas.entry, json);
  });

  it("icmp, gre, unknown, dccp without ports, zones, labels, helper, secctx, master", () => {
    const cases: [ConntrackValue, number][] = [
      [{ tupleOrig: t6("2001:db8::1", "2001:db8::3", 58, { type: 128, code: 0, id: 77, v6: true }), tupleReply: t6("2001:db8::3", "2001:db8::1", 58, { type: 129, code: 0, id: 77, v6: true }), status: S.CONFIRMED }, 10],
      [{ tupleOrig: t4("1.1.1.1", "2.2.2.2", 47, { sport: 0x1234, dport: 0x5678 }) }, 2],
      [{ tupleOrig: t4("1.1.1.1", "2.2.2.2", 200), tupleReply: t4("2.2.2.2", "1.1.1.1", 200) }, 2],
      [{ tupleOrig: t4("1.1.1.1", "2.2.2.2", 33), tupleReply: t4("2.2.2.2", "1.1.1.1", 33), protoinfo: { protoinfoSctp: { sctpState: 4 } } }, 2],
      [{ tupleOrig: t4("1.1.1.1", "2.2.2.2", 17, { sport: 1, dport: 2 }, 3), tupleReply: t4("2.2.2.2", "1.1.1.1", 17, { sport: 2, dport: 1 }, 4), zone: 5, labels: labels(0, 127), help: { helpName: "ftp" }, secctx: { secctxName: 'we"ird\n' }, tupleMaster: t4("1.1.1.1", "2.2.2.2", 6, { sport: 40021, dport: 21 }), secmark: Uint8Array.of(0, 0, 0, 1), status: 1 << 20 }, 2],
      [{}, 0],
    ];
    const out = cases.map(([ct, family]) => formatConntrackJson(ct, { family }, { labelMap: new Map([[0, "a"]]) }));
    for (const json of out) validate(schemas.entry, json);
    expect(JSON.parse(out[0])).toMatchObject({ family: "ipv6", proto: "icmpv6", orig: { type: 128, code: 0, id: 77 }, reply: { type: 129 } });
    expect(JSON.parse(out[1]).orig).toEqual({ src: "1.1.1.1", dst: "2.2.2.2", srckey: 0x1234, dstkey: 0x5678 });
    expect(JSON.parse(out[2])).toEqual({ family: "ipv4", proto: "unknown", protonum: 200, orig: { src: "1.1.1.1", dst: "2.2.2.2" }, reply: { src: "2.2.2.2", dst: "1.1.1.1" } });
    // Absent attributes stay absent: no synthesized dccp ports.
    expect(JSON.parse(out[3])).toEqual({ family: "ipv4", proto: "dccp", protonum: 33, state: "ESTABLISHED", orig: { src: "1.1.1.1", dst: "2.2.2.2" }, reply: { src: "2.2.2.2", dst: "1.1.1.1" } });
    expect(JSON.parse(out[4])).toMatchObject({
      orig: { zone: 3 }, reply: { zone: 4 }, zone: 5, labels: [0, 127], label_names: ["a"], helper: "ftp", secctx: 'we"ird\n',
      master: { src: "1.1.1.1", dst: "2.2.2.2", sport: 40021, dport: 21 }, status: ["BIT_20"], secmark: 1,
    });
    expect(out[5]).toBe('{"family":"unknown"}');
  });

  it("events add event and time; overrun lines validate too", () => {
    const json = formatConntrackEventJson({ ...established, countersOrig: undefined, countersReply: undefined } as ConntrackValue, { family: 2, event: "destroy" }, { sec: 1795386501, usec: 1193 });
    expect(json.startsWith('{"event":"destroy","time":"2026-11-22T22:28:21.001193000Z","family":"ipv4",')).toBe(true);
    validate(schemas.event, json);
    validate(schemas.event, formatOverrunJson({ sec: 5, usec: 0 }));
    expect(() => validate(schemas.entry, json)).toThrow();
  });

  it("the event schema lists every entry key", () => {
    const entryKeys = Object.keys(schemas.entry.properties);
    const eventKeys = Object.keys(schemas.event.oneOf[0].properties);
    // -E adds where the event came from: netns (--all-netns), portid and progname ([USERSPACE]).
    expect(eventKeys.sort()).toEqual([...entryKeys, "event", "time", "netns", "portid", "progname"].sort());
  });
});

describe("JSON strings", () => {
  it("escapes only when needed, including lone surrogates", () => {
    expect(jsonString("ftp")).toBe('"ftp"');
    expect(jsonString('a"b\\c\u0001')).toBe(JSON.stringify('a"b\\c\u0001'));
    expect(JSON.parse(jsonString("x\ud800y"))).toBe("x\ud800y");
  });
});

describe("expectation and stats JSON", () => {
  const exp = {
    expectMaster: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40021, dport: 21 }),
    expectTuple: t4("192.168.77.1", "192.168.77.2", 6, { sport: 0, dport: 50000 }),
    expectMask: t4("255.255.255.255", "255.255.255.255", 6, { sport: 0, dport: 65535 }),
    expectTimeout: 298,
    expectId: 9,
    expectHelpName: "ftp",
    expectFlags: 5,
    expectClass: 0,
    expectZone: 1,
  };
  it("expectations", () => {
    const json = formatExpectJson(exp, { family: 2 });
    expect(JSON.parse(json)).toMatchObject({ proto: "tcp", timeout: 298, expected: { dport: 50000 }, mask: { dport: 65535 }, master: { sport: 40021 }, flags: ["PERMANENT", "USERSPACE"], helper: "ftp", id: 9 });
    validate(schemas.expect, json);
    validate(schemas.expect, formatExpectEventJson(exp, { family: 2, event: "new" }, { sec: 1, usec: 2 }));
  });
  it("stats", () => {
    const cpu = formatCpuStatsJson(0, { found: 0, insert: 2, insertFailed: 0, chainToolong: 0, $unknown: [{ type: 16, data: Uint8Array.of(0, 0, 0, 4) }] });
    expect(cpu).toBe('{"cpu":0,"found":0,"insert":2,"insert_failed":0,"chaintoolong":0,"unknown1":4}');
    validate(schemas.stats, cpu);
    validate(schemas.stats, formatExpectCpuStatsJson(1, { new: 0, create: 1, delete: 2 }));
    const global = formatGlobalStatsJson({ entries: 10, maxEntries: 262144 });
    expect(global).toBe('{"entries":10,"max":262144}');
    validate(schemas.stats, global);
  });
});

describe("list writers", () => {
  it("json: one array, [] when empty", () => {
    const w = new JsonListWriter("json");
    expect(w.end()).toBe("[]\n");
    const w2 = new JsonListWriter("json");
    const text = w2.item('{"a":1}') + w2.item('{"a":2}') + w2.end();
    expect(text).toBe('[{"a":1},{"a":2}]\n');
    expect(JSON.parse(text)).toHaveLength(2);
  });
  it("ndjson: one object per line", () => {
    const w = new JsonListWriter("ndjson");
    expect(w.item("{}") + w.item("{}") + w.end()).toBe("{}\n{}\n");
  });
  it("a listing of real-looking entries validates as an array", () => {
    const w = new JsonListWriter("json");
    let text = "";
    for (let i = 0; i < 50; i++) {
      text += w.item(formatConntrackJson({ ...established, id: i, timestamp: { start: ns(100 + i) } }, { family: 2 }));
    }
    text += w.end();
    const parsed = JSON.parse(text) as unknown[];
    expect(parsed).toHaveLength(50);
    const v = ajv.getSchema(schemas.entry.$id)!;
    expect(parsed.every((o) => v(o))).toBe(true);
  });
});

describe("-S -o json and -C -o json (the CLI on captures)", () => {
  const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
  const cli = (args: string[]) => {
    const run = spawnSync(`${REPO}bin/tsconntrack`, [...args, "--replay", `${REPO}fixtures/${args[0] === "-S" ? "varied-S" : "varied-C"}${args[1] === "expect" ? "-expect" : ""}.pcap`], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    return run.stdout;
  };
  it.each([["-S"], ["-S", "expect"], ["-C"], ["-C", "expect"]])("%j prints JSON the stats schema accepts", (...args) => {
    // -S lists one object per CPU (an array, or a line each), -C one object.
    const json = JSON.parse(cli([...args, "-o", "json"])) as unknown;
    for (const item of Array.isArray(json) ? json : [json]) validate(schemas.stats, JSON.stringify(item));
    for (const line of cli([...args, "-o", "ndjson"]).split("\n").filter(Boolean)) validate(schemas.stats, line);
  });
});
