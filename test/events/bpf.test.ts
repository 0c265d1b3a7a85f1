// The event socket's BPF filter. Without a kernel: an interpreter of the emitted program must never
// reject an event the user-space filter accepts, and must reject what it can express. With a kernel:
// a filtered socket is delivered only the matching events (counted against an unfiltered socket).

import { ConntrackMcastGroup, ConntrackRequest, conntrack } from "@tsconntrack/codec/conntrack";
import { NLM_F_CREATE, parseMessages } from "@tsconntrack/codec";
import { LiveTransport } from "@tsconntrack/socket";
import { classifyEvent, compileFilter, flowView } from "@tsconntrack/conntrack";

const view = flowView();
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgs, parseEtcProtocols } from "../../packages/cli/src/args/index.js";
import type { ParsedCommand } from "../../packages/cli/src/args/types.js";
import { flowFilterFor } from "../../packages/cli/src/commands/flow-filter.js";
import { buildEventFilter, runEventFilter } from "../../packages/cli/src/events/bpf.js";
import { eventFilterSpec } from "../../packages/cli/src/events/kernel-filter.js";
import { canRunKernelTests, createNetns, destroyNetns, exec } from "../support/netns.js";

const PROTOCOLS = parseEtcProtocols("tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\ngre 47 GRE\n");

function parse(args: readonly string[]): ParsedCommand {
  const parsed = parseArgs(["-E", ...args], { protocols: PROTOCOLS });
  if (!parsed.ok) throw new Error(parsed.stderr);
  return parsed;
}

interface Flow {
  family: 2 | 10;
  proto: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  icmp?: { type: number; code: number; id: number };
}

function tuple(flow: Flow, reply: boolean) {
  const [src, dst] = reply ? [flow.dst, flow.src] : [flow.src, flow.dst];
  const ip = flow.family === 2 ? { ipV4Src: src, ipV4Dst: dst } : { ipV6Src: src, ipV6Dst: dst };
  const proto: Record<string, number> = { protoNum: flow.proto };
  if (flow.sport !== undefined) {
    proto["protoSrcPort"] = reply ? flow.dport! : flow.sport;
    proto["protoDstPort"] = reply ? flow.sport : flow.dport!;
  }
  if (flow.icmp !== undefined) {
    const v6 = flow.proto === 58;
    proto[v6 ? "protoIcmpv6Id" : "protoIcmpId"] = flow.icmp.id;
    proto[v6 ? "protoIcmpv6Type" : "protoIcmpType"] = reply ? (v6 ? 129 : 0) : flow.icmp.type;
    proto[v6 ? "protoIcmpv6Code" : "protoIcmpCode"] = flow.icmp.code;
  }
  return { tupleIp: ip, tupleProto: proto };
}

function eventMessage(flow: Flow): { bytes: Uint8Array; attrs: Record<string, unknown> } {
  const attrs = { tupleOrig: tuple(flow, false), tupleReply: tuple(flow, true), status: 8, timeout: 30 };
  const bytes = conntrack.encodeMessage({
    type: ConntrackRequest.new,
    flags: NLM_F_CREATE,
    fixed: { nfgenFamily: flow.family, version: 0, resId: 0 },
    attrs: attrs as never,
  });
  return { bytes, attrs };
}

const FLOWS: Flow[] = [
  { family: 2, proto: 6, src: "10.0.0.1", dst: "10.0.0.2", sport: 1000, dport: 80 },
  { family: 2, proto: 6, src: "10.0.1.7", dst: "10.0.0.2", sport: 1001, dport: 443 },
  { family: 2, proto: 17, src: "10.0.0.1", dst: "10.0.0.3", sport: 5353, dport: 53 },
  { family: 2, proto: 1, src: "10.0.0.1", dst: "10.0.0.4", icmp: { type: 8, code: 0, id: 77 } },
  { family: 2, proto: 47, src: "10.0.0.1", dst: "10.0.0.5", sport: 0x1234, dport: 0x5678 },
  { family: 10, proto: 6, src: "2001:db8::1", dst: "2001:db8::2", sport: 1, dport: 2 },
  { family: 10, proto: 6, src: "2001:db8:0:1::9", dst: "2001:db8::2", sport: 3, dport: 22 },
  { family: 10, proto: 58, src: "fd00::1", dst: "fd00::2", icmp: { type: 128, code: 0, id: 9 } },
];

