import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONNTRACK_XML_FOOTER, CONNTRACK_XML_HEADER, LazyXmlHeader, userspaceTag } from "../../src/format/index.js";
import { formatConntrackXml, type ConntrackValue } from "./render.js";
import { S, TCP, counters, labels, ns, t4, t6, tcp } from "./build.js";

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterAll(() => {
  process.env.TZ = savedTz;
});

const REPLIED = S.SEEN_REPLY | S.CONFIRMED;
const ASSURED = REPLIED | S.ASSURED;

/** A documented example with "..." elisions: the pieces must appear in order. */
function expectPieces(actual: string, documented: string): void {
  let at = 0;
  for (const piece of documented.split("...")) {
    const i = actual.indexOf(piece, at);
    expect(i, `piece ${JSON.stringify(piece)} of ${actual}`).toBeGreaterThanOrEqual(at);
    at = i + piece.length;
  }
  expect(documented.endsWith("...") || at === actual.length).toBe(true);
  expect(documented.startsWith("...") || actual.startsWith(documented.split("...")[0])).toBe(true);
}

describe("conntrack XML", () => {
  it("full -L flow (id always shown)", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.1", "10.0.0.2", 6, { sport: 12345, dport: 80 }), tupleReply: t4("10.0.0.2", "10.0.0.1", 6, { sport: 80, dport: 12345 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 3596, mark: 42, use: 1, id: 2864897269 };
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0 })).toBe(
      '<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>10.0.0.1</src><dst>10.0.0.2</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>12345</sport><dport>80</dport></layer4></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>10.0.0.2</src><dst>10.0.0.1</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>80</sport><dport>12345</dport></layer4></meta><meta direction="independent"><state>ESTABLISHED</state><timeout>3596</timeout><mark>42</mark><use>1</use><id>2864897269</id><assured/></meta></flow>',
    );
  });

  it("orig zone inside the direction meta, <unreplied/>", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.0.0.5", "10.0.0.6", 6, { sport: 3, dport: 4 }, 8), tupleReply: t4("10.0.0.6", "10.0.0.5", 6, { sport: 4, dport: 3 }), status: S.CONFIRMED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 96, mark: 0, use: 1, id: 894908846 };
    expectPieces(
      formatConntrackXml(ct, { family: 2 }, { nowSec: 0 }),
      '<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>10.0.0.5</src><dst>10.0.0.6</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>3</sport><dport>4</dport></layer4><zone>8</zone></meta><meta direction="reply">...<layer4 protonum="6" protoname="tcp"><sport>4</sport><dport>3</dport></layer4></meta><meta direction="independent"><state>ESTABLISHED</state><timeout>96</timeout><mark>0</mark><use>1</use><id>894908846</id><unreplied/></meta></flow>',
    );
  });

  it("counters and -o ktimestamp with deltatime", () => {
    const ct: ConntrackValue = { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40001, dport: 8080 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 8080, dport: 40001 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 431860, mark: 0, countersOrig: counters(4, 220), countersReply: counters(3, 193), use: 1, id: 2507450487, timestamp: { start: 1795386532566348667n } };
    expectPieces(
      formatConntrackXml(ct, { family: 2 }, { nowSec: 1795386672, ktimestamp: true }),
      '<flow><meta direction="original">...<counters><packets>4</packets><bytes>220</bytes></counters></meta><meta direction="reply">...<counters><packets>3</packets><bytes>193</bytes></counters></meta><meta direction="independent"><state>ESTABLISHED</state><timeout>431860</timeout><mark>0</mark><use>1</use><id>2507450487</id><assured/><timestamp><start>1795386532566348667</start></timestamp><deltatime>140</deltatime></meta></flow>',
    );
  });

  it("helper after the independent meta; deltatime without -o ktimestamp", () => {
    const ct: ConntrackValue = { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40023, dport: 21 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 21, dport: 40023 }), status: ASSURED, protoinfo: tcp(TCP.ESTABLISHED), timeout: 431998, mark: 0, use: 1, id: 3222853022, timestamp: { start: ns(100) }, help: { helpName: "ftp" } };
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 102 })).toMatch(
      /<meta direction="independent"><state>ESTABLISHED<\/state><timeout>431998<\/timeout><mark>0<\/mark><use>1<\/use><id>3222853022<\/id><assured\/><deltatime>2<\/deltatime><\/meta><helper>ftp<\/helper><\/flow>$/,
    );
  });

  it("event flow with <when> in local time (wday 1 = Sunday)", () => {
    const ct: ConntrackValue = { tupleOrig: t4("192.168.77.1", "192.168.77.2", 6, { sport: 40001, dport: 8080 }), tupleReply: t4("192.168.77.2", "192.168.77.1", 6, { sport: 8080, dport: 40001 }), status: REPLIED, protoinfo: tcp(TCP.SYN_RECV), timeout: 60, id: 2507450487 };
    expectPieces(
      formatConntrackXml(ct, { family: 2, event: "update" }, { nowSec: 1795386532, when: true }),
      '<flow type="update">...<meta direction="independent"><state>SYN_RECV</state><timeout>60</timeout><id>2507450487</id></meta><when><hour>22</hour><min>28</min><sec>52</sec><wday>1</wday><day>22</day><month>11</month><year>2026</year></when></flow>',
    );
  });

  it("1.4.7 appends the userspace tag after </flow>", () => {
    const ct: ConntrackValue = { tupleOrig: t4("10.7.0.1", "10.7.0.2", 6, { sport: 33, dport: 44 }), tupleReply: t4("10.7.0.2", "10.7.0.1", 6, { sport: 44, dport: 33 }), status: S.CONFIRMED, protoinfo: tcp(TCP.SYN_SENT), timeout: 100, mark: 0, id: 1163925209 };
    expectPieces(
      formatConntrackXml(ct, { family: 2, event: "new" }, { nowSec: 0 }) + userspaceTag(9223, "conntrack"),
      '<flow type="new">...<meta direction="independent"><state>SYN_SENT</state><timeout>100</timeout><mark>0</mark><id>1163925209</id><unreplied/></meta></flow> [USERSPACE] portid=9223 progname=conntrack',
    );
  });

  it("ICMP has an empty layer4, GRE keys in hex, IPv6 names", () => {
    const icmp: ConntrackValue = { tupleOrig: t6("2001:db8::1", "2001:db8::3", 58, { type: 128, code: 0, id: 77, v6: true }), tupleReply: t6("2001:db8::3", "2001:db8::1", 58, { type: 129, code: 0, id: 77, v6: true }) };
    expect(formatConntrackXml(icmp, { family: 10 }, { nowSec: 0 })).toBe(
      '<flow><meta direction="original"><layer3 protonum="10" protoname="ipv6"><src>2001:db8::1</src><dst>2001:db8::3</dst></layer3><layer4 protonum="58" protoname="icmpv6"></layer4></meta><meta direction="reply"><layer3 protonum="10" protoname="ipv6"><src>2001:db8::3</src><dst>2001:db8::1</dst></layer3><layer4 protonum="58" protoname="icmpv6"></layer4></meta></flow>',
    );
    const gre: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 47, { sport: 0x1234, dport: 0x5678 }) };
    expect(formatConntrackXml(gre, { family: 2 }, { nowSec: 0 })).toContain("<srckey>0x1234</srckey><dstkey>0x5678</dstkey>");
  });

  it("SCTP state is looked up in the TCP table (ESTABLISHED=4 prints FIN_WAIT)", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 132, { sport: 5, dport: 6 }), protoinfo: { protoinfoSctp: { sctpState: 4 } } };
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0 })).toContain('<meta direction="independent"><state>FIN_WAIT</state></meta>');
  });

  it("labels: names, and <labels></labels> when none is named; no label map → nothing", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), mark: 0, labels: labels(0, 5) };
    const map = new Map([[0, "a"], [5, "b"]]);
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0, labelMap: map })).toContain("<mark>0</mark><labels><label>a</label><label>b</label></labels></meta>");
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0, labelMap: new Map() })).toContain("<mark>0</mark><labels></labels></meta>");
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0 })).toContain("<mark>0</mark></meta>");
  });

  it("deltatime in ns can be one lower than delta-time", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), timestamp: { start: ns(100, 900_000_000), stop: ns(130, 100_000_000) } };
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0 })).toContain("<deltatime>29</deltatime></meta>");
  });

  it("reply counters print as 0 when only the original counters exist", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), tupleReply: t4("2.2.2.2", "1.1.1.1", 2), countersOrig: counters(1, 2) };
    const xml = formatConntrackXml(ct, { family: 2 }, { nowSec: 0 });
    expect(xml).toContain('<meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>2.2.2.2</src><dst>1.1.1.1</dst></layer3><layer4 protonum="2" protoname="unknown"></layer4><counters><packets>0</packets><bytes>0</bytes></counters></meta>');
  });

  it("secctx alone does not open the independent meta; nothing is escaped", () => {
    const ct: ConntrackValue = { tupleOrig: t4("1.1.1.1", "2.2.2.2", 2), secctx: { secctxName: "a<b&c" } };
    expect(formatConntrackXml(ct, { family: 2 }, { nowSec: 0 }).endsWith("</meta><secctx>a<b&c</secctx></flow>")).toBe(true);
  });

  it("lazy header: nothing for an empty listing, header once, footer only after a header", () => {
    const empty = new LazyXmlHeader(CONNTRACK_XML_HEADER, CONNTRACK_XML_FOOTER);
    expect(empty.end()).toBe("");
    const h = new LazyXmlHeader(CONNTRACK_XML_HEADER, CONNTRACK_XML_FOOTER);
    expect(h.beforeFlow()).toBe('<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n');
    expect(h.beforeFlow()).toBe("");
    expect(h.end()).toBe("</conntrack>\n");
  });
});
