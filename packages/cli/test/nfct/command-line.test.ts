// tsnfct's reading of nfct 1.4.7's command line, its C-library helpers and its state tables.
import { describe, expect, it } from "vitest";
import { cttimeoutFamily, IpProto } from "@tsconntrack/codec/cttimeout";
import { atoi, truncateBytes } from "../../src/nfct/c-text.js";
import { extractExtensions, parseNfctCommandLine } from "../../src/nfct/command-line.js";
import { protocolStates, sameIgnoringAsciiCase } from "../../src/nfct/states.js";

const run = (line: string) => {
  const parsed = parseNfctCommandLine(line === "" ? [] : line.split(" "));
  return parsed.kind === "run" ? `${parsed.command} ${parsed.subsystem}` : `exit ${parsed.status}: ${parsed.stderr}${parsed.stdout.split("\n")[0]}`;
};

describe("parseNfctCommandLine", () => {
  it.each([
    ["list timeout", "list timeout"],
    ["l t", "list timeout"],
    ["t l", "list timeout"],
    ["d t", "delete timeout"],
    ["def t", "default-set timeout"],
    ["default-g t", "default-get timeout"],
    ["l h", "list helper"],
    ["list help", "list helper"],
    ["helper disable", "disable helper"],
    ["", "exit 1: Usage: tsnfct command subsystem [parameters]...\n"],
    ["version", "exit 1: Usage: tsnfct command subsystem [parameters]...\n"],
    ["list version", "exit 0: tsnfct v0.1.0: utility for the Netfilter's Connection Tracking System"],
    ["version list", "exit 0: tsnfct v0.1.0: utility for the Netfilter's Connection Tracking System"],
    ["x y", "exit 1: tsnfct v0.1.0: Unknown subsystem: x\nUsage: tsnfct command subsystem [parameters]...\n"],
    ["list x", "exit 1: tsnfct v0.1.0: Unknown subsystem: list\nUsage: tsnfct command subsystem [parameters]...\n"],
    ["timeout x", "exit 1: tsnfct v0.1.0: Unknown command: timeout\nUsage: tsnfct command subsystem [parameters]...\n"],
  ])("%s → %s", (line, expected) => {
    expect(run(line)).toBe(expected);
  });

  it("takes an empty word as a prefix of the first entry, as strncmp with length 0 does", () => {
    expect(parseNfctCommandLine(["", ""])).toMatchObject({ kind: "run", command: "list", subsystem: "timeout" });
  });
});

describe("extractExtensions", () => {
  it("takes tsnfct's options out wherever they stand", () => {
    expect(extractExtensions(["list", "--netns", "lab", "timeout", "-o", "json", "--record=x.pcap"])).toEqual({
      rest: ["list", "timeout"],
      extensions: { json: true, netns: "lab", record: "x.pcap" },
    });
    expect(extractExtensions(["add", "--", "-o", "x"])).toEqual({ rest: ["add", "-o", "x"], extensions: { json: false } });
  });

  it.each([
    [["--netns"], "tsnfct v0.1.0: option --netns needs a value\n"],
    [["-o", "xml"], "tsnfct v0.1.0: -o: unknown output format `xml' (json is the one tsnfct knows)\n"],
    [["--replay", "a", "--netns", "b"], "tsnfct v0.1.0: --replay answers from a capture: it cannot be combined with --record or --netns\n"],
  ])("refuses %j", (args, error) => {
    expect(extractExtensions(args)).toEqual({ error });
  });
});

describe("C library behaviour", () => {
  it.each([
    ["7", 7], [" 12x", 12], ["\t+5", 5], ["-1", -1], ["abc", 0], ["", 0], ["99999999999", 1215752191],
    ["4294967296", 0], ["-2147483649", 2147483647], ["999999999999999999999", -1],
  ])("atoi(%j) = %d", (text, value) => {
    expect(atoi(text)).toBe(value);
  });

  it("cuts names as strncpy into a fixed buffer does, at a character boundary", () => {
    expect(truncateBytes("0123456789012345678901234567890123456789", 32)).toBe("0123456789012345678901234567890");
    expect(truncateBytes("short", 32)).toBe("short");
    expect(truncateBytes(`${"a".repeat(30)}é`, 32)).toBe("a".repeat(30)); // é would be bytes 31 and 32
  });

  it("folds only ASCII letters, as strcasecmp in the C locale", () => {
    expect(sameIgnoringAsciiCase("Syn_Sent", "SYN_SENT")).toBe(true);
    expect(sameIgnoringAsciiCase("ſyn_sent", "SYN_SENT")).toBe(false);
  });
});

describe("protocolStates", () => {
  it("names nfct's states after the spec's attributes (state i is attribute i + 1)", () => {
    for (const proto of Object.values(IpProto)) {
      const states = protocolStates(proto)!;
      expect(states, `protocol ${proto}`).toBeDefined();
      for (const state of states.states) {
        const expected = state.name === "UNACKNOWLEDGED" ? "unack" : state.name.toLowerCase().replace(/_/g, "-");
        expect(state.key.replace(/[A-Z0-9]/g, (c) => `-${c.toLowerCase()}`).replace(/-(\d)/g, "$1")).toBe(expected);
      }
    }
  });

  it("knows nfct's counts, and the kernel's extra SCTP states for JSON", () => {
    const counts = Object.fromEntries(Object.entries(IpProto).map(([name, proto]) => [name, protocolStates(proto)!.states.length]));
    expect(counts).toEqual({ icmp: 1, tcp: 11, udp: 2, dccp: 7, gre: 2, icmpv6: 1, sctp: 7, udplite: 2, raw: 1 });
    expect(protocolStates(IpProto.sctp)!.all.slice(7).map((s) => s.name)).toEqual(["HEARTBEAT_SENT", "HEARTBEAT_ACKED"]);
    expect(protocolStates(50)).toBeUndefined();
    expect(cttimeoutFamily.subMessages["timeout-data"].formats).toHaveLength(9);
  });
});
