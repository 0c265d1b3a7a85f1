import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXPECT_XML_FOOTER, EXPECT_XML_HEADER, FLUSH_CONNTRACK_LINE, FLUSH_EXPECT_LINE, ENOBUFS_WARNING_LINES, bufferSizeNotice,
  expectTimePrefix, formatCount, formatCpuStatsLine, formatExpectCpuStatsLine, formatGlobalCount, formatProcStatsLine, summaryLine,
} from "../../src/format/index.js";
import { formatExpectText, formatExpectXml, type ExpectValue } from "./render.js";
import { t4, t6 } from "./build.js";

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = savedTz;
});

const ftp: ExpectValue = {
  expectMaster: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40021, dport: 21 }),
  expectTuple: t4("192.168.77.1", "192.168.77.2", 6, { sport: 0, dport: 50000 }),
  expectMask: t4("255.255.255.255", "255.255.255.255", 6, { sport: 0, dport: 65535 }),
  expectTimeout: 298,
  expectId: 123,
  expectHelpName: "ftp",
  expectFlags: 0,
  expectClass: 0,
};
const FTP_LINE =
  "298 proto=6 src=192.168.77.1 dst=192.168.77.2 sport=0 dport=50000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=192.168.77.1 master-dst=192.168.77.2 sport=40021 dport=21 class=0 helper=ftp";

describe("expectations", () => {
  it("-L expect line", () => {
    expect(formatExpectText(ftp, { family: 2 })).toBe(FTP_LINE);
  });
  it("-L expect -f ipv6 line", () => {
    const v6: ExpectValue = {
      expectMaster: t6("fd00:77::1", "fd00:77::2", 6, { sport: 41036, dport: 21 }),
      expectTuple: t6("fd00:77::1", "fd00:77::2", 6, { sport: 0, dport: 50000 }),
      expectMask: t6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 6, { sport: 0, dport: 65535 }),
      expectTimeout: 298,
      expectHelpName: "ftp",
      expectClass: 0,
    };
    expect(formatExpectText(v6, { family: 10 })).toBe(
      "298 proto=6 src=fd00:77::1 dst=fd00:77::2 sport=0 dport=50000 mask-src=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff mask-dst=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff sport=0 dport=65535 master-src=fd00:77::1 master-dst=fd00:77::2 sport=41036 dport=21 class=0 helper=ftp",
    );
  });
  it("events: [NEW] and [DESTROY] prefixes", () => {
    expect(formatExpectText({ ...ftp, expectTimeout: 300 }, { family: 2, event: "new" })).toBe("    [NEW] 300" + FTP_LINE.slice(3));
    expect(formatExpectText(ftp, { family: 2, event: "destroy" })).toBe("[DESTROY] " + FTP_LINE);
  });
  it("the 1.4.7 --tuple-port bug: protocol 195 has no ports", () => {
    const odd: ExpectValue = { ...ftp, expectTimeout: 300, expectTuple: t4("192.168.77.1", "192.168.77.2", 195), expectMask: t4("255.255.255.255", "255.255.255.255", 195) };
    expect(formatExpectText(odd, { family: 2 })).toBe(
      "300 proto=195 src=192.168.77.1 dst=192.168.77.2 mask-src=255.255.255.255 mask-dst=255.255.255.255 master-src=192.168.77.1 master-dst=192.168.77.2 sport=40021 dport=21 class=0 helper=ftp",
    );
  });
  it("zone and flags; a trailing space is dropped when there is no helper", () => {
    const e: ExpectValue = { ...ftp, expectZone: 3, expectFlags: 1 | 2 | 4, expectHelpName: undefined } as ExpectValue;
    const { expectHelpName: _unused, ...noHelper } = e;
    expect(formatExpectText(noHelper, { family: 2 })).toBe(FTP_LINE.replace(" class=0 helper=ftp", " zone=3 PERMANENT,INACTIVE,USERSPACE class=0"));
    expect(formatExpectText({ ...ftp, expectFlags: 4 }, { family: 2 })).toContain(" dport=21 USERSPACE class=0 helper=ftp");
  });
  it("-L expect -o xml listing", () => {
    expect(EXPECT_XML_HEADER + formatExpectXml(ftp, { family: 2 }, { nowSec: 0 }) + "\n" + EXPECT_XML_FOOTER).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<expect>\n<flow><layer3 protonum="2" protoname="ipv4"><expected><src>192.168.77.1</src><dst>192.168.77.2</dst></expected><mask><src>255.255.255.255</src><dst>255.255.255.255</dst></mask><master><src>192.168.77.1</src><dst>192.168.77.2</dst></master></layer3><layer4 protonum="6" protoname="tcp"><expected><sport>0</sport><dport>50000</dport></expected><mask><sport>0</sport><dport>65535</dport></mask><master><sport>40021</sport><dport>21</dport></master></layer4><meta><helper-name>ftp</helper-name><timeout>298</timeout><class>0</class></meta></flow>\n</expect>\n',
    );
  });
  it("XML events with <when> and flags", () => {
    const xml = formatExpectXml({ ...ftp, expectFlags: 1, expectZone: 2 }, { family: 2, event: "new" }, { nowSec: 1795386532, when: true });
    expect(xml.startsWith('<flow type="new"><layer3')).toBe(true);
    expect(xml.endsWith("<class>0</class><zone>2</zone><when><hour>22</hour><min>28</min><sec>52</sec><wday>1</wday><day>22</day><month>11</month><year>2026</year></when><permanent/></meta></flow>")).toBe(true);
  });
  it("expect timestamp prefix pads on the right with spaces", () => {
    expect(expectTimePrefix({ sec: 1795386633, usec: 1053 })).toBe("[1795386633.1053  ]\t");
  });
});

