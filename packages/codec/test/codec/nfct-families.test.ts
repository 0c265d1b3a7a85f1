// bytes ⇄ value for the cttimeout and cthelper families. The cttimeout rows are what nfct 1.4.7 sent
// and the kernel answered (captured under the nlcap shim, seq pinned); the cthelper rows are written
// by hand from the layout of nfnetlink_cthelper.h and libnetfilter_cthelper's attribute order, and
// match what nfct 1.4.7 sends (this kernel lacks CONFIG_NF_CT_NETLINK_HELPER, so it never answers).

import { describe, expect, it } from "vitest";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST, parseMessages } from "../../src/index.js";
import { cthelper, CthelperRequest, type CthelperAttrs } from "../../src/cthelper.js";
import { cttimeout, CttimeoutRequest, IpProto, type CttimeoutAttrs } from "../../src/cttimeout.js";
import { hex, toHex } from "../helpers/hex.js";

const SEQ = 0x6553f100; // time() pinned to 1700000000

interface Row {
  name: string;
  codec: typeof cttimeout;
  type: number;
  flags: number;
  attrs: object;
  bytes: string;
}

const rows: Row[] = [
  {
    name: "timeout add: nfct add timeout z inet tcp established 100 syn_sent 5",
    codec: cttimeout,
    type: CttimeoutRequest.new,
    flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
    attrs: { name: "z", l3proto: 2, l4proto: IpProto.tcp, data: { synSent: 5, established: 100 } } satisfies CttimeoutAttrs,
    bytes: `
      40000000 0008 0504 00f15365 00000000   # nlmsghdr: len 64, IPCTNL_MSG_TIMEOUT_NEW, REQUEST|ACK|CREATE
      00 00 0000                             # nfgenmsg: AF_UNSPEC, V0, res_id 0
      0600 0100 7a00 0000                    # CTA_TIMEOUT_NAME "z"
      0600 0200 0002 0000                    # CTA_TIMEOUT_L3PROTO be16 AF_INET
      0500 0300 06 000000                    # CTA_TIMEOUT_L4PROTO IPPROTO_TCP
      1400 0480                              # CTA_TIMEOUT_DATA | NLA_F_NESTED
        0800 0100 00000005                   #   CTA_TIMEOUT_TCP_SYN_SENT 5
        0800 0300 00000064                   #   CTA_TIMEOUT_TCP_ESTABLISHED 100
    `,
  },
  {
    name: "timeout get: the kernel's answer (all eleven TCP states, CTA_TIMEOUT_USE before DATA)",
    codec: cttimeout,
    type: 0x800,
    flags: NLM_F_MULTI,
    attrs: {
      name: "z", l3proto: 2, l4proto: 6, use: 1,
      data: { synSent: 5, synRecv: 60, established: 100, finWait: 120, closeWait: 60, lastAck: 30, timeWait: 120, close: 10, synSent2: 120, retrans: 300, unack: 300 },
    } satisfies CttimeoutAttrs,
    bytes: `
      90000000 0008 0200 00f15365 00000000
      00 00 0000
      0600 0100 7a00 0000
      0600 0200 0002 0000
      0500 0300 06 000000
      0800 0500 00000001                     # CTA_TIMEOUT_USE 1
      5c00 0480
        0800 0100 00000005  0800 0200 0000003c  0800 0300 00000064  0800 0400 00000078
        0800 0500 0000003c  0800 0600 0000001e  0800 0700 00000078  0800 0800 0000000a
        0800 0900 00000078  0800 0a00 0000012c  0800 0b00 0000012c
    `,
  },
  {
    name: "timeout default-get: nfct default-get timeout inet sctp",
    codec: cttimeout,
    type: CttimeoutRequest.defaultGet,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: { l3proto: 2, l4proto: IpProto.sctp } satisfies CttimeoutAttrs,
    bytes: `
      24000000 0408 0500 00f15365 00000000
      00 00 0000
      0600 0200 0002 0000
      0500 0300 84 000000
    `,
  },
  {
    name: "timeout default-get: the answer, typed DEFAULT_SET, with the two heartbeat states",
    codec: cttimeout,
    type: 0x803,
    flags: NLM_F_MULTI,
    attrs: {
      l3proto: 2, l4proto: 132,
      data: { closed: 10, cookieWait: 3, cookieEchoed: 3, established: 210, shutdownSent: 3, shutdownRecd: 3, shutdownAckSent: 3, heartbeatSent: 30, heartbeatAcked: 0 },
    } satisfies CttimeoutAttrs,
    bytes: `
      70000000 0308 0200 00f15365 00000000
      00 00 0000
      0600 0200 0002 0000
      0500 0300 84 000000
      4c00 0480
        0800 0100 0000000a  0800 0200 00000003  0800 0300 00000003  0800 0400 000000d2
        0800 0500 00000003  0800 0600 00000003  0800 0700 00000003  0800 0800 0000001e
        0800 0900 00000000
    `,
  },
  {
    name: "timeout list: nfct list timeout (a dump)",
    codec: cttimeout,
    type: CttimeoutRequest.get,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    attrs: {},
    bytes: `14000000 0108 0103 00f15365 00000000  00 00 0000   # IPCTNL_MSG_TIMEOUT_GET, REQUEST|DUMP`,
  },
  {
    name: "timeout delete: nfct delete timeout web",
    codec: cttimeout,
    type: CttimeoutRequest.delete,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: { name: "web" } satisfies CttimeoutAttrs,
    bytes: `1c000000 0208 0500 00f15365 00000000  00 00 0000  0800 0100 77656200`,
  },
  {
    name: "timeout flush: nfct flush timeout (a delete without a name)",
    codec: cttimeout,
    type: CttimeoutRequest.delete,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: {},
    bytes: `14000000 0208 0500 00f15365 00000000  00 00 0000`,
  },
  {
    name: "timeout default-set: nfct default-set timeout inet udp unreplied 11",
    codec: cttimeout,
    type: CttimeoutRequest.defaultSet,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: { l3proto: 2, l4proto: IpProto.udp, data: { unreplied: 11 } } satisfies CttimeoutAttrs,
    bytes: `
      30000000 0308 0500 00f15365 00000000  00 00 0000
      0600 0200 0002 0000  0500 0300 11 000000
      0c00 0480 0800 0100 0000000b           # CTA_TIMEOUT_DATA { CTA_TIMEOUT_UDP_UNREPLIED 11 }
    `,
  },
  {
    name: "helper list: nfct list helper (a dump)",
    codec: cthelper,
    type: CthelperRequest.get,
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    attrs: {},
    bytes: `14000000 0109 0103 00f15365 00000000  00 00 0000   # NFNL_MSG_CTHELPER_GET, REQUEST|DUMP`,
  },
  {
    name: "helper add: nfct add helper ftp inet tcp",
    codec: cthelper,
    type: CthelperRequest.new,
    flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
    attrs: {
      name: "ftp", privDataLen: 24, tuple: { l3protonum: 2, l4protonum: 6 },
      policy: { set1: { name: "ftp", expectMax: 1, expectTimeout: 300 }, setNum: 1 },
    } satisfies CthelperAttrs,
    bytes: `
      60000000 0009 0504 00f15365 00000000   # len 96, NFNL_MSG_CTHELPER_NEW, REQUEST|ACK|CREATE
      00 00 0000
      0800 0100 66747000                     # NFCTH_NAME "ftp"
      0800 0500 00000018                     # NFCTH_PRIV_DATA_LEN 24 (struct ftp_info)
      1400 0280                              # NFCTH_TUPLE | NLA_F_NESTED
        0600 0100 0002 0000                  #   NFCTH_TUPLE_L3PROTONUM be16 AF_INET
        0500 0200 06 000000                  #   NFCTH_TUPLE_L4PROTONUM IPPROTO_TCP
      2800 0480                              # NFCTH_POLICY | NLA_F_NESTED
        1c00 0280                            #   NFCTH_POLICY_SET1 | NLA_F_NESTED
          0800 0100 66747000                 #     NFCTH_POLICY_NAME "ftp"
          0800 0200 00000001                 #     NFCTH_POLICY_EXPECT_MAX 1
          0800 0300 0000012c                 #     NFCTH_POLICY_EXPECT_TIMEOUT 300
        0800 0100 00000001                   #   NFCTH_POLICY_SET_NUM 1 (after the sets, as the library writes it)
    `,
  },
  {
    name: "helper disable: nfct disable helper ftp inet tcp",
    codec: cthelper,
    type: CthelperRequest.new,
    flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
    attrs: { name: "ftp", tuple: { l3protonum: 2, l4protonum: 6 }, status: 0 } satisfies CthelperAttrs,
    bytes: `
      38000000 0009 0504 00f15365 00000000
      00 00 0000
      0800 0100 66747000
      1400 0280 0600 0100 0002 0000 0500 0200 06 000000
      0800 0600 00000000                     # NFCTH_STATUS NFCT_HELPER_STATUS_DISABLED
    `,
  },
  {
    name: "helper get: nfct get helper ftp inet tcp",
    codec: cthelper,
    type: CthelperRequest.get,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: { name: "ftp", tuple: { l3protonum: 2, l4protonum: 6 } } satisfies CthelperAttrs,
    bytes: `
      30000000 0109 0500 00f15365 00000000
      00 00 0000
      0800 0100 66747000
      1400 0280 0600 0100 0002 0000 0500 0200 06 000000
    `,
  },
  {
    name: "helper delete: nfct delete helper ftp inet6 udp",
    codec: cthelper,
    type: CthelperRequest.del,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: { name: "ftp", tuple: { l3protonum: 10, l4protonum: 17 } } satisfies CthelperAttrs,
    bytes: `
      30000000 0209 0500 00f15365 00000000
      00 00 0000
      0800 0100 66747000
      1400 0280 0600 0100 000a 0000 0500 0200 11 000000
    `,
  },
  {
    name: "helper flush: nfct flush helper (a delete without attributes)",
    codec: cthelper,
    type: CthelperRequest.del,
    flags: NLM_F_REQUEST | NLM_F_ACK,
    attrs: {},
    bytes: `14000000 0209 0500 00f15365 00000000  00 00 0000`,
  },
  {
    name: "helper list: the kernel's answer for a registered helper (nfnl_cthelper_fill_info's order)",
    codec: cthelper,
    type: 0x900,
    flags: NLM_F_MULTI,
    attrs: {
      name: "ftp", queueNum: 5, tuple: { l3protonum: 2, l4protonum: 6 },
      policy: { setNum: 1, set1: { name: "ftp", expectMax: 1, expectTimeout: 300 } }, privDataLen: 24, status: 1,
    } satisfies CthelperAttrs,
    bytes: `
      70000000 0009 0200 00f15365 00000000
      00 00 0000
      0800 0100 66747000
      0800 0300 00000005                     # NFCTH_QUEUE_NUM 5
      1400 0280 0600 0100 0002 0000 0500 0200 06 000000
      2800 0480
        0800 0100 00000001                   #   NFCTH_POLICY_SET_NUM first, as the kernel writes it
        1c00 0280 0800 0100 66747000 0800 0200 00000001 0800 0300 0000012c
      0800 0500 00000018
      0800 0600 00000001                     # NFCTH_STATUS NFCT_HELPER_STATUS_ENABLED
    `,
  },
];

