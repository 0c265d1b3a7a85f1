/** The API over a scripted kernel: fallbacks, classification, quirky reply types. No root needed. */
import { describe, expect, it } from "vitest";
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "@tsconntrack/codec";
import { ConntrackEvent as EventType, ConntrackMcastGroup, ConntrackReply, ConntrackRequest, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET, AF_INET6, EEXIST, EINVAL, ENOENT, EOPNOTSUPP } from "../src/constants.js";
import type { ConntrackEvent } from "../src/events.js";
import { buildFlow } from "../src/tuple.js";
import { conntrackKernel, type CtRequest } from "./helpers/conntrack-kernel.js";

const flowA = buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", sport: 1000, dport: 80 }, mark: 1, id: 11 });
const flowB = buildFlow({ orig: { src: "10.0.0.3", dst: "10.0.0.2", proto: "udp", sport: 2000, dport: 53 }, mark: 2, id: 12 });
const flowC = buildFlow({ orig: { src: "fd00::1", dst: "fd00::2", proto: "udp", sport: 3000, dport: 53 }, id: 13 });
const table: [ConntrackAttrs, number][] = [
  [flowA, AF_INET],
  [flowB, AF_INET],
  [flowC, AF_INET6],
];

/** A kernel that dumps `table` filtered by family, and refuses CTA_FILTER like a pre-5.8 kernel that fails it. */
function oldKernel(refuse: (r: CtRequest) => number | undefined = (r) => (r.attrs.filter ? EOPNOTSUPP : undefined)) {
  return conntrackKernel((request) => {
    const errno = refuse(request);
    if (errno !== undefined) return { errno };
    if (request.header.type === ConntrackRequest.get || request.header.type === ConntrackRequest.getCtrzero) {
      const rows = table.filter(([, family]) => request.fixed.nfgenFamily === 0 || family === request.fixed.nfgenFamily);
      return { messages: rows.map(([attrs, family]) => ({ type: ConntrackReply.get, fixed: { nfgenFamily: family }, attrs })) };
    }
    return {};
  });
}

/** The modifier bits of a NEW request's nlmsg_flags. */
const NEW_MODIFIERS = NLM_F_REPLACE | NLM_F_EXCL | NLM_F_CREATE | NLM_F_APPEND;

describe("listing over a scripted kernel", () => {
  it("retries without CTA_FILTER when the kernel refuses it, and filters in user space", () => {
    const kernel = oldKernel();
    const ct = Conntrack.open({ transport: kernel.socket() });
    const seen: ConntrackAttrs[] = [];
    const summary = ct.listSync({ filter: { orig: { src: "10.0.0.3", proto: "udp" } } }, (flow, family) => {
      expect(family).toBe(AF_INET);
      seen.push(flow);
    });
    expect(seen).toEqual([flowB]);
    expect(summary).toMatchObject({ entries: 1, received: 2, fallbacks: ["EOPNOTSUPP"] });
    expect(summary.kernel.origFlags).toBe(0);
    expect(ct.capabilities.tupleFilter).toBe(false);
    expect(kernel.requests.map((r) => Boolean(r.attrs.filter))).toEqual([true, false]);
    // Learned: the next listing goes straight to the dump without CTA_FILTER.
    ct.listSync({ filter: { orig: { src: "10.0.0.1" } } }, () => {});
    expect(kernel.requests.length).toBe(3);
    expect(kernel.requests[2]!.attrs.filter).toBeUndefined();
  });

  it("falls back step by step down to no kernel filter at all, with the same result", async () => {
    const kernel = oldKernel((r) => (Object.keys(r.attrs).length > 0 || r.fixed.nfgenFamily !== 0 ? EINVAL : undefined));
    const ct = Conntrack.open({ transport: kernel.socket() });
    const listing = ct.list({ filter: { family: AF_INET, mark: 2, status: 0, statusMask: 1, orig: { proto: "udp" } } });
    const flows: ConntrackAttrs[] = [];
    for await (const entry of listing) flows.push(entry.flow);
    expect(flows).toEqual([flowB]);
    expect(listing.summary.fallbacks).toEqual(["EINVAL", "EINVAL", "EINVAL"]);
    expect(listing.summary.kernel).toMatchObject({ family: 0, mark: false, status: false, origFlags: 0 });
  });

  it("does not retry errors other than refused filters", () => {
    const ct = Conntrack.open({ transport: oldKernel(() => 1).socket() });
    expect(() => ct.listSync({}, () => {})).toThrow(expect.objectContaining({ code: "EPERM", errno: 1 }));
  });

  it("sends no filter for the dying table and GET_CTRZERO for zeroCounters", () => {
    const kernel = conntrackKernel(() => ({}));
    const ct = Conntrack.open({ transport: kernel.socket() });
    ct.listSync({ table: "dying", filter: { mark: 1 } }, () => {});
    expect(ct.zeroCountersSync()).toBe(0);
    expect(kernel.requests.map((r) => [r.header.type, r.fixed.nfgenFamily, r.attrs])).toEqual([
      [ConntrackRequest.getDying, 0, {}],
      [ConntrackRequest.getCtrzero, 0, {}],
    ]);
  });
});

