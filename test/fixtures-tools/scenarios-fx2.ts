/**
 * The second round of golden fixtures: expectation commands (-G/-D/-I expect, IPv6), -A, -R,
 * label updates and filters, more -L filters, -o timestamp with a pinned gettimeofday(), -o
 * userspace, and an -E event storm that overruns the socket (ENOBUFS).
 */
import { fileURLToPath } from "node:url";
import { buildVariedTable } from "../support/varied-table.js";
import { eventActions, setupEvents, stormActions } from "./event-actions.js";
import type { Scenario } from "./scenario.js";

const LABELMAP = fileURLToPath(new URL("../../fixtures/connlabel.conf", import.meta.url));

/** Fixed FTP client ports, so the expectations' master tuples are the same on every run. */
const FTP_CLIENT_PORT = 40021;
const FTP6_CLIENT_PORT = 40022;

/** The expected tuple of the helper's expectations: the data connection to port 50000 (any source port). */
const EXPECTED_V4 = ["-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.1", "--sport", "0", "--dport", "50000"];
/** -G/-D expect require the reply ports although the request never carries them. */
const UNUSED_REPLY_PORTS = ["--reply-port-src", "0", "--reply-port-dst", "0"];

/** -I expect: master = the FTP control connection, expected = 127.0.0.1 -> 127.0.0.1:PORT. */
function createExpectation(master: string, tuplePortDst: number): string[] {
  return [
    "-I", "expect", "-p", "tcp",
    "-s", master, "-d", "127.0.0.1", "--sport", String(FTP_CLIENT_PORT), "--dport", "21",
    "--tuple-src", "127.0.0.1", "--tuple-dst", "127.0.0.1", "--mask-src", "255.255.255.255", "--mask-dst", "255.255.255.255",
    "--tuple-port-src", "0", "--tuple-port-dst", String(tuplePortDst), "--mask-port-src", "0", "--mask-port-dst", "65535",
    "-t", "200",
  ];
}