describe("cttimeout and cthelper messages", () => {
  it.each(rows)("$name", ({ codec, type, flags, attrs, bytes }) => {
    const wire = hex(bytes);
    const encoded = codec.encodeMessage({ type, flags, seq: SEQ, fixed: {}, attrs });
    expect(toHex(encoded)).toBe(toHex(wire));
    const [message] = parseMessages(wire);
    const decoded = codec.decodeMessage(message!);
    expect(decoded.attrs).toEqual(attrs);
    expect(decoded.fixed).toEqual({ nfgenFamily: 0, version: 0, resId: 0 });
  });

  it("keeps the policy of a protocol the spec has no format for in $unknown, byte for byte", () => {
    // l4proto 50 (ESP): the kernel tracks it with the generic tracker; the codec has no format for it.
    const wire = hex(`
      30000000 0008 0200 00f15365 00000000  00 00 0000
      0600 0100 6500 0000  0500 0300 32 000000  0c00 0480 0800 0100 00000258
    `);
    const decoded = cttimeout.decodeMessage<CttimeoutAttrs>(parseMessages(wire)[0]!);
    expect(decoded.attrs.data).toBeUndefined();
    expect(decoded.attrs.$unknown).toEqual([{ type: 4, flags: 0x8000, data: hex("0800 0100 00000258"), index: 2 }]);
    expect(toHex(cttimeout.encodeMessage({ type: 0x800, flags: NLM_F_MULTI, seq: SEQ, fixed: {}, attrs: decoded.attrs }))).toBe(toHex(wire));
  });

  it("names the attribute an extack offset points at inside the policy", () => {
    const request = hex(rows[0]!.bytes);
    expect(cttimeout.attrPath(undefined, request, 52)).toBe("cttimeout-attrs.data.syn-sent");
    expect(cthelper.attrPath(undefined, hex(rows.find((r) => r.name.startsWith("helper add"))!.bytes), 64)).toBe("cthelper-attrs.policy.set1.name");
  });
});
