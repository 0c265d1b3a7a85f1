/**
 * deleteMatchingSync's engine: DELETEs written in place into datagrams (DeleteDatagram), entries
 * kept in a ByteLog, answers matched by sequence number, deletes sent during the dump on a second
 * socket or after it on the request socket. Unit parts run on a scripted kernel; the kernel part
 * runs as root in a `ctdelm-` netns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NLM_F_ACK, NLM_F_REQUEST, parseMessages } from "@tsconntrack/codec";
import { conntrack, ConntrackReply, ConntrackRequest, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { NetlinkClient } from "@tsconntrack/socket";
import { ByteLog } from "../src/byte-log.js";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET, AF_INET6, CT_DELETE, CT_NEW } from "../src/constants.js";
import { DeleteDatagram } from "../src/delete-datagram.js";
import { deleteMatchingSync } from "../src/delete-matching.js";
import { flowView, FLOW } from "../src/flow-view.js";
import { deleteRequestFromView } from "../src/requests.js";
import { buildFlow } from "../src/tuple.js";
import { conntrackKernel, type CtKernel } from "./helpers/conntrack-kernel.js";
import { createNetns, deleteNetns, kernelSkipReason } from "./helpers/netns.js";

const entry = (flow: ConntrackAttrs, family: number): Uint8Array =>
  conntrack.encodeMessage({ type: CT_NEW, flags: 2, fixed: { nfgenFamily: family, version: 0, resId: 0 }, attrs: flow });
/** The entry's view, as a listing hands it over (each its own, so several can be held). */
const walked = (bytes: Uint8Array, offset = 0) => flowView().walkMessage(bytes, offset);
/** CTA_ID of an entry message. */
const idOf = (bytes: Uint8Array): number => walked(bytes).num[FLOW.id]!;

const v4 = (i: number, extra: Partial<Parameters<typeof buildFlow>[0]> = {}): ConntrackAttrs => ({
  ...buildFlow({ orig: { src: `10.0.0.${i}`, dst: "10.9.9.9", proto: "tcp", sport: 1000 + i, dport: 80 }, timeout: 60, mark: i % 2, ...extra }),
  id: 100 + i,
});
const v6 = (i: number): ConntrackAttrs => ({
  ...buildFlow({ orig: { src: `fd00::${i}`, dst: "fd00::ff", proto: "udp", sport: 2000 + i, dport: 53 }, timeout: 60, mark: i % 2 }),
  id: 200 + i,
});

describe("DeleteDatagram", () => {
  const entries = [entry(v4(1, { zone: 7 }), AF_INET), entry(v6(2), AF_INET6), entry({ ...v4(3), tupleOrig: undefined }, AF_INET)];
  const views = entries.map((bytes) => walked(bytes));

  it("holds quiet DELETEs numbered from firstSeq, built as deleteRequestFromMessage, the last one acknowledged", () => {
    const datagram = new DeleteDatagram(4096, 8);
    datagram.reset(0xfffffffe);
    views.forEach((view) => expect(datagram.append(view)).toBe(true));
    const messages = parseMessages(datagram.finish());
    expect(messages.map((m) => [m.header.type, m.header.flags, m.header.seq, m.header.pid])).toEqual([
      [CT_DELETE, NLM_F_REQUEST, 0xfffffffe, 0],
      [CT_DELETE, NLM_F_REQUEST, 0xffffffff, 0],
      [CT_DELETE, NLM_F_REQUEST | NLM_F_ACK, 0, 0],
    ]);
    messages.forEach((m, i) => expect([...m.payload]).toEqual([...deleteRequestFromView(views[i]!).payload]));
    expect([datagram.indexOf(0xffffffff), datagram.indexOf(0), datagram.indexOf(1)]).toEqual([1, 2, -1]);
    expect(datagram.nextSeq).toBe(1);
    expect([...datagram.message(1)]).toEqual([...messages[1]!.bytes]);
  });

  it("writes every padding byte, so a reused buffer gives the same bytes as a fresh one", () => {
    const reused = new DeleteDatagram(4096, 8);
    reused.reset(1);
    for (let i = 0; i < 3; i++) reused.append(views[1]!);
    for (let i = 0; i < 4096; i += 7) reused.append(views[0]!) || reused.reset(1);
    reused.reset(5);
    const fresh = new DeleteDatagram(4096, 8);
    fresh.reset(5);
    for (const d of [reused, fresh]) views.forEach((view) => d.append(view));
    expect([...reused.finish()]).toEqual([...fresh.finish()]);
  });

  it("is full at maxMessages or maxBytes, but always takes one message", () => {
    const byCount = new DeleteDatagram(4096, 2);
    byCount.reset(1);
    expect(views.map((view) => byCount.append(view))).toEqual([true, true, false]);
    const tiny = new DeleteDatagram(8, 10);
    tiny.reset(1);
    expect(views.map((view) => tiny.append(view))).toEqual([true, false, false]);
    expect(parseMessages(tiny.finish())).toHaveLength(1);
  });

  it("reads the entry where it lies in a larger datagram", () => {
    const bytes = entries[1]!;
    const big = new Uint8Array(bytes.length + 12);
    big.set(bytes, 12);
    const datagram = new DeleteDatagram(4096, 8);
    datagram.reset(1);
    datagram.append(walked(big, 12));
    expect([...parseMessages(datagram.finish())[0]!.payload]).toEqual([...deleteRequestFromView(views[1]!).payload]);
  });
});

