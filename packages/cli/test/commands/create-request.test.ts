// What -I/-A and -G put in their request: zones only in their own direction's tuple (the kernel refuses
// a tuple zone in both with EINVAL) and ICMP id 0 when --icmp-id is not given (the kernel needs all three).

import { describe, expect, it } from "vitest";
import { parseArgs, type ParsedCommand } from "../../src/args/index.js";
import { flowFromCommand } from "../../src/commands/create.js";
import { lookupKey } from "../../src/commands/tuples.js";

function parsed(line: string): ParsedCommand {
  const result = parseArgs(line.split(" "));
  if (!result.ok) throw new Error(result.stderr);
  return result;
}

const TCP = "-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100";

describe("-I request", () => {
  it("puts --orig-zone in the original tuple only", () => {
    const flow = flowFromCommand(parsed(`${TCP} --orig-zone 4`));
    expect(flow.tupleOrig?.tupleZone).toBe(4);
    expect(flow.tupleReply?.tupleZone).toBeUndefined();
  });

  it("puts --reply-zone in the reply tuple built from -s/-d", () => {
    const flow = flowFromCommand(parsed(`${TCP} --reply-zone 5`));
    expect(flow.tupleOrig?.tupleZone).toBeUndefined();
    expect(flow.tupleReply).toMatchObject({ tupleIp: { ipV4Src: "10.5.0.2", ipV4Dst: "10.5.0.1" }, tupleZone: 5 });
  });

  it("puts --orig-zone in the original tuple built from -r/-q", () => {
    const flow = flowFromCommand(
      parsed("-I -p udp -r 10.5.0.2 -q 10.5.0.1 --reply-port-src 53 --reply-port-dst 5353 -t 30 --orig-zone 6"),
    );
    expect(flow.tupleOrig).toMatchObject({ tupleIp: { ipV4Src: "10.5.0.1", ipV4Dst: "10.5.0.2" }, tupleZone: 6 });
    expect(flow.tupleReply?.tupleZone).toBeUndefined();
  });

  it("sends ICMPv6 id 0 without --icmpv6-id, and the echo reply type in the reply tuple", () => {
    const flow = flowFromCommand(parsed("-A -s 2001:db8:5::1 -d 2001:db8:5::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 -t 30"));
    expect(flow.tupleOrig?.tupleProto).toMatchObject({ protoIcmpv6Id: 0, protoIcmpv6Type: 128, protoIcmpv6Code: 0 });
    expect(flow.tupleReply?.tupleProto).toMatchObject({ protoIcmpv6Id: 0, protoIcmpv6Type: 129, protoIcmpv6Code: 0 });
  });

  // The bytes 1.4.7 sent for the upstream testsuite's ping entry (captured with the nlcap shim).
  it.each([
    { line: "-I -t 29 -u SEEN_REPLY -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 1226", reply: { protoNum: 1, protoIcmpCode: 0, protoIcmpType: 0, protoIcmpId: 1226 } },
    { line: "-I -t 29 -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p icmp --icmp-type 13 --icmp-code 0 --icmp-id 5", reply: { protoNum: 1, protoIcmpCode: 0, protoIcmpType: 14, protoIcmpId: 5 } },
    { line: "-I -t 29 -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p icmp --icmp-type 8 --icmp-code 0", reply: { protoNum: 1, protoIcmpCode: 0, protoIcmpType: 0, protoIcmpId: 0 } },
    { line: "-I -t 29 -s 1.1.1.1 -d 2.2.2.2 -r 2.2.2.2 -q 1.1.1.1 -p icmp --icmp-type 3 --icmp-code 1 --icmp-id 5", reply: { protoNum: 1, protoIcmpCode: 1, protoIcmpType: 255, protoIcmpId: 5 } },
    { line: "-I -t 29 -s ::1 -d ::2 -r ::2 -q ::1 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 9", reply: { protoNum: 58, protoIcmpv6Code: 0, protoIcmpv6Type: 129, protoIcmpv6Id: 9 } },
  ])("gives an explicit ICMP reply tuple (-r/-q) code, id and the reply type: $line", ({ line, reply }) => {
    expect(flowFromCommand(parsed(line)).tupleReply?.tupleProto).toEqual(reply);
  });
});

describe("-G lookup key", () => {
  it("sends ICMP id 0 without --icmp-id", () => {
    const key = lookupKey(parsed("-G -s 10.0.0.1 -d 10.0.0.4 -p icmp --icmp-type 8 --icmp-code 0"));
    expect(key.tupleOrig?.tupleProto).toMatchObject({ protoIcmpId: 0, protoIcmpType: 8, protoIcmpCode: 0 });
  });

  it("uses the reply tuple when the original one is incomplete", () => {
    const key = lookupKey(parsed("-G -r 3.3.3.3 -q 1.1.1.1 -p tcp --reply-port-src 8080 --reply-port-dst 10"));
    expect(key.tupleOrig).toBeUndefined();
    expect(key.tupleReply).toMatchObject({ tupleIp: { ipV4Src: "3.3.3.3", ipV4Dst: "1.1.1.1" } });
  });
});