/** Command lines whose filter the BPF program expresses completely. */
const EXACT: readonly (readonly string[])[] = [
  ["-p", "tcp"],
  ["-p", "udp"],
  ["-s", "10.0.0.1"],
  ["-d", "10.0.0.2"],
  ["-s", "10.0.0.0/24"],
  ["-s", "10.0.0.0/16", "-p", "tcp", "--dport", "80"],
  ["-r", "10.0.0.2"],
  ["-q", "10.0.0.1"],
  ["-p", "tcp", "--sport", "1000"],
  ["-p", "tcp", "--reply-port-src", "80"],
  ["-p", "tcp", "--reply-port-dst", "1001"],
  ["-p", "icmp", "--icmp-type", "8", "--icmp-id", "77"],
  ["-p", "icmpv6", "--icmpv6-type", "128"],
  ["-p", "gre", "--srckey", "4660"],
  ["-s", "2001:db8::1"],
  ["-s", "2001:db8::/48"],
  ["-d", "2001:db8::2", "-p", "tcp", "--dport", "22"],
  ["-f", "ipv6"],
  ["-f", "ipv4", "-p", "udp"],
];

/** Filters with parts left to user space: the program may accept more, never less. */
const PARTIAL: readonly (readonly string[])[] = [
  ["-p", "tcp", "-m", "5"],
  ["-s", "10.0.0.1", "--orig-zone", "0"],
  ["-p", "tcp", "--state", "ESTABLISHED"],
  ["-n"],
];

describe("ev- BPF event filter (interpreted)", () => {
  const messages = FLOWS.map(eventMessage);

  it("has nothing to run for an unfiltered -E", () => {
    expect(buildEventFilter(eventFilterSpec(parse([])))).toBeNull();
    expect(buildEventFilter(eventFilterSpec(parse(["-m", "3"])))).toBeNull();
  });

  for (const args of EXACT) {
    it(`-E ${args.join(" ")}: kernel verdict = user-space verdict`, () => {
      const cmd = parse(args);
      const program = buildEventFilter(eventFilterSpec(cmd))!;
      expect(program).not.toBeNull();
      const predicate = compileFilter(flowFilterFor(cmd, "event")).predicate!;
      const kernel = messages.map((m) => runEventFilter(program, m.bytes) !== 0);
      const user = messages.map((m) => predicate(view.walkMessage(m.bytes)));
      expect(kernel).toEqual(user);
      expect(user.some(Boolean)).toBe(true);
    });
  }

  for (const args of PARTIAL) {
    it(`-E ${args.join(" ")}: never drops what user space would print`, () => {
      const cmd = parse(args);
      const program = buildEventFilter(eventFilterSpec(cmd));
      const predicate = compileFilter(flowFilterFor(cmd, "event")).predicate!;
      messages.forEach((m) => {
        if (predicate(view.walkMessage(m.bytes))) expect(program === null || runEventFilter(program, m.bytes) !== 0).toBe(true);
      });
    });
  }
});

const support = canRunKernelTests();
if (!support.ok) console.log(`skipping ev- BPF kernel test: ${support.reason}`);

describe.skipIf(!support.ok)("ev- BPF event filter (kernel)", () => {
  it("a -p udp -s 10.5.0.1 socket is delivered only the matching events", () => {
    const ns = createNetns("ev-bpf");
    const open = () => LiveTransport.open({ netns: ns, groups: [ConntrackMcastGroup.conntrackNew], receiveTimeoutMs: 300 });
    const plain = open();
    const filtered = open();
    try {
      filtered.attachFilter(buildEventFilter(eventFilterSpec(parse(["-p", "udp", "-s", "10.5.0.1"])))!);
      const script: string[] = [];
      for (let i = 1; i <= 10; i++) {
        script.push(`-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport ${i} --dport 80 --state SYN_SENT -t 30`);
        script.push(`-I -p udp -s 10.5.0.1 -d 10.5.0.2 --sport ${i} --dport 53 -t 30`);
        script.push(`-I -p udp -s 10.5.0.9 -d 10.5.0.2 --sport ${i} --dport 53 -t 30`);
      }
      const file = join(mkdtempSync(join(tmpdir(), "ev-bpf-")), "script");
      writeFileSync(file, script.join("\n") + "\n");
      const loaded = exec(ns, "conntrack", ["-R", file]);
      expect(loaded.status, loaded.stderr).toBe(0);
      const drain = (transport: LiveTransport) => {
        const received: Uint8Array[] = [];
        for (;;) {
          try {
            const datagram = transport.receiveSync();
            if (datagram === null) break;
            received.push(datagram.bytes.slice());
          } catch {
            break; // SO_RCVTIMEO: nothing more
          }
        }
        return received;
      };
      expect(drain(plain).length).toBe(30);
      const delivered = drain(filtered).flatMap((bytes) => parseMessages(bytes).map((message) => classifyEvent({ kind: "message", message }, undefined)));
      expect(delivered.length).toBe(10);
      for (const event of delivered) {
        expect(event?.kind).toBe("new");
        const flow = event?.kind === "new" ? event.flow : undefined;
        expect(flow?.tupleOrig?.tupleProto?.protoNum).toBe(17);
        expect(flow?.tupleOrig?.tupleIp?.ipV4Src).toBe("10.5.0.1");
      }
    } finally {
      plain.close();
      filtered.close();
      destroyNetns(ns);
    }
  });
});
