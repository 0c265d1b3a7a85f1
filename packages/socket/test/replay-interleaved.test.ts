// Replays of captures made by a program that grouped its traffic differently from our client:
// conntrack 1.4.7 gives every request the same seq (time()), sends deletes and updates on a second
// socket while its dump is still streaming, and sends one request per datagram.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CaptureRecord } from "../src/capture.js";
import { parseSyscallLog, parseSyscallLogFull } from "../src/capture-sockets.js";
import { isNetlinkProtocolError, isNetlinkSocketError } from "../src/errors.js";
import { encodePcap } from "../src/pcap/writer.js";
import { buildReplayScript } from "../src/replay-script.js";
import { ReplayTransport } from "../src/replay-transport.js";
import { NetlinkClient } from "../src/request.js";
import { doneMessage, errorMessage } from "../src/testing.js";
import { datagram, message } from "./helpers/messages.js";

const SEQ = 1795478103;
const DUMP_PID = 28237;
const SECOND_PID = 2219560781;
const NFGEN = new Uint8Array([2, 0, 0, 0]);
const DUMP = { type: 0x101, flags: 0x300, payload: NFGEN };
const deleteOf = (id: number) => ({ type: 0x102, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, id]) });
const entry = (id: number, seq = SEQ, pid = DUMP_PID) =>
  message({ type: 0x100, flags: 0x22, seq, pid, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, id]) });

/** The kernel's ACK (or error) on the second socket and NLMSG_DONE on the dump's, for seq SEQ. */
const ackOnSecond = (errno: string | number = 0) => errorMessage({ seq: SEQ, portId: SECOND_PID, errno });
const doneOnDump = () => doneMessage({ seq: SEQ, portId: DUMP_PID });

function sent(bytes: Uint8Array): CaptureRecord {
  return { direction: "sent", bytes, timestamp: { seconds: 0, nanoseconds: 0 }, protocol: 12 };
}
function received(bytes: Uint8Array): CaptureRecord {
  return { direction: "received", bytes, timestamp: { seconds: 0, nanoseconds: 0 }, protocol: 12 };
}
const request = (type: number, flags: number, id?: number) =>
  message({ type, flags, seq: SEQ, pid: 0, payload: id === undefined ? NFGEN : new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, id]) });

/**
 * `conntrack -D`: dump on socket 0; each matching entry deleted on socket 1 (one request per
 * datagram, each ACKed) while the rest of the dump still waits on socket 0.
 */
function deleteCapture(): { records: CaptureRecord[]; sockets: number[] } {
  const records = [
    sent(request(0x101, 0x301)),
    received(datagram(entry(1), entry(2))),
    sent(request(0x102, 0x5, 1)),
    received(ackOnSecond()),
    sent(request(0x102, 0x5, 2)),
    received(ackOnSecond("ENOENT")),
    received(datagram(entry(3), doneOnDump())),
    sent(request(0x102, 0x5, 3)),
    received(ackOnSecond()),
  ];
  return { records, sockets: [0, 0, 1, 1, 1, 1, 0, 1, 1] };
}

function entryIds(client: NetlinkClient): number[] {
  const ids: number[] = [];
  client.dumpSync(DUMP, (m) => ids.push(m.bytes[m.bytes.length - 1]!));
  return ids;
}