describe("ByteLog", () => {
  it("keeps records with their tags across growth and reuses its memory after clear", () => {
    const log = new ByteLog(4, 2);
    const source = Uint8Array.from({ length: 50 }, (_, i) => i);
    for (let i = 0; i < 10; i++) log.append(source, i, i + 5, i);
    expect(log.length).toBe(10);
    for (let i = 0; i < 10; i++) {
      expect([...log.bytes.subarray(log.start(i), log.end(i))]).toEqual([i, i + 1, i + 2, i + 3, i + 4]);
      expect(log.tag(i)).toBe(i);
    }
    log.clear();
    log.append(source, 40, 42, 9);
    expect([log.length, log.start(0), log.end(0), log.tag(0)]).toEqual([1, 0, 2, 9]);
  });
});

/** A kernel that dumps `table` (by family) and answers DELETEs, failing ids listed in `failures` with their errno. */
function scriptedKernel(table: [ConntrackAttrs, number][], failures: Record<number, number> = {}): CtKernel {
  return conntrackKernel((request) => {
    if (request.header.type === ConntrackRequest.get) {
      const rows = table.filter(([, family]) => request.fixed.nfgenFamily === 0 || family === request.fixed.nfgenFamily);
      return { messages: rows.map(([attrs, family]) => ({ type: ConntrackReply.get, fixed: { nfgenFamily: family }, attrs })) };
    }
    if (request.header.type === CT_DELETE) {
      const errno = failures[request.attrs.id as number];
      return errno === undefined ? {} : { errno };
    }
    return {};
  });
}

