// The typed API against the real kernel, in private namespaces (root only; skipped with the reason
// otherwise): sync and async forms of every timeout operation, the kernel's errors, the helper
// subsystem's EINVAL on this kernel, and a recording that replays with the same answers.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AF_INET, AF_INET6, findUserspaceHelper, helperAttrs, IpProto, isNetlinkSocketError, isNotFoundError, Nfct, type TimeoutPolicy } from "../src/index.js";

const skip = process.getuid?.() !== 0 ? "needs root (CAP_NET_ADMIN) to create a network namespace" : undefined;
if (skip !== undefined) console.warn(`nfct kernel tests skipped: ${skip}`);

const errnoOf = async (work: () => unknown): Promise<number | undefined> => {
  try {
    await work();
  } catch (error) {
    if (isNetlinkSocketError(error)) return error.errno;
    throw error;
  }
  return undefined;
};

describe.skipIf(skip !== undefined)("nfct API on the kernel", () => {
  let ns = "";
  let nfct: Nfct;
  beforeAll(() => {
    ns = `nfctapi-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    execFileSync("ip", ["netns", "add", ns]);
    nfct = Nfct.open({ netns: ns });
  });
  afterAll(() => {
    nfct?.close();
    if (ns !== "") execFileSync("ip", ["netns", "del", ns]);
  });

  it("adds, gets, lists, deletes and flushes policies (sync and async)", async () => {
    nfct.timeout.addSync({ name: "u", l3proto: AF_INET, l4proto: IpProto.udp, data: { unreplied: 7 } });
    await nfct.timeout.add({ name: "t", l3proto: AF_INET6, l4proto: IpProto.tcp, data: { established: 100, unack: 5 } });
    const u = nfct.timeout.getSync("u");
    expect(u).toEqual({ name: "u", l3proto: AF_INET, l4proto: IpProto.udp, use: 1, data: { unreplied: 7, replied: 120 } });
    const t = await nfct.timeout.get("t");
    expect(t.data).toMatchObject({ established: 100, unack: 5, synSent: 120 });
    expect(nfct.timeout.listSync().map((p: TimeoutPolicy) => p.name)).toEqual(["u", "t"]);
    expect((await nfct.timeout.list()).length).toBe(2);
    expect(await errnoOf(() => nfct.timeout.addSync({ name: "u", l3proto: AF_INET, l4proto: IpProto.udp, data: { unreplied: 1 } }, { exclusive: true }))).toBe(17);
    nfct.timeout.deleteSync("u");
    let missing: unknown;
    try {
      nfct.timeout.getSync("u");
    } catch (error) {
      missing = error;
    }
    expect(isNotFoundError(missing)).toBe(true);
    await nfct.timeout.flush();
    expect(nfct.timeout.listSync()).toEqual([]);
  });

  it("sets and gets defaults; a protocol the kernel lacks is EOPNOTSUPP", async () => {
    nfct.timeout.setDefaultSync({ l3proto: AF_INET, l4proto: IpProto.udp, data: { unreplied: 12 } });
    expect((await nfct.timeout.getDefault(AF_INET, IpProto.udp)).data).toEqual({ unreplied: 12, replied: 120 });
    await nfct.timeout.setDefault({ l3proto: AF_INET, l4proto: IpProto.udp, data: { unreplied: 30 } });
    expect(nfct.timeout.getDefaultSync(AF_INET, IpProto.icmp).data).toEqual({ timeout: 30 });
    expect(await errnoOf(() => nfct.timeout.getDefaultSync(AF_INET, IpProto.dccp))).toBe(95);
  });

  it("gets EINVAL for every helper request (no CONFIG_NF_CT_NETLINK_HELPER here)", async () => {
    const ftp = helperAttrs(findUserspaceHelper("ftp", IpProto.tcp)!, AF_INET);
    const key = { name: "ftp", tuple: { l3protonum: AF_INET, l4protonum: IpProto.tcp } };
    for (const work of [
      () => nfct.helper.listSync(),
      () => nfct.helper.addSync(ftp),
      () => nfct.helper.getSync(key),
      () => nfct.helper.deleteSync(key),
      () => nfct.helper.flushSync(),
      () => nfct.helper.disableSync(key),
      () => nfct.helper.list(),
      () => nfct.helper.add(ftp),
    ]) {
      expect(await errnoOf(work)).toBe(22);
    }
  });

  it("records a session that replays with the same answers", () => {
    const dir = mkdtempSync(join(tmpdir(), "nfctapi-"));
    try {
      const path = join(dir, "session.pcap");
      const run = (api: Nfct) => {
        api.timeout.addSync({ name: "r", l3proto: AF_INET, l4proto: IpProto.sctp, data: { established: 9 } });
        const got = [api.timeout.listSync(), api.timeout.getDefaultSync(AF_INET, IpProto.gre)];
        api.timeout.deleteSync("r");
        return got;
      };
      const recording = Nfct.open({ netns: ns, record: path });
      const live = run(recording);
      recording.close();
      const replay = Nfct.open({ replay: path });
      try {
        expect(run(replay)).toEqual(live);
      } finally {
        replay.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
