/**
 * The byte paths used by the CLI: deletes built from dumped bytes, kernel-exact filters without
 * the user-space decode, and the per-family split of a family-less tuple filter, whose order
 * must be the AF_UNSPEC dump's. Unit parts run anywhere; kernel parts as root in a `ctfast-` netns.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conntrack, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { Conntrack } from "../src/conntrack.js";
import { AF_INET, AF_INET6, IPPROTO_TCP } from "../src/constants.js";
import { compileFilter, type FlowFilter } from "../src/filter.js";
import { FLOW, TUPLE } from "../src/flow-view.js";
import { deleteRequest, deleteRequestFromView } from "../src/requests.js";
import { decodeView } from "../src/view-decode.js";
import type { MessageView } from "@tsconntrack/codec";
import { buildFlow } from "../src/tuple.js";
import { createNetns, deleteNetns, kernelSkipReason } from "./helpers/netns.js";
import { viewOf } from "./helpers/view-of.js";

describe("kernelExact", () => {
  const exact = (filter: FlowFilter) => compileFilter(filter).kernelExact;
  it("is mark or tuple only when the kernel part decides everything", () => {
    expect(exact({ mark: 3 })).toBe("mark");
    expect(exact({ family: AF_INET6 })).toBe("mark");
    expect(exact({ family: AF_INET, orig: { proto: "tcp", dstPort: 22 } })).toBe("tuple");
    expect(exact({ orig: { src: "10.0.0.1", proto: "udp", srcPort: 5 } })).toBe("tuple");
    expect(exact({ orig: { proto: "tcp", dstPort: 22 } })).toBeUndefined(); // no family: no CTA_FILTER
    expect(exact({ family: AF_INET, orig: { proto: "sctp", dstPort: 22 } })).toBeUndefined();
    expect(exact({ orig: { src: "10.0.0.0/8" } })).toBeUndefined();
    expect(exact({ orig: { src: "fd00::1" } })).toBeUndefined();
    expect(exact({ status: 4 })).toBeUndefined();
    expect(exact({ zone: 1 })).toBeUndefined();
    expect(exact({ mark: 1, predicate: () => true })).toBeUndefined();
    expect(compileFilter({ mark: 3 }, { mark: false }).kernelExact).toBeUndefined();
  });
});

describe("deleteRequestFromView", () => {
  it("carries the same attributes as deleteRequest of the decoded entry", () => {
    const flow: ConntrackAttrs = {
      ...buildFlow({ orig: { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", sport: 1, dport: 2 }, zone: 4, timeout: 5 }),
      id: 99,
      use: 1,
    };
    const view = viewOf(flow, AF_INET);
    const fromBytes = deleteRequestFromView(view);
    const decoded = decodeView<ConntrackAttrs>(view);
    expect([...fromBytes.payload]).toEqual([...deleteRequest(decoded, AF_INET).payload]);
    expect(fromBytes.quiet).toBe(true);
  });
});

const skip = kernelSkipReason();
if (skip) console.warn(`[conntrack fast-path kernel tests skipped] ${skip}`);

describe.skipIf(skip !== undefined)("fast paths against the kernel (private netns)", () => {
  let netns = "";
  let ct: Conntrack;

  beforeAll(() => {
    netns = createNetns("fast");
    ct = Conntrack.open({ netns });
    const flows: ConntrackAttrs[] = [];
    for (let i = 0; i < 60; i++) {
      flows.push(buildFlow({ orig: { src: `10.3.0.${i + 1}`, dst: "10.4.0.1", proto: i % 3 === 0 ? "tcp" : "udp", sport: 3000 + i, dport: 22 }, mark: i % 2, timeout: 600 }));
    }
    for (let i = 0; i < 20; i++) flows.push(buildFlow({ orig: { src: `fd00::${i + 1}`, dst: "fd00::ff", proto: "udp", sport: 4000 + i, dport: 22 }, timeout: 600 }));
    expect(ct.createSync(flows).filter((r) => !r.ok)).toEqual([]);
  });
  afterAll(() => {
    ct?.close();
    if (netns) deleteNetns(netns);
  });

  /** The original source address of a listed entry. */
  const source = (view: MessageView): string => view.address(FLOW.orig + (view.has(FLOW.orig + TUPLE.v4src) ? TUPLE.v4src : TUPLE.v6src));

  /** Source addresses in listing order. */
  const sources = (filter: FlowFilter, kernelFilter?: false): string[] => {
    const out: string[] = [];
    ct.listViewsSync({ filter, ...(kernelFilter === false ? { kernelFilter } : {}) }, (view) => out.push(source(view)));
    return out;
  };

  it("a family-less tuple filter matching one family keeps the AF_UNSPEC dump's order", () => {
    const filter: FlowFilter = { orig: { proto: IPPROTO_TCP, dstPort: 22 } };
    const split = ct.listViewsSync({ filter }, () => {});
    expect(split.kernel.origFlags).not.toBe(0);
    expect(split.received).toBe(20);
    expect(sources(filter)).toEqual(sources(filter, false));
  });

  it("falls back to the AF_UNSPEC dump when both families match", () => {
    const filter: FlowFilter = { orig: { proto: "udp", dstPort: 22 } };
    const summary = ct.listViewsSync({ filter }, () => {});
    expect(summary.entries).toBe(60);
    expect(summary.kernel.family).toBe(0);
    expect(sources(filter)).toEqual(sources(filter, false));
  });

  /** The same through listViews: batched receives, and the split's two dumps at once on two sockets. */
  const sourcesAsync = async (filter: FlowFilter): Promise<{ out: string[]; summary: Awaited<ReturnType<Conntrack["listViews"]>> }> => {
    const out: string[] = [];
    const summary = await ct.listViews({ filter }, (view) => out.push(source(view)));
    return { out, summary };
  };

  it("listViews splits the same way, with both filtered dumps at once", async () => {
    const filter: FlowFilter = { orig: { proto: IPPROTO_TCP, dstPort: 22 } };
    const { out, summary } = await sourcesAsync(filter);
    expect(summary.kernel.origFlags).not.toBe(0);
    expect(summary.received).toBe(20);
    expect(out).toEqual(sources(filter, false));
  });

  it("listViews falls back to the AF_UNSPEC dump when both families match", async () => {
    const filter: FlowFilter = { orig: { proto: "udp", dstPort: 22 } };
    const { out, summary } = await sourcesAsync(filter);
    expect(summary.entries).toBe(60);
    expect(summary.kernel.family).toBe(0);
    expect(out).toEqual(sources(filter, false));
  });

  it("listViews without a filter lists what listViewsSync lists", async () => {
    const { out, summary } = await sourcesAsync({});
    expect(summary.entries).toBe(80);
    expect(out).toEqual(sources({}));
  });

  it("leaves kernel-exact filters to the kernel and still lists exactly the matches", () => {
    const marks: number[] = [];
    const summary = ct.listViewsSync({ filter: { mark: 1 } }, (view) => marks.push(view.num[FLOW.mark]!));
    expect(summary.entries).toBe(30);
    expect(marks.every((mark) => mark === 1)).toBe(true);
    expect(sources({ mark: 1 })).toEqual(sources({ mark: 1 }, false));
  });

  it("deletes by bytes without per-entry ACKs and reports vanished entries", () => {
    const printed: number[] = [];
    const summary = ct.deleteMatchingSync({ mark: 1 }, { onDeletedMessage: (bytes, family) => printed.push(family) });
    expect(summary).toMatchObject({ matched: 30, deleted: 30, vanished: 0, errors: [] });
    expect(printed).toHaveLength(30);
    expect(ct.countSync()).toBe(50);
  });
});