describe("deleting over a scripted kernel", () => {
  const table: [ConntrackAttrs, number][] = [
    [v4(1), AF_INET],
    [v6(2), AF_INET6],
    [v4(3, { zone: 4 }), AF_INET],
    [v4(4), AF_INET],
    [v6(5), AF_INET6],
    [v4(6), AF_INET],
  ];
  // A receive buffer this small makes datagrams of two deletes (as NetlinkClient's batches).
  const small = (kernel: CtKernel) => kernel.socket({ receiveBufferSize: 4096 });

  it("after the dump on the request socket: reports only what was deleted, in dump order, with vanished and failed apart", () => {
    const kernel = scriptedKernel(table, { 103: 2, 104: 1 });
    const ct = Conntrack.open({ transport: small(kernel) });
    const printed: [number, number][] = [];
    const decoded: number[] = [];
    const summary = deleteMatchingSync(ct, {}, {
      onDeletedMessage: (bytes, family) => printed.push([idOf(bytes), family]),
      onDeleted: (flow) => decoded.push(flow.id!),
    });
    expect(summary).toMatchObject({ matched: 6, deleted: 4, vanished: 1 });
    expect(summary.errors.map((e) => [e.errno, e.code])).toEqual([[1, "EPERM"]]);
    expect(printed).toEqual([
      [101, AF_INET],
      [202, AF_INET6],
      [205, AF_INET6],
      [106, AF_INET],
    ]);
    expect(decoded).toEqual([101, 202, 205, 106]);
    const deletes = kernel.requests.filter((r) => r.header.type === CT_DELETE);
    // All after the dump, two per datagram (the last of each acknowledged), carrying tuple, zone and id.
    expect(kernel.requests.findIndex((r) => r.header.type === CT_DELETE)).toBe(1);
    expect(deletes.map((r) => r.header.flags & NLM_F_ACK)).toEqual([0, NLM_F_ACK, 0, NLM_F_ACK, 0, NLM_F_ACK]);
    expect(deletes[2]!.attrs).toEqual({ tupleOrig: table[2]![0].tupleOrig, zone: 4, id: 103 });
    expect(new Set(deletes.map((r) => r.header.seq)).size).toBe(6);
  });

  it("on a second socket: sends each full datagram during the dump and reports it at once", () => {
    const kernel = scriptedKernel(table);
    const second = scriptedKernel([], { 104: 2 });
    const ct = Conntrack.open({ transport: kernel.socket() });
    const sentWhenPrinted: number[] = [];
    const summary = deleteMatchingSync(ct, { mark: 1 }, { onDeletedMessage: () => sentWhenPrinted.push(second.requests.length) }, () => new NetlinkClient(small(second)));
    // mark 1: ids 101, 103, 205 (104 has mark 0): two datagrams, the first answered before the third entry came.
    expect(summary).toMatchObject({ matched: 3, deleted: 3, vanished: 0, errors: [] });
    expect(sentWhenPrinted).toEqual([2, 2, 3]);
    expect(kernel.requests.map((r) => r.header.type)).toEqual([ConntrackRequest.get]);
    expect(second.requests.map((r) => r.attrs.id)).toEqual([101, 103, 205]);
  });

  it("without callbacks keeps no entry and still counts", () => {
    const ct = Conntrack.open({ transport: small(scriptedKernel(table, { 202: 2 })) });
    const summary = deleteMatchingSync(ct, { family: AF_INET6 });
    expect(summary).toMatchObject({ matched: 2, deleted: 1, vanished: 1, errors: [] });
    expect(summary.list).toMatchObject({ entries: 2 });
  });

  it("sends nothing when nothing matches", () => {
    const kernel = scriptedKernel(table);
    const ct = Conntrack.open({ transport: kernel.socket() });
    expect(deleteMatchingSync(ct, { mark: 7 })).toMatchObject({ matched: 0, deleted: 0, vanished: 0, errors: [] });
    expect(kernel.requests.map((r) => r.header.type)).toEqual([ConntrackRequest.get]);
  });
});

const skip = kernelSkipReason();
if (skip) console.warn(`[conntrack delete-matching kernel tests skipped] ${skip}`);

describe.skipIf(skip !== undefined)("deleting against the kernel (private netns)", () => {
  let netns = "";
  let ct: Conntrack;

  beforeAll(() => {
    netns = createNetns("delm");
    ct = Conntrack.open({ netns });
  });
  afterAll(() => {
    ct?.close();
    if (netns) deleteNetns(netns);
  });

  const fill = (count: number) => {
    const flows: ConntrackAttrs[] = [];
    for (let i = 0; i < count; i++) {
      const host = `${(i >> 8) & 255}.${i & 255}`;
      flows.push(buildFlow({ orig: { src: `10.7.${host}`, dst: "10.8.0.1", proto: "udp", sport: 5000, dport: 53 }, mark: i % 3 === 0 ? 3 : 0, timeout: 600 }));
    }
    expect(ct.createSync(flows).filter((r) => !r.ok)).toEqual([]);
  };

  it.each([
    ["during the dump on a second socket", true],
    ["after the dump on the request socket", false],
  ])("deletes exactly the matches %s, in the listing's order", (_name, second) => {
    fill(3000);
    const listed: number[] = [];
    ct.listViewsSync({ filter: { mark: 3 } }, (view) => listed.push(view.num[FLOW.id]!));
    const printed: number[] = [];
    const summary = deleteMatchingSync(ct, { mark: 3 }, { onDeletedMessage: (bytes) => printed.push(idOf(bytes)) }, second ? () => ct.secondRequests() : undefined);
    expect(summary).toMatchObject({ matched: 1000, deleted: 1000, vanished: 0, errors: [] });
    expect(printed).toEqual(listed);
    expect(ct.countSync()).toBe(2000);
    const rest = deleteMatchingSync(ct, {}, {}, second ? () => ct.secondRequests() : undefined);
    expect(rest).toMatchObject({ matched: 2000, deleted: 2000 });
    expect(ct.countSync()).toBe(0);
  });
});
