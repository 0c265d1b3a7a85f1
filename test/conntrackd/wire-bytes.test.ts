/**
 * tsconntrackd sends the bytes conntrackd 1.4.7 sends: the flows of
 * packages/conntrackd/test/fixtures/notrack-1.4.7.hex (captured from conntrackd 1.4.7) are made
 * again on A with tsconntrackd running there, B's side of the link is sniffed (AF_PACKET), and
 * every state message must equal 1.4.7's byte for byte except for the sequence number.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { splitDatagram } from "@tsconntrack/conntrackd";
import { Pair, pairUnsupported, sleep } from "./pair.js";
import { spawnInNetns } from "../support/netns.js";

const FIXTURE = join(__dirname, "../../packages/conntrackd/test/fixtures/notrack-1.4.7.hex");
const reason = pairUnsupported();
if (reason) console.log(`skipping the wire bytes test: ${reason}`);

// The commands are the fixture's own header lines.
const fixture = readFileSync(FIXTURE, "utf8").split("\n");
const COMMANDS = fixture.filter((l) => l.startsWith("#  conntrack ")).map((l) => l.slice("#  conntrack ".length).split(" "));

/** State messages (not ALIVE) of a list of datagrams, with the sequence number blanked. */
function stateMessages(datagrams: string[]): string[] {
  const out: string[] = [];
  for (const hex of datagrams) {
    for (const item of splitDatagram(new Uint8Array(Buffer.from(hex, "hex")))) {
      if (item.kind !== "message" || item.header.type === 10) continue;
      const bytes = Buffer.from(item.bytes);
      bytes.fill(0, 4, 8);
      out.push(bytes.toString("hex"));
    }
  }
  return out;
}

const SNIFF = `import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind(("vb", 0)); s.settimeout(0.2)
end = time.time() + float(sys.argv[1])
print("ready", flush=True)
while time.time() < end:
    try: pkt, addr = s.recvfrom(65535)
    except socket.timeout: continue
    if addr[2] == socket.PACKET_OUTGOING or pkt[12:14] != b"\\x08\\x00" or pkt[23] != 17: continue
    ihl = (pkt[14] & 15) * 4
    udp = pkt[14 + ihl:]
    if int.from_bytes(udp[2:4], "big") == 3780 and pkt[26:30] == bytes([10, 77, 0, 1]): print(udp[8:].hex() if len(sys.argv) < 3 else udp[6:8].hex(), flush=True)
`;

describe.skipIf(reason !== undefined)("tsconntrackd's state messages are conntrackd 1.4.7's bytes", () => {
  it("for the captured flows: TCP, UDP with a zone, ICMP, SNAT, DNAT, IPv6, SCTP, an update and a delete", async () => {
    expect(COMMANDS).toHaveLength(9);
    const pair = await Pair.start("tsconntrackd", "conntrackd", { mode: "Mode NOTRACK { }" });
    try {
      const sniffer = await spawnInNetns(pair.ns.B, "python3", ["-c", SNIFF, "8"], { readyLine: "ready" });
      let captured = "";
      sniffer.stdout!.on("data", (d: Buffer) => (captured += d.toString()));
      const exited = new Promise((r) => sniffer.once("exit", r));
      for (const [i, args] of COMMANDS.entries()) {
        expect(pair.conntrack("A", args).status).toBe(0);
        // The capture had a pause before the update and the delete; keep it.
        if (i === 6) await sleep(300);
      }
      await exited;
      const ours = stateMessages(captured.split("\n").filter((l) => /^[0-9a-f]+$/.test(l)));
      const theirs = stateMessages(fixture.filter((l) => l && !l.startsWith("#")));
      expect(ours).toEqual(theirs);
    } finally {
      pair.stop();
    }
  }, 60_000);
});

describe.skipIf(reason !== undefined)("Checksum off", () => {
  for (const off of [true, false]) {
    it(`${off ? "sends UDP datagrams without a checksum" : "keeps UDP checksums when on"}`, async () => {
      const pair = await Pair.start("tsconntrackd", "conntrackd", { mode: "Mode NOTRACK { }", checksumOff: off });
      try {
        const sniffer = await spawnInNetns(pair.ns.B, "python3", ["-c", SNIFF, "2.5", "checksums"], { readyLine: "ready" });
        let captured = "";
        sniffer.stdout!.on("data", (d: Buffer) => (captured += d.toString()));
        const exited = new Promise((r) => sniffer.once("exit", r));
        await exited;
        const sums = captured.split("\n").filter((l) => /^[0-9a-f]{4}$/.test(l));
        expect(sums.length).toBeGreaterThan(0); // ALIVE every second
        if (off) expect(new Set(sums)).toEqual(new Set(["0000"]));
        else expect(sums).not.toContain("0000");
      } finally {
        pair.stop();
      }
    }, 60_000);
  }
});
