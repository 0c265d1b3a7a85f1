// The typed API against nfct 1.4.7's own captures (fixtures/nfct), without root. The replays are
// strict, so each operation must send the bytes nfct sent: this checks the request builders,
// including every cthelper message (which this kernel answers only with EINVAL).

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AF_INET, AF_INET6, findUserspaceHelper, helperAttrs, IpProto, isNetlinkSocketError, Nfct } from "../src/index.js";

const FIXTURES = fileURLToPath(new URL("../../../fixtures/nfct/", import.meta.url));

function withReplay<T>(name: string, work: (nfct: Nfct) => T): T {
  const nfct = Nfct.open({ replay: join(FIXTURES, `${name}.pcap`) });
  try {
    return work(nfct);
  } finally {
    nfct.close();
  }
}

function errnoOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    if (isNetlinkSocketError(error)) return error.errno;
    throw error;
  }
  return undefined;
}

const EINVAL = 22;

describe("timeout operations replayed from nfct's captures", () => {
  it("lists policies, the SCTP one with the kernel's heartbeat states", () => {
    const policies = withReplay("policies-list", (nfct) => nfct.timeout.listSync());
    expect(policies.map((p) => p.name)).toEqual(["t1", "web", "sctp6"]);
    expect(policies[0]).toEqual({ name: "t1", l3proto: AF_INET, l4proto: IpProto.udp, use: 1, data: { unreplied: 7, replied: 9 } });
    expect(policies[2]!.l3proto).toBe(AF_INET6);
    expect(policies[2]!.data).toMatchObject({ closed: 1, cookieWait: 2, shutdownAckSent: 7, heartbeatSent: 30 });
  });

  it("gets, adds, deletes and flushes", () => {
    expect(withReplay("policies-get", (nfct) => nfct.timeout.getSync("web")).data).toMatchObject({ synSent: 5, established: 100, close: 2 });
    withReplay("policies-add", (nfct) =>
      nfct.timeout.addSync({ name: "gre1", l3proto: AF_INET, l4proto: IpProto.gre, data: { unreplied: 1, replied: 2 } }),
    );
    withReplay("policies-delete", (nfct) => nfct.timeout.deleteSync("web"));
    withReplay("policies-flush", (nfct) => nfct.timeout.flushSync());
    expect(withReplay("empty-get", (nfct) => errnoOf(() => nfct.timeout.getSync("nope")))).toBe(2);
  });

  it("sets and gets a protocol's defaults", () => {
    withReplay("default-set-tcp", (nfct) => nfct.timeout.setDefaultSync({ l3proto: AF_INET, l4proto: IpProto.tcp, data: { established: 3600, timeWait: 60 } }));
    const udp = withReplay("default-get-udp-after", (nfct) => nfct.timeout.getDefaultSync(AF_INET, IpProto.udp));
    expect(udp).toEqual({ l3proto: AF_INET, l4proto: IpProto.udp, data: { unreplied: 11, replied: 120 } });
    expect(withReplay("default-get-dccp", (nfct) => errnoOf(() => nfct.timeout.getDefaultSync(AF_INET, IpProto.dccp)))).toBe(95);
  });
});

describe("helper operations replayed from nfct's captures (the kernel's EINVAL)", () => {
  const ftp = findUserspaceHelper("ftp", IpProto.tcp)!;
  const tuple = (l3protonum: number, l4protonum: number) => ({ l3protonum, l4protonum });
  it.each([
    ["helper-list", (nfct: Nfct) => nfct.helper.listSync()],
    ["helper-add-ftp", (nfct: Nfct) => nfct.helper.addSync(helperAttrs(ftp, AF_INET))],
    ["helper-add-tftp6", (nfct: Nfct) => nfct.helper.addSync(helperAttrs(findUserspaceHelper("tftp", IpProto.udp)!, AF_INET6))],
    ["helper-get", (nfct: Nfct) => nfct.helper.getSync({ name: "ftp", tuple: tuple(AF_INET, IpProto.tcp) })],
    ["helper-get-family", (nfct: Nfct) => nfct.helper.getSync({ name: "ftp", tuple: tuple(AF_INET, 0) })],
    ["helper-delete", (nfct: Nfct) => nfct.helper.deleteSync({ name: "ftp" })],
    ["helper-flush", (nfct: Nfct) => nfct.helper.flushSync()],
    ["helper-disable", (nfct: Nfct) => nfct.helper.disableSync({ name: "rpc", tuple: tuple(AF_INET, IpProto.udp) })],
  ])("%s", (name, work) => {
    expect(withReplay(name, (nfct) => errnoOf(() => work(nfct)))).toBe(EINVAL);
  });
});
