// (b) Every attribute, enum entry and operation the kernel's spec gets right has the same number,
// type, nesting and byte order in ours. Each difference is listed below with its reason
// (DEVIATIONS.md explains them); an unlisted difference, or a listed one that no longer occurs, fails.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { diffAgainstKernel } from "./kernel-diff.js";
import { KERNEL_SPECS, missingReference, OUR_SPEC } from "./paths.js";

/** Differences where the kernel spec is right but ours is more precise (both copies). */
const REFINEMENTS: Record<string, string> = {
  "attr:counter-attrs.bytes-old:byteOrder(host→big-endian)": "CTA_COUNTERS32_BYTES was put with nla_put_be32",
  "attr:counter-attrs.packets-old:byteOrder(host→big-endian)": "CTA_COUNTERS32_PACKETS was put with nla_put_be32",
  "attr:nat-attrs.nat-v4-maxip:displayHint(undefined→ipv4)": "an IPv4 address, decoded like the tuple IPs",
  "attr:nat-attrs.nat-v4-minip:displayHint(undefined→ipv4)": "an IPv4 address, decoded like the tuple IPs",
  "attr:nat-attrs.nat-v6-maxip:displayHint(undefined→ipv6)": "an IPv6 address, decoded like the tuple IPs",
  "attr:nat-attrs.nat-v6-minip:displayHint(undefined→ipv6)": "an IPv6 address, decoded like the tuple IPs",
  "op:get-stats:renamed(get-stats-cpu)": "0x104 is IPCTNL_MSG_CT_GET_STATS_CPU; our get-stats is 0x105 IPCTNL_MSG_CT_GET_STATS",
};

/** Errors of the mainline copy (torvalds a4a508df), fixed in ours (and mostly in net-next). */
const MAINLINE_ERRORS: Record<string, string> = {
  "attr:conntrack-attrs.filter:nested(tuple-attrs→filter-attrs)": "CTA_FILTER holds CTA_FILTER_ORIG_FLAGS/REPLY_FLAGS",
  "attr:conntrack-attrs.labels mask:renamed(labels-mask)": "names must match ^[0-9a-z-]+$",
  "attr:conntrack-attrs.timestamp:nested(undefined→timestamp-attrs)": "CTA_TIMESTAMP is a nest of ctattr_tstamp",
  "attr:conntrack-attrs.timestamp:type(u64→nest)": "CTA_TIMESTAMP is a nest of ctattr_tstamp",
  "attr:nat-attrs.nat-proto:value(5→3)": "CTA_NAT_PROTO = 3 (implicit list order was wrong)",
  "attr:nat-attrs.nat-v6-maxip:value(4→5)": "CTA_NAT_V6_MAXIP = 5",
  "attr:nat-attrs.nat-v6-minip:value(3→4)": "CTA_NAT_V6_MINIP = 4",
  "enum:nf-ct-sctp-state.cloned:missing": "SCTP_CONNTRACK_CLOSED → closed",
  "enum:nf-ct-sctp-state.shutdown-heartbeat-sent:missing": "SCTP_CONNTRACK_HEARTBEAT_SENT → heartbeat-sent",
  "enum:nf-ct-sctp-state.shutdown-received:missing": "SCTP_CONNTRACK_SHUTDOWN_RECD → shutdown-recd",
  "op:get-stats.dump.reply:attrs(+invalid,-searched)": "the kernel sends CTA_STATS_INVALID, never CTA_STATS_SEARCHED",
  "op:get.do.reply:attrs(+timestamp,-nat-dst,-nat-src,dup)": "ctnetlink_fill_info dumps CTA_TIMESTAMP, never NAT ranges; nat-dst was listed twice",
  "op:get.dump.reply:attrs(+timestamp,-nat-dst,-nat-src,dup)": "ctnetlink_fill_info dumps CTA_TIMESTAMP, never NAT ranges; nat-dst was listed twice",
  "op:get.dump.request:attrs(+mark-mask,+status-mask,+tuple-orig,+tuple-reply)": "ctnetlink_alloc_filter reads them",
};

/** Differences only against net-next (f869aa4c), where the kernel spec added nothing wrong. */
const NEWEST_ONLY: Record<string, string> = {
  "attr:filter-attrs.orig-flags:enum(undefined→nf-ct-filter-flags)": "names the CTA_FILTER_F_* bits",
  "attr:filter-attrs.reply-flags:enum(undefined→nf-ct-filter-flags)": "names the CTA_FILTER_F_* bits",
};

const KNOWN: Record<keyof typeof KERNEL_SPECS, Record<string, string>> = {
  newest: { ...REFINEMENTS, ...NEWEST_ONLY },
  mainline: { ...REFINEMENTS, ...MAINLINE_ERRORS },
};

const ours = compileSpec(readFileSync(OUR_SPEC, "utf8"), { specPath: "spec/conntrack.yaml" }).model.descriptor;

describe.each(Object.entries(KERNEL_SPECS) as [keyof typeof KERNEL_SPECS, string][])("kernel spec (%s)", (which, path) => {
  const skip = missingReference(path);

  it.skipIf(skip !== undefined)("differs from ours only by the listed differences", () => {
    // Implicit values resolved the YNL way; the mainline copy needs lenient names ("labels mask").
    const kernel = compileSpec(readFileSync(path, "utf8"), { specPath: path, strictNames: false }).model.descriptor;
    expect(diffAgainstKernel(kernel, ours)).toEqual(Object.keys(KNOWN[which]).sort());
  });
});