describe("replay matched per message", () => {
  it("serves one batched datagram of deletes from one-by-one recorded deletes on a second socket", () => {
    const { records, sockets } = deleteCapture();
    const replay = new ReplayTransport(records, { sockets, strict: false });
    const client = new NetlinkClient(replay, { initialSeq: 10 });
    expect(entryIds(client)).toEqual([1, 2, 3]);
    const results = client.batchSync([deleteOf(1), deleteOf(2), deleteOf(3)]);
    expect(results.map((r) => r.error?.code ?? "ok")).toEqual(["ok", "ENOENT", "ok"]);
    expect(replay.remaining).toBe(0);
    expect(replay.receiveSync()).toBeNull();
  });

  it("tells the sockets apart by port id when there is no syscall log", () => {
    const { records } = deleteCapture();
    const script = buildReplayScript(records);
    expect(script.requests.map((r) => r.answers.length)).toEqual([4, 1, 1, 1]);
    expect(script.portIds).toEqual([DUMP_PID, SECOND_PID]);
    const client = new NetlinkClient(new ReplayTransport(records, { strict: false }), { initialSeq: 10 });
    expect(entryIds(client)).toEqual([1, 2, 3]);
    expect(client.batchSync([deleteOf(1), deleteOf(2), deleteOf(3)]).map((r) => r.error?.errno ?? 0)).toEqual([0, 2, 0]);
  });

  it("rewrites every answer to our seq and port id, keeping the recorded datagram boundaries", () => {
    const { records, sockets } = deleteCapture();
    const replay = new ReplayTransport(records, { sockets, portId: 77, strict: false });
    replay.send(message({ type: 0x101, flags: 0x301, seq: 500, pid: 0, payload: NFGEN }));
    const headers = (bytes: Uint8Array) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out: string[] = [];
      for (let i = 0; i < bytes.length; i += view.getUint32(i, true)) out.push(`${view.getUint16(i + 4, true)}/${view.getUint32(i + 8, true)}/${view.getUint32(i + 12, true)}`);
      return out;
    };
    expect(headers(replay.receiveSync()!.bytes)).toEqual(["256/500/77", "256/500/77"]);
    expect(headers(replay.receiveSync()!.bytes)).toEqual(["256/500/77", "3/500/77"]);
    expect(replay.receiveSync()).toBeNull();
  });

  it("serves batched updates, then their read-backs, from recorded update/get pairs", () => {
    const records = [
      sent(request(0x101, 0x301)),
      received(datagram(entry(1), entry(2))),
      sent(request(0x100, 0x5, 1)),
      received(ackOnSecond()),
      sent(request(0x101, 0x5, 1)),
      received(entry(1, SEQ, SECOND_PID)),
      sent(request(0x100, 0x5, 2)),
      received(ackOnSecond("ENOENT")),
      received(doneOnDump()),
    ];
    const client = new NetlinkClient(new ReplayTransport(records, { sockets: [0, 0, 1, 1, 1, 1, 1, 1, 0], strict: false }));
    expect(entryIds(client)).toEqual([1, 2]);
    const updates = client.batchSync([1, 2].map((id) => ({ type: 0x100, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, id]) })));
    expect(updates.map((r) => r.error?.code ?? "ok")).toEqual(["ok", "ENOENT"]);
    // A GET is answered by the entry or an error, never an ACK: it completes on the reply.
    const replies = client.requestSync({ type: 0x101, singleReply: true, payload: new Uint8Array([2, 0, 0, 0, 8, 0, 12, 0, 0, 0, 0, 1]) });
    expect(replies.map((m) => m.header.type)).toEqual([0x100]);
  });

  it("completes a request sent without NLM_F_ACK on its only reply (conntrack -C)", () => {
    const stats = message({ type: 0x105, flags: 0x2, seq: SEQ, pid: DUMP_PID, payload: new Uint8Array([0, 0, 0, 0, 8, 0, 1, 0, 0, 0, 0, 0]) });
    const records = [sent(message({ type: 0x105, flags: 0x1, seq: SEQ, pid: 0, payload: new Uint8Array([0, 0, 0, 0]) })), received(stats)];
    // Strict: our request must carry exactly the recorded flags (NLM_F_REQUEST only).
    const client = new NetlinkClient(new ReplayTransport(records));
    const replies = client.requestSync({ type: 0x105, singleReply: true, payload: new Uint8Array([0, 0, 0, 0]) });
    expect(replies.map((m) => m.header.type)).toEqual([0x105]);
  });

  it("prefers a dump for a dump and a do-request for a do-request of the same type", () => {
    const records = [
      sent(request(0x101, 0x5, 1)),
      received(entry(1, SEQ, SECOND_PID)),
      sent(request(0x101, 0x301)),
      received(datagram(entry(2), doneOnDump())),
    ];
    const client = new NetlinkClient(new ReplayTransport(records, { sockets: [1, 1, 0, 0], strict: false }));
    expect(entryIds(client)).toEqual([2]);
    expect(client.requestSync({ type: 0x101, singleReply: true, payload: NFGEN }).length).toBe(1);
  });

  it("hands out messages that answer no request (events, seq 0) in recorded order", () => {
    const event = (type: number) => message({ type, flags: 0, seq: 0, pid: 0, payload: NFGEN });
    const records = [received(event(0x100)), received(datagram(event(0x100), event(0x102)))];
    const replay = new ReplayTransport(records, { sockets: [1, 1] });
    expect(replay.receiveSync()!.bytes.length).toBe(20);
    expect(replay.receiveSync()!.bytes.length).toBe(40);
    expect(replay.receiveSync()).toBeNull();
  });

  it("reports a message with no recorded request left", () => {
    const { records, sockets } = deleteCapture();
    const client = new NetlinkClient(new ReplayTransport(records, { sockets, strict: false }));
    try {
      client.batchSync([{ type: 0x100, payload: NFGEN }]);
      expect.unreachable();
    } catch (error) {
      expect(isNetlinkProtocolError(error) && error.reason).toBe("replay-mismatch");
    }
  });
});

describe("syscall log next to a capture", () => {
  const dir = mkdtempSync(join(tmpdir(), "replay-io-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the socket of each record", () => {
    const log = [
      "socket fd=5 sock=0 proto=12 type=0x3",
      "send sendto fd=5 sock=0 out flags=0x0 buflen=36 ret=36 errno=0 peer_pid=0 groups=0x0 record=0",
      "recv recvmsg fd=6 sock=1 in flags=0x0 buflen=4096 ret=36 errno=0 peer_pid=0 groups=0x0 record=2",
      "recv recvmsg fd=6 sock=1 in flags=0x0 buflen=4096 ret=-1 errno=11 peer_pid=0 groups=0x0 record=-1",
    ].join("\n");
    expect(parseSyscallLog(log)).toEqual([0, undefined, 1]);
  });

  it("replays a refused group subscription (bind EPERM leaves no pcap record)", () => {
    const log = parseSyscallLogFull("bind fd=6 sock=1 pid=0 groups=0x7 ret=-1 errno=1\nbind fd=5 sock=0 pid=0 groups=0x0 ret=0 errno=0\n");
    expect(log.failedBinds).toEqual([{ groups: 7, errno: 1 }]);
    const replay = new ReplayTransport([], log);
    replay.joinGroup(4);
    try {
      replay.joinGroup(2);
      expect.unreachable();
    } catch (error) {
      expect(isNetlinkSocketError(error) && error.errno).toBe(1);
    }
  });

  it("is used by fromPcap (NAME.io for NAME.pcap)", () => {
    const { records, sockets } = deleteCapture();
    const pcap = join(dir, "delete.pcap");
    writeFileSync(pcap, encodePcap(records));
    writeFileSync(join(dir, "delete.io"), sockets.map((socket, i) => `x fd=5 sock=${socket} record=${i}`).join("\n"));
    const client = new NetlinkClient(ReplayTransport.fromPcap(pcap, { strict: false }));
    expect(entryIds(client)).toEqual([1, 2, 3]);
    expect(client.batchSync([deleteOf(1), deleteOf(2), deleteOf(3)]).map((r) => r.error?.errno ?? 0)).toEqual([0, 2, 0]);
  });
});