describe("-S and -C", () => {
  it("per-CPU line of kernel 6.18, ending in a space", () => {
    const stats = { found: 0, invalid: 0, insert: 2, insertFailed: 0, drop: 0, earlyDrop: 0, error: 0, searchRestart: 0, clashResolve: 0, chainToolong: 0 };
    expect(formatCpuStatsLine(0, stats)).toBe(
      "cpu=0   \tfound=0 invalid=0 insert=2 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 ",
    );
  });
  it("prints in attribute-type order and names newer attributes unknownN", () => {
    const stats = {
      chainToolong: 1,
      searched: 2,
      $unknown: [
        { type: 17, data: Uint8Array.of(0, 0, 1, 0) },
        { type: 16, data: Uint8Array.of(0, 0, 0, 9) },
        { type: 20, data: Uint8Array.of(0, 0, 0, 1) },
      ],
    };
    expect(formatCpuStatsLine(12345, stats)).toBe("cpu=12345\tsearched=2 chaintoolong=1 unknown1=9 unknown2=256 ");
  });
  it("-S expect and the /proc fallback", () => {
    expect(formatExpectCpuStatsLine(0, { new: 0, create: 0, delete: 0 })).toBe("cpu=0   \texpect_new=0 expect_create=0 expect_delete=0 ");
    expect(formatProcStatsLine(0, ["entries", "clashres", "found"], [8, 0, 0])).toBe("cpu=0   \tentries=8 clashres=0 found=0 ");
  });
  it("-C count is printed with %d", () => {
    expect(formatCount(10)).toBe("10");
    expect(formatCount(0x80000000)).toBe("-2147483648");
    expect(formatGlobalCount({ entries: 3, maxEntries: 65536 })).toBe("3");
    expect(formatGlobalCount({})).toBeUndefined();
  });
});

describe("stderr texts", () => {
  it.each([
    ["list", 1, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown."],
    ["get", 1, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown."],
    ["delete", 0, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted."],
    ["update", 1, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been updated."],
    ["create", 1, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been created."],
    ["add", 0, "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been added."],
    ["events", 7, "conntrack v1.4.7 (conntrack-tools): 7 flow events have been shown."],
    ["expect-list", 1, "conntrack v1.4.7 (conntrack-tools): 1 expectations have been shown."],
    ["expect-delete", 0, "conntrack v1.4.7 (conntrack-tools): 0 expectations have been shown."],
    ["expect-events", 2, "conntrack v1.4.7 (conntrack-tools): 2 expectation events have been shown."],
  ] as const)("%s %d", (kind, n, text) => {
    expect(summaryLine(kind, n)).toBe(text);
  });
  it("flush, ENOBUFS and -b texts", () => {
    expect(FLUSH_CONNTRACK_LINE).toBe("conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.");
    expect(FLUSH_EXPECT_LINE).toBe("conntrack v1.4.7 (conntrack-tools): expectation table has been emptied.");
    expect(ENOBUFS_WARNING_LINES.join("\n")).toBe(
      "WARNING: We have hit ENOBUFS! We are losing events.\nThis message means that the current netlink socket buffer size is too small.\nPlease, check --buffer-size in tsconntrack(8) manpage.",
    );
    expect(bufferSizeNotice(8192)).toBe("NOTICE: Netlink socket buffer size has been set to 8192 bytes.");
  });
});