describe("our spec's own invariants", () => {
  it("pins every attribute with an explicit value", () => {
    const text = readFileSync(OUR_SPEC, "utf8");
    const attrCount = Object.values(ours.attributeSets).reduce((n, s) => n + s.attrs.length, 0);
    // Attribute entries are the only mappings with a "value:" line directly under "name:" in attribute-sets.
    const section = text.slice(text.indexOf("\nattribute-sets:"), text.indexOf("\noperations:"));
    expect(section.match(/^ {8}value: \d+$/gm)?.length).toBe(attrCount);
  });

  it("derives the uapi C name of every attribute (except the two obsolete counters32)", () => {
    const expected: Record<string, string> = {
      "counter-attrs.packets": "CTA_COUNTERS_PACKETS",
      "counter-attrs.packets-old": "CTA_COUNTERS_PACKETS_OLD",
      "tuple-attrs.tuple-ip": "CTA_TUPLE_IP",
      "tuple-ip-attrs.ip-v6-dst": "CTA_IP_V6_DST",
      "tuple-proto-attrs.proto-icmpv6-code": "CTA_PROTO_ICMPV6_CODE",
      "protoinfo-tcp-attrs.tcp-state": "CTA_PROTOINFO_TCP_STATE",
      "protoinfo-tcp-attrs.tcp-flags-reply": "CTA_PROTOINFO_TCP_FLAGS_REPLY",
      "protoinfo-dccp-attrs.dccp-handshake-seq": "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ",
      "protoinfo-sctp-attrs.vtag-original": "CTA_PROTOINFO_SCTP_VTAG_ORIGINAL",
      "protoinfo-attrs.protoinfo-sctp": "CTA_PROTOINFO_SCTP",
      "help-attrs.help-info": "CTA_HELP_INFO",
      "nat-proto-attrs.nat-port-max": "CTA_PROTONAT_PORT_MAX",
      "nat-attrs.nat-proto": "CTA_NAT_PROTO",
      "seqadj-attrs.correction-pos": "CTA_SEQADJ_CORRECTION_POS",
      "secctx-attrs.secctx-name": "CTA_SECCTX_NAME",
      "timestamp-attrs.stop": "CTA_TIMESTAMP_STOP",
      "synproxy-attrs.tsoff": "CTA_SYNPROXY_TSOFF",
      "filter-attrs.reply-flags": "CTA_FILTER_REPLY_FLAGS",
      "conntrack-attrs.seq-adj-orig": "CTA_SEQ_ADJ_ORIG",
      "conntrack-attrs.labels-mask": "CTA_LABELS_MASK",
      "conntrack-attrs.timestamp-event": "CTA_TIMESTAMP_EVENT",
      "conntrack-stats-attrs.searched": "CTA_STATS_SEARCHED",
      "conntrack-stats-attrs.chain-toolong": "CTA_STATS_CHAIN_TOOLONG",
      "stats-global-attrs.max-entries": "CTA_STATS_GLOBAL_MAX_ENTRIES",
      "expect-attrs.expect-help-name": "CTA_EXPECT_HELP_NAME",
      "expect-nat-attrs.tuple": "CTA_EXPECT_NAT_TUPLE",
      "exp-stats-attrs.delete": "CTA_STATS_EXP_DELETE",
    };
    const actual = Object.fromEntries(
      Object.keys(expected).map((k) => {
        const [set, attr] = k.split(".") as [string, string];
        return [k, ours.attributeSets[set]?.attrs.find((a) => a.name === attr)?.cName];
      }),
    );
    expect(actual).toEqual(expected);
    for (const set of Object.values(ours.attributeSets)) {
      for (const a of set.attrs) expect(a.cName).toMatch(/^CTA_[A-Z0-9_]+$/);
    }
  });

  it("has the message types and groups of nfnetlink_conntrack.h", () => {
    const ops = Object.fromEntries(
      ours.operations.map((o) => [o.name, [o.do?.requestValue ?? o.dump?.requestValue, o.do?.replyValue ?? o.dump?.replyValue ?? o.event?.value]]),
    );
    expect(ops).toEqual({
      new: [0x100, undefined],
      get: [0x101, 0x100],
      delete: [0x102, undefined],
      "get-ctrzero": [0x103, 0x100],
      "get-stats-cpu": [0x104, 0x104],
      "get-stats": [0x105, 0x105],
      "get-dying": [0x106, 0x100],
      "get-unconfirmed": [0x107, 0x100],
      "exp-new": [0x200, undefined],
      "exp-get": [0x201, 0x200],
      "exp-delete": [0x202, undefined],
      "exp-get-stats-cpu": [0x203, 0x103],
      "event-new": [undefined, 0x100],
      "event-update": [undefined, 0x100],
      "event-destroy": [undefined, 0x102],
      "exp-event-new": [undefined, 0x200],
      "exp-event-destroy": [undefined, 0x202],
    });
    expect(ours.mcastGroups).toEqual([
      { name: "conntrack-new", value: 1 },
      { name: "conntrack-update", value: 2 },
      { name: "conntrack-destroy", value: 3 },
      { name: "conntrack-exp-new", value: 4 },
      { name: "conntrack-exp-update", value: 5 },
      { name: "conntrack-exp-destroy", value: 6 },
    ]);
  });
});
