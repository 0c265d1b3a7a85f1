// conntrack-tools 1.4.7's user-space helpers as nfct registers them, and the request builders' checks.
import { describe, expect, it } from "vitest";
import { NfctArgumentError, helperAttrs, helperDeleteRequest, IpProto, timeoutNewRequest, USERSPACE_HELPERS, findUserspaceHelper } from "../src/index.js";

describe("USERSPACE_HELPERS", () => {
  it("has the twelve helpers nfct 1.4.7 knows, with their private data and expectation classes", () => {
    const summary = USERSPACE_HELPERS.map((h) => `${h.name}/${h.l4proto} ${h.privDataLen} ${h.policies.map((p) => `${p.name}:${p.expectMax}:${p.expectTimeout}`).join(",")}`);
    expect(summary).toEqual([
      "amanda/17 0 amanda:3:180",
      "dhcpv6/17 0 dhcpv6:1:300",
      "ftp/6 24 ftp:1:300",
      "mdns/17 0 mdns:8:30",
      "rpc/6 16 rpc:1:300",
      "rpc/17 16 rpc:1:300",
      "sane/6 4 sane:1:300",
      "slp/17 0 slp:8:16",
      "ssdp/17 0 ssdp:8:300",
      "ssdp/6 0 ssdp:8:300",
      "tftp/17 0 tftp:1:300",
      "tns/6 1 tns:1:300",
    ]);
  });

  it("finds a helper by exact name and protocol", () => {
    expect(findUserspaceHelper("ftp", IpProto.tcp)?.privDataLen).toBe(24);
    expect(findUserspaceHelper("ftp", IpProto.udp)).toBeUndefined();
    expect(findUserspaceHelper("FTP", IpProto.tcp)).toBeUndefined();
  });

  it("builds the attributes in libnetfilter_cthelper's order", () => {
    const attrs = helperAttrs(findUserspaceHelper("sane", IpProto.tcp)!, 10, { queueNum: 3, status: "enabled" });
    expect(Object.keys(attrs)).toEqual(["name", "queueNum", "privDataLen", "tuple", "policy", "status"]);
    expect(Object.keys(attrs.policy!)).toEqual(["set1", "setNum"]);
    expect(attrs).toMatchObject({ tuple: { l3protonum: 10, l4protonum: 6 }, status: 1, policy: { setNum: 1, set1: { name: "sane", expectMax: 1, expectTimeout: 300 } } });
  });
});

describe("request builders", () => {
  it("refuse what cannot become a request, before anything is sent", () => {
    expect(() => timeoutNewRequest({ l4proto: 6 })).toThrow(NfctArgumentError);
    expect(() => timeoutNewRequest({ name: "x" })).toThrow(/l4proto/);
  });

  it("send a flush as a delete without attributes", () => {
    expect(helperDeleteRequest().payload).toEqual(new Uint8Array(4));
  });
});