describe("changes and flushes over a scripted kernel", () => {
  it("returns one typed result per request of a batch", async () => {
    const kernel = conntrackKernel((r) => (r.attrs.mark === 2 ? { errno: EEXIST } : {}));
    const ct = Conntrack.open({ transport: kernel.socket() });
    const results = await ct.create([flowA, flowB, flowA]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.error).toMatchObject({ name: "NetlinkSocketError", code: "EEXIST", errno: 17 });
    expect(kernel.requests.map((r) => r.header.flags & NEW_MODIFIERS)).toEqual([NLM_F_CREATE | NLM_F_EXCL, NLM_F_CREATE | NLM_F_EXCL, NLM_F_CREATE | NLM_F_EXCL]);
  });

  it("flushes a family as dump + batched delete on kernels older than 5.0", () => {
    const kernel = oldKernel(() => undefined);
    const ct = Conntrack.open({ transport: kernel.socket(), kernelRelease: "4.4.0-210-generic" });
    expect(ct.capabilities.familyFlush).toBe(false);
    expect(ct.flushSync({ family: AF_INET6 })).toEqual({ method: "dump", deleted: 1 });
    expect(kernel.requests.map((r) => [r.header.type, r.fixed.nfgenFamily])).toEqual([
      [ConntrackRequest.get, AF_INET6],
      [ConntrackRequest.delete, AF_INET6],
    ]);
    expect(kernel.requests[1]!.attrs).toEqual({ tupleOrig: flowC.tupleOrig, id: 13 });
  });

  it("flushes a family in one request with nfgenmsg version 1 on newer kernels", async () => {
    const kernel = conntrackKernel();
    const ct = Conntrack.open({ transport: kernel.socket(), kernelRelease: "6.18.0" });
    expect(await ct.flush({ family: AF_INET })).toEqual({ method: "kernel" });
    expect(kernel.requests.map((r) => [r.header.type, r.fixed.nfgenFamily, r.fixed.version])).toEqual([[ConntrackRequest.delete, AF_INET, 1]]);
  });

  it("deletes what a filter matches and counts vanished entries apart", () => {
    const kernel = oldKernel((r) => (r.header.type === ConntrackRequest.delete && r.attrs.id === 12 ? ENOENT : undefined));
    const ct = Conntrack.open({ transport: kernel.socket() });
    const deleted: number[] = [];
    const summary = ct.deleteMatchingSync({ family: AF_INET }, { onDeleted: (flow) => deleted.push(flow.id!) });
    expect(summary).toMatchObject({ matched: 2, deleted: 1, vanished: 1, errors: [] });
    expect(deleted).toEqual([11]);
  });
});