const GET_TCP = ["-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "12345", "--dport", "80"];
const ADD_TCP = ["-A", "-p", "tcp", "-s", "10.6.0.1", "-d", "10.6.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "60"];

export const fx2Scenarios: Record<string, Scenario> = {
  varied2: {
    setup: async (ns) => {
      await buildVariedTable(ns, { ftpClientPort: FTP_CLIENT_PORT, ftp6ClientPort: FTP6_CLIENT_PORT });
    },
    captures: [
      // Reading first.
      { name: "varied2-G-expect", args: ["-G", "expect", ...EXPECTED_V4, ...UNUSED_REPLY_PORTS], note: "expectation GET by its expected tuple (source port 0 matches through the mask); no summary" },
      {
        name: "varied2-G-expect-enoent",
        args: ["-G", "expect", "-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.1", "--sport", "0", "--dport", "50001", ...UNUSED_REPLY_PORTS],
        note: "expectation GET, kernel ENOENT: plain strerror text",
      },
      {
        name: "varied2-G-expect-ipv6",
        args: ["-G", "expect", "-p", "tcp", "-s", "::1", "-d", "::1", "--sport", "0", "--dport", "50000", ...UNUSED_REPLY_PORTS],
        note: "IPv6 expectation GET",
      },
      { name: "varied2-L-expect", args: ["-L", "expect"], note: "an IPv4 and an IPv6 expectation exist; the dump asks for AF_INET, so only the IPv4 one shows" },
      { name: "varied2-L-expect-ipv6", args: ["-L", "expect", "-f", "ipv6"], note: "IPv6 FTP EPSV expectation" },
      {
        name: "varied2-L-expect-timestamp",
        args: ["-L", "expect", "-o", "timestamp"],
        pinTimeOfDay: true,
        note: "expectation dump with the gettimeofday() prefix, microseconds padded on the right (`.timeofday`)",
      },
      { name: "varied2-L-userspace", args: ["-L", "-o", "userspace"], note: "-o userspace is accepted and changes nothing" },
      { name: "varied2-L-icmp", args: ["-L", "-p", "icmp"], note: "protocol filter" },
      { name: "varied2-L-dport", args: ["-L", "-p", "tcp", "--dport", "80"], note: "protocol and port filter" },
      { name: "varied2-L-cidr", args: ["-L", "-s", "10.0.0.0/30", "-d", "10.0.0.2"], note: "CIDR source filter" },
      { name: "varied2-L-cidr6", args: ["-L", "-s", "2001:db8::/64"], note: "IPv6 CIDR source filter" },
      { name: "varied2-L-orig-zone", args: ["-L", "--orig-zone", "8"], note: "original-direction zone filter" },
      { name: "varied2-L-snat", args: ["-L", "-n"], note: "any SNAT (-n without an address)" },
      { name: "varied2-L-anynat", args: ["-L", "-j"], note: "any NAT (-j without an address)" },
      { name: "varied2-L-label", args: ["-L", "-l", "bulk"], labelmap: LABELMAP, note: "label filter (labels print without -o labels)" },
      { name: "varied2-G-extended-id", args: ["-G", ...GET_TCP, "-o", "extended,id"], note: "single GET, extended with id" },
      // Changing entries.
      {
        name: "varied2-U-label-add",
        args: ["-U", "-f", "ipv4", "-p", "udp", "--dport", "5001", "--label-add", "ppp-in"],
        labelmap: LABELMAP,
        note: "update adding a label to an entry that has some",
      },
      { name: "varied2-L-label-all", args: ["-L", "-l", "ppp-in", "-l", "bulk"], labelmap: LABELMAP, note: "two -l: an entry must carry every listed label" },
      {
        name: "varied2-U-label-nofamily",
        args: ["-U", "-p", "tcp", "--dport", "8080", "--label-add", "eth0-in"],
        labelmap: LABELMAP,
        note: "label update without a family: kernel EOPNOTSUPP, printed twice",
      },
      { name: "varied2-D-tuple", args: ["-D", "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "12351", "--dport", "80"], note: "delete of one entry by its full tuple" },
      { name: "varied2-A", args: ADD_TCP, note: "add (1.4.7: create with NLM_F_EXCL)" },
      { name: "varied2-A-exists", args: ADD_TCP, note: "add of an existing entry: EEXIST is ignored, 0 added, exit 0" },
      { name: "varied2-R", args: ["-R", "fixtures/varied2-R.input"], note: "load file (path relative to the repository root): -I, -A, -U, -D lines, a comment, a blank line, quotes, indents; the -U line matches nothing (see Findings); -D prints with a wrapped delta-time; no summary" },
      { name: "varied2-R-fail", args: ["-R", "fixtures/varied2-R-fail.input"], note: "load file whose second line hits EEXIST: stops there" },
      // Expectations last: the ftp helper keeps one expectation per master, so each -I expect replaces the previous one.
      { name: "varied2-I-expect-protobug", args: createExpectation("127.0.0.1", 50001), note: "1.4.7 --tuple-port-dst bug: the expected protocol becomes the port's first byte (50001 -> 195)" },
      { name: "varied2-L-expect-protobug", args: ["-L", "expect"], note: "the expectation the bug made: proto=195 and no ports" },
      { name: "varied2-I-expect", args: createExpectation("127.0.0.1", 1600), note: "expectation create from the FTP master; port 1600 (0x0640) makes the buggy protocol byte 6, so it is a real TCP expectation" },
      { name: "varied2-L-expect-created", args: ["-L", "expect"], note: "the created expectation" },
      {
        name: "varied2-D-expect",
        args: ["-D", "expect", "-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.1", "--sport", "0", "--dport", "1600", ...UNUSED_REPLY_PORTS],
        note: "expectation delete by tuple: succeeds, prints \"0 expectations have been shown.\" and exits 1",
      },
      {
        name: "varied2-D-expect-enoent",
        args: ["-D", "expect", "-p", "tcp", "-s", "127.0.0.1", "-d", "127.0.0.1", "--sport", "0", "--dport", "1600", ...UNUSED_REPLY_PORTS],
        note: "the same delete again: ENOENT, plain strerror text",
      },
      { name: "varied2-I-expect-enoent", args: createExpectation("127.0.0.9", 1600), note: "expectation create without a master: \"master conntrack not found\"" },
    ],
  },
  events2: {
    freshEach: true,
    setup: setupEvents,
    captures: [
      { name: "events-E-timestamp", args: ["-E", "-o", "timestamp"], pinTimeOfDay: true, during: eventActions, note: "events with the gettimeofday() prefix, zero-padded (`.timeofday`)" },
      { name: "events-E-userspace", args: ["-E", "-o", "userspace"], during: eventActions, note: "-o userspace is accepted and changes nothing" },
      { name: "events-E-expect-xml", args: ["-E", "expect", "-o", "xml"], during: eventActions, note: "expectation events, xml" },
      {
        name: "events-E-expect-timestamp",
        args: ["-E", "expect", "-o", "timestamp"],
        pinTimeOfDay: true,
        during: eventActions,
        note: "expectation events with the gettimeofday() prefix, padded on the right (`.timeofday`)",
      },
      {
        name: "events-E-enobufs",
        args: ["-E"],
        during: stormActions,
        settleMs: 1_500,
        note: "event storm (3000 creates in ~0.1 s): recvmsg ENOBUFS, recorded as NLMSG_OVERRUN markers; warnings on stderr, the loop goes on",
      },
    ],
  },
};
