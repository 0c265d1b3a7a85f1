import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isConfigError, loadConfig, parseConfig, tokenize, type DaemonConfig } from "@tsconntrack/conntrackd";

const REF = join(__dirname, "../../../../shared/reference/conntrack-tools-1.4.7");
const SAMPLES = ["doc/sync/notrack/conntrackd.conf", "doc/sync/ftfw/conntrackd.conf", "doc/sync/alarm/conntrackd.conf", "doc/stats/conntrackd.conf", "tests/conntrackd/netns/conntrackd-nsr1.conf", "tests/conntrackd/netns/conntrackd-nsr2.conf"];

function parseError(text: string): string {
  try {
    parseConfig(text);
  } catch (error) {
    if (isConfigError(error)) return error.text;
    throw error;
  }
  return "no error";
}

describe("tokenizer (1.4.7's flex rules: longest match, earlier rule on ties)", () => {
  const cases: [string, string[]][] = [
    ["on ON yes No off", ["on", "on", "on", "off", "off"]],
    ["1234", ["number"]],
    ["abcd", ["ip"]], // hex_255 beats string on a tie: IPv6 rule comes first
    ["eth2", ["string"]],
    ["10.0.0.1 10.0.0.0/8 fe80::1 ::1", ["ip", "ip", "ip", "ip"]],
    ["/var/run/conntrackd.ctl", ["path"]],
    ["Sync Syncx", ["keyword", "string"]],
    ["NOTRACK ftfw Alarm nack persistenT", ["mode", "mode", "mode", "mode", "mode"]],
    ["-5 +3", ["signed", "signed"]],
    ["{ } # comment\n;", ["char", "char", "char"]],
    ["CLOSE_WAIT CLOSE CLOSED", ["keyword", "keyword", "keyword"]],
  ];
  for (const [text, kinds] of cases) {
    it(JSON.stringify(text), () => {
      expect(tokenize(text).filter((t) => t.kind !== "eof").map((t) => t.kind)).toEqual(kinds);
    });
  }
  it("counts lines across comments and blank lines", () => {
    const tokens = tokenize("# a\n\nGeneral {\n  HashSize 1 # x\n}\n");
    expect(tokens.map((t) => [t.text, t.line])).toEqual([["General", 3], ["{", 3], ["HashSize", 4], ["1", 4], ["}", 5], ["", 6]]);
  });
});

describe("sample configurations", () => {
  for (const sample of SAMPLES) {
    it(`parses ${sample}`, () => {
      const config = loadConfig(join(REF, sample));
      expect(config.kind).toBe(sample.includes("stats") ? "stats" : "sync");
    });
  }
  it("reads the NOTRACK sample's values and 1.4.7's defaults", () => {
    const c: DaemonConfig = loadConfig(join(REF, "doc/sync/notrack/conntrackd.conf"));
    expect(c.sync.mode).toBe("notrack");
    expect(c.sync.channels).toHaveLength(1);
    expect(c.sync.channels[0]).toMatchObject({
      type: "mcast", isDefault: false, address: "225.0.0.50", port: 3780, interfaceAddress: "192.168.100.100",
      interface: "eth2", sndBuffer: 1249280, rcvBuffer: 1249280, checksum: true,
    });
    expect(c.general).toMatchObject({ hashSize: 32768, hashLimit: 131072, logFile: "/var/log/conntrackd.log", lockFile: "/var/lock/conntrack.lock", unixPath: "/var/run/conntrackd.ctl", netlinkBufferSize: 2097152, netlinkBufferSizeMaxGrowth: 8388608 });
    expect(c.general.filter?.protocol).toEqual({ logic: "accept", protocols: [6, 132, 33] });
    expect(c.general.filter?.address?.logic).toBe("ignore");
    expect(c.general.filter?.address?.entries.map((e) => e.address)).toEqual(["127.0.0.1", "192.168.0.100", "192.168.1.100", "192.168.0.1", "192.168.1.1", "192.168.100.100"]);
    expect([c.refreshTime, c.cacheTimeout, c.commitTimeout, c.purgeTimeout, c.resendQueueSize, c.windowSize]).toEqual([60, 180, 0, 60, 131072, 300]);
  });
  it("reads UDP channels, FTFW options and filters", () => {
    const c = parseConfig(`Sync {
      Mode FTFW { ResendQueueSize 1000 ACKWindowSize 20 PurgeTimeout 5 CommitTimeout 7 DisableExternalCache off StartupResync on }
      UDP Default { IPv4_address 10.0.0.1 IPv4_Destination_Address 10.0.0.2 Port 3781 Interface eth1 Checksum off }
      Options { TCPWindowTracking on ExpectationSync off }
    }
    General { LockFile /tmp/x.lock UNIX { Path /tmp/x.ctl } Syslog local3 NetlinkOverrunResync off
      Filter From Kernelspace { State Ignore { SYN_SENT CLOSE for TCP } Address Accept { IPv4_address 10.0.0.0/8 IPv6_address ::1 } } }`);
    expect(c.sync.mode).toBe("ftfw");
    expect(c.sync.channels[0]).toMatchObject({ type: "udp", isDefault: true, address: "10.0.0.1", destination: "10.0.0.2", port: 3781, interface: "eth1", checksum: false });
    expect([c.resendQueueSize, c.windowSize, c.purgeTimeout, c.commitTimeout]).toEqual([1000, 20, 5, 7]);
    expect(c.sync.startupResync).toBe(true);
    expect(c.sync.tcpWindowTracking).toBe(true);
    expect(c.general.syslogFacility).toBe(19 << 3);
    expect(c.general.netlinkOverrunResync).toBe(-1);
    expect(c.general.filter).toEqual({
      fromKernelspace: true,
      state: { logic: "ignore", states: [1, 8] },
      address: { logic: "accept", entries: [{ family: 4, address: "10.0.0.0", prefix: 8 }, { family: 6, address: "::1", prefix: 128 }] },
    });
  });
  it("reads TCP links", () => {
    const c = parseConfig("Sync { Mode NOTRACK { } TCP { IPv4_address 10.0.0.1 IPv4_Destination_Address 10.0.0.2 Port 3780 Interface eth1 ErrorQueueLength 64 } }");
    expect(c.sync.channels[0]).toMatchObject({ type: "tcp", address: "10.0.0.1", destination: "10.0.0.2", port: 3780, errorQueueLength: 64 });
    expect(parseError("Sync { UDP { ErrorQueueLength 5 } }")).toBe("parsing config file in line (1), symbol 'ErrorQueueLength': syntax error");
  });
  it("warns like 1.4.7 about ignored values", () => {
    const c = parseConfig("Sync { Mode NACK { } UDP { Interface nosuch0 } }\nGeneral { Syslog fish Nice -1 Filter { Protocol Accept { NOPROTO } } }", { interfaceExists: () => false });
    expect(c.sync.mode).toBe("ftfw");
    expect(c.warnings).toEqual([
      "Now `nack' mode is called `ftfw'. Please, update your conntrackd.conf file.\n",
      "nosuch0 is an invalid interface",
      "'fish' is not a known syslog facility, ignoring",
      "deprecated nice configuration, ignoring. The nice value can be set externally with nice(1) and renice(1).",
      "getprotobyname() cannot find protocol `NOPROTO' in /etc/protocols",
    ]);
  });
});