describe("statistics over a scripted kernel", () => {
  it("reads per-CPU stats from res_id, global stats, and expectation stats typed 0x103", async () => {
    const kernel = conntrackKernel((r) => {
      switch (r.header.type) {
        case ConntrackRequest.getStatsCpu:
          return { messages: [0, 1].map((cpu) => ({ type: ConntrackReply.getStatsCpu, fixed: { resId: cpu }, set: "conntrack-stats-attrs", attrs: { found: cpu, insert: 10 + cpu } })) };
        case ConntrackRequest.getStats:
          return { messages: [{ type: ConntrackReply.getStats, set: "stats-global-attrs", attrs: { entries: 3, maxEntries: 65536 } }] };
        case ConntrackRequest.expGetStatsCpu:
          return { messages: [{ type: ConntrackReply.expGetStatsCpu, set: "exp-stats-attrs", attrs: { new: 1, create: 2, delete: 3 } }] };
        default:
          return {};
      }
    });
    const ct = Conntrack.open({ transport: kernel.socket() });
    expect(ct.statsSync()).toEqual({
      global: { entries: 3, maxEntries: 65536 },
      cpus: [
        { cpu: 0, stats: { found: 0, insert: 10 } },
        { cpu: 1, stats: { found: 1, insert: 11 } },
      ],
    });
    expect(await ct.count()).toBe(3);
    expect(ct.statsExpectSync()).toEqual([{ cpu: 0, stats: { new: 1, create: 2, delete: 3 } }]);
    expect(await ct.statsExpect()).toEqual([{ cpu: 0, stats: { new: 1, create: 2, delete: 3 } }]);
  });

  it("counts by dumping when GET_STATS is not supported and /proc is not reachable", () => {
    const kernel = oldKernel((r) => (r.header.type === ConntrackRequest.getStats ? EOPNOTSUPP : undefined));
    expect(Conntrack.open({ transport: kernel.socket() }).countSync()).toBe(3);
  });

  it("lists and counts expectations", () => {
    const expect1 = { expectMaster: flowA.tupleOrig, expectTuple: flowB.tupleOrig, expectMask: flowB.tupleOrig, expectTimeout: 30, expectHelpName: "ftp" };
    const kernel = conntrackKernel((r) =>
      r.header.type === ConntrackRequest.expGet ? { messages: [{ type: ConntrackReply.expGet, fixed: { nfgenFamily: AF_INET }, attrs: expect1, set: "expect-attrs" }] } : {},
    );
    const ct = Conntrack.open({ transport: kernel.socket() });
    const seen: unknown[] = [];
    expect(ct.listExpectSync({ family: AF_INET }, (e, family) => seen.push([e.expectHelpName, family]))).toBe(1);
    expect(seen).toEqual([["ftp", AF_INET]]);
    expect(ct.countExpectSync()).toBe(1);
    expect(kernel.requests.map((r) => [r.header.type, r.fixed.nfgenFamily])).toEqual([
      [ConntrackRequest.expGet, AF_INET],
      [ConntrackRequest.expGet, 0],
    ]);
  });
});

describe("events over a scripted kernel", () => {
  it("classifies NEW/UPDATE by NLM_F_CREATE and DESTROY by type, reports overruns, filters flows", async () => {
    const kernel = conntrackKernel();
    const events = kernel.socket();
    const ct = Conntrack.open({ transport: kernel.socket(), eventTransport: events });
    const stream = ct.events({ groups: ["new", "update", "destroy", "exp-new", "exp-destroy"], filter: { orig: { src: "10.0.0.1" } } });
    const group = ConntrackMcastGroup;
    expect([...events.groups].sort()).toEqual([group.conntrackNew, group.conntrackUpdate, group.conntrackDestroy, group.conntrackExpNew, group.conntrackExpDestroy]);
    const created = NLM_F_CREATE | NLM_F_EXCL;
    const fixed = { nfgenFamily: AF_INET };
    kernel.multicast(group.conntrackNew, { type: EventType.eventNew, flags: created, fixed, attrs: flowA });
    kernel.multicast(group.conntrackUpdate, { type: EventType.eventUpdate, fixed, attrs: { ...flowA, mark: 5 } });
    kernel.multicast(group.conntrackNew, { type: EventType.eventNew, flags: created, fixed, attrs: flowB }); // filtered out (10.0.0.3)
    events.overrun();
    kernel.multicast(group.conntrackDestroy, { type: EventType.eventDestroy, fixed, attrs: flowA });
    kernel.multicast(group.conntrackExpNew, { type: EventType.expEventNew, flags: created, fixed, set: "expect-attrs", attrs: { expectHelpName: "ftp" } });
    kernel.multicast(group.conntrackExpDestroy, { type: EventType.expEventDestroy, fixed, set: "expect-attrs", attrs: { expectHelpName: "ftp" } });
    const seen: ConntrackEvent[] = [];
    for await (const event of stream) seen.push(event);
    expect(seen.map((e) => e.kind)).toEqual(["new", "update", "overrun", "destroy", "exp-new", "exp-destroy"]);
    expect(seen[1]!.kind === "update" && seen[1]!.flow.mark).toBe(5);
    expect(seen[2]).toEqual({ kind: "overrun", count: 1 });
    expect(seen[4]!.kind === "exp-new" && seen[4]!.expect.expectHelpName).toBe("ftp");
    expect(stream.overruns).toBe(1);
    stream.close();
    expect(events.closed).toBe(false); // a caller's transport is the caller's to close
    ct.close();
  });

  it("offers a synchronous reader", () => {
    const kernel = conntrackKernel();
    const ct = Conntrack.open({ transport: kernel.socket(), eventTransport: kernel.socket() });
    const stream = ct.events({ groups: ["destroy"] });
    kernel.multicast(ConntrackMcastGroup.conntrackDestroy, { type: EventType.eventDestroy, fixed: { nfgenFamily: AF_INET6 }, attrs: flowC });
    const [event] = stream.nextSync()!;
    expect(event).toMatchObject({ kind: "destroy", family: AF_INET6, flow: flowC });
    expect(stream.nextSync()).toBeNull();
  });
});
