/**
 * One scripted API session, run against the kernel to record `fixtures/kernel-session.pcap` and
 * replayed without root by replay.test.ts. The result is JSON-safe (bigints as strings).
 */
import type { Conntrack } from "../../src/conntrack.js";
import { AF_INET, AF_INET6 } from "../../src/constants.js";
import { buildFlow } from "../../src/tuple.js";

export const sessionFlows = [
  buildFlow({ orig: { src: "10.7.0.1", dst: "10.7.0.2", proto: "tcp", sport: 40000, dport: 443 }, protoinfo: { protoinfoTcp: { tcpState: 3 } }, mark: 1, timeout: 3600 }),
  buildFlow({ orig: { src: "10.7.0.3", dst: "10.7.0.2", proto: "udp", sport: 5353, dport: 53 }, mark: 2, timeout: 3600 }),
  buildFlow({ orig: { src: "fd00:7::1", dst: "fd00:7::2", proto: "icmpv6", icmpType: 128, icmpCode: 0, icmpId: 9 }, zone: 3, timeout: 3600 }),
];

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v)));
}

/** Volatile fields (ids, timeouts, use counts, stats) are dropped so a replay compares like with like. */
function stable(flow: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, timeout: _timeout, use: _use, ...rest } = flow;
  return rest;
}

export async function runSession(ct: Conntrack): Promise<unknown> {
  const events = ct.events({ groups: ["new", "destroy"] });
  const created = ct.createSync(sessionFlows).map((r) => r.error?.code ?? "ok");
  const all: unknown[] = [];
  const listed = ct.listSync({}, (flow, family) => all.push([family, stable(flow as Record<string, unknown>)]));
  const marked: unknown[] = [];
  ct.listSync({ filter: { mark: 2 } }, (flow) => marked.push(flow.tupleOrig));
  const got = stable((await ct.get(sessionFlows[0]!)) as Record<string, unknown>);
  const count = ct.countSync();
  const cpus = ct.statsCpuSync().length;
  const flushed = ct.flushSync({ family: AF_INET6 });
  const deleted = ct.deleteMatchingSync({ family: AF_INET, orig: { proto: "udp" } });
  const left = ct.countSync();
  const kinds: string[] = [];
  while (kinds.length < 5) {
    const batch = events.nextSync();
    if (batch === null) break;
    for (const event of batch) kinds.push(event.kind);
  }
  events.close();
  ct.flushSync();
  return jsonSafe({
    created,
    listed: { entries: listed.entries, sorted: all.map((x) => JSON.stringify(jsonSafe(x))).sort() },
    marked,
    got,
    count,
    cpus,
    flushed,
    deleted: { matched: deleted.matched, deleted: deleted.deleted },
    left,
    kinds,
  });
}