// Bad files, each with the message 1.4.7 prints (checked against the binary below).
const BAD: [string, string][] = [
  ["General {\n  HashSize foo\n}\n", "parsing config file in line (2), symbol 'foo': syntax error"],
  ["General {\n  Foo 1\n}\n", "parsing config file in line (2), symbol 'Foo': syntax error"],
  ["General {\n  HashSize 1\n", "parsing config file in line (3), symbol '': syntax error"],
  ["Sync {\n Mode FTFW {\n  RefreshTime 5\n }\n}\n", "parsing config file in line (3), symbol 'RefreshTime': syntax error"],
  ["Sync {\n Mode ALARM { ResendQueueSize 5 }\n}\n", "parsing config file in line (2), symbol 'ResendQueueSize': syntax error"],
  ["Sync { Multicast { Port 5 } }\n", "parsing config file in line (1), symbol 'Port': syntax error"],
  ["Sync { UDP { Group 5 } }\n", "parsing config file in line (1), symbol 'Group': syntax error"],
  ["Sync { }\nStats { }\n", "cannot use both `Stats' and `Sync' clauses in conntrackd.conf"],
  ["Sync { UDP { } Multicast { } }\n", "cannot use `Multicast' with other dedicated link protocols!"],
  ["General { UNIX { Path relative } }\n", "parsing config file in line (1), symbol 'relative': syntax error"],
  ["General { Filter { State Accept { ESTABLISHED for UDP } } }\n", "parsing config file in line (1), symbol 'UDP': syntax error"],
  ["General { Scheduler { Type foo } }\n", "unknown scheduler `foo'"],
  ["General { } }\n", "parsing config file in line (1), symbol '}': syntax error"],
  ["Sync { UDP {} UDP {} UDP {} UDP {} UDP { Port 1 } }\n", "too many dedicated links in the configuration file (Maximum: 4)"],
];

describe("errors name the line and the symbol", () => {
  for (const [text, message] of BAD) it(JSON.stringify(text), () => expect(parseError(text)).toBe(message));
  it("refuses what tsconntrackd does not implement, with a reason", () => {
    expect(parseError("Helper { }\n")).toBe("parsing config file in line (1), symbol 'Helper': user-space helpers (Helper) are not supported by tsconntrackd");
    expect(parseError("Sync { Options { ExpectationSync on } }\n")).toMatch(/line \(1\), symbol 'ExpectationSync': expectation sync/);
    expect(parseConfig("Sync { Multicast { IPv6_address ff15::cafe Group 3780 Interface eth1 } }").sync.channels[0]).toMatchObject({ type: "mcast", family: 6, address: "ff15::cafe" });
    expect(parseConfig("Sync { UDP { IPv6_address fd00::1 IPv6_Destination_Address fd00::2 } }").sync.channels[0]).toMatchObject({ family: 6, address: "fd00::1", destination: "fd00::2" });
  });
  it("reports a missing file as 1.4.7 does", () => {
    try {
      loadConfig("/nonexistent/conntrackd.conf");
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe("can't open config file `/nonexistent/conntrackd.conf'");
    }
  });
});

const haveConntrackd = spawnSync("conntrackd", ["-v"]).status === 0;
describe.skipIf(!haveConntrackd)("the same messages as conntrackd 1.4.7", () => {
  const dir = mkdtempSync(join(tmpdir(), "ctd-config-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Only files that fail while parsing: conntrackd exits before it touches anything.
  BAD.forEach(([text, message], i) => {
    if (message.startsWith("too many")) return; // 1.4.7 checks that one while reading a later option
    it(`#${i}`, () => {
      const file = join(dir, `bad${i}.conf`);
      writeFileSync(file, text);
      const run = spawnSync("conntrackd", ["-C", file, "-s"], { encoding: "utf8", timeout: 10_000 });
      const line = run.stderr.trim().split("\n").pop() ?? "";
      expect(line.replace(/^\[[^\]]*\] \(pid=\d+\) \[ERROR\] /, "")).toBe(message);
      expect(run.status).toBe(1);
    });
  });
});
