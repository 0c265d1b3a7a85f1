/**
 * LiveTransport reads every datagram into one reused buffer. What the request engine, the async
 * receive and the recorder hand out must be copies: a requestSync reply was once overwritten by
 * the ACK read after it, because Buffer#slice returns a view. A fake system-call layer plays the
 * kernel here (no root needed), writing into whatever buffer recv is given, as the kernel does.
 */
import { readMessageHeader } from "@tsconntrack/codec";
import { viewOf } from "../src/wire.js";
import { describe, expect, it } from "vitest";
import { LiveTransport } from "../src/live-transport.js";
import { RecordingTransport } from "../src/recording-transport.js";
import { NetlinkClient } from "../src/request.js";
import type { RecvmsgInfo, Syscalls } from "../src/syscalls.js";
import { errorMessage } from "../src/testing.js";
import { message } from "./helpers/messages.js";

const PORT_ID = 777;

/** A kernel that answers each sent request with the datagrams `respond` returns, one recv each. */
class FakeKernel implements Syscalls {
  private readonly queue: Uint8Array[] = [];
  private readonly respond: (seq: number) => Uint8Array[];
  constructor(respond: (seq: number) => Uint8Array[]) {
    this.respond = respond;
  }

  socket = () => 3;
  bind = () => 0;
  connect = () => 0;
  getsockname(_fd: number, sockaddr: Uint8Array): number {
    viewOf(sockaddr).setUint32(4, PORT_ID, true);
    return 0;
  }
  setsockopt = () => 0;
  getsockopt(_fd: number, _level: number, _name: number, value: Uint8Array): number {
    viewOf(value).setInt32(0, 1 << 20, true);
    return 4;
  }
  send(_fd: number, data: Uint8Array): number {
    this.queue.push(...this.respond(readMessageHeader(data, 0).seq));
    return data.byteLength;
  }
  recv(_fd: number, buffer: Uint8Array): number {
    const next = this.queue.shift();
    if (next === undefined) return -11; // EAGAIN
    buffer.set(next);
    return next.byteLength;
  }
  recvmsg(fd: number, buffer: Uint8Array, flags: number, out: RecvmsgInfo): number {
    out.nsid = undefined;
    return this.recv(fd, buffer);
  }
  pollAsync = async () => 1;
  eventfd = () => 4;
  attachFilter = () => 0;
  setns = () => 0;
  close = () => 0;
}

const REPLY_PAYLOAD = new Uint8Array([2, 0, 0, 0, 8, 0, 7, 0, 0xde, 0xad, 0xbe, 0xef]);

/** The reply in one datagram, the ACK in the next: the ACK lands where the reply was read. */
function replyThenAck(seq: number): Uint8Array[] {
  return [message({ type: 0x100, seq, pid: PORT_ID, payload: REPLY_PAYLOAD }), errorMessage({ seq, portId: PORT_ID })];
}

const GET = { type: 0x101, payload: new Uint8Array([2, 0, 0, 0]) };

describe("LiveTransport hands out copies where callers keep bytes", () => {
  it("requestSync replies survive the ACK read after them", () => {
    const client = new NetlinkClient(LiveTransport.open({ syscalls: new FakeKernel(replyThenAck) }));
    const [reply] = client.requestSync(GET);
    expect(reply!.header.type).toBe(0x100);
    expect(readMessageHeader(reply!.bytes, 0).type).toBe(0x100);
    expect([...reply!.payload]).toEqual([...REPLY_PAYLOAD]);
  });

  it("async receive returns bytes of its own", async () => {
    const transport = LiveTransport.open({ syscalls: new FakeKernel(replyThenAck) });
    transport.send(message({ type: 0x101, seq: 5, pid: 0 }));
    const first = await transport.receive();
    const second = await transport.receive();
    expect(readMessageHeader(first!.bytes, 0).type).toBe(0x100);
    expect(readMessageHeader(second!.bytes, 0).type).toBe(2);
    expect(first!.bytes.buffer).not.toBe(second!.bytes.buffer);
  });

  it("receiveSync views are plain Uint8Arrays, so slice() copies", () => {
    const transport = LiveTransport.open({ syscalls: new FakeKernel(replyThenAck) });
    transport.send(message({ type: 0x101, seq: 5, pid: 0 }));
    const kept = transport.receiveSync()!.bytes.slice();
    transport.receiveSync();
    expect(readMessageHeader(kept, 0).type).toBe(0x100);
  });

  it("RecordingTransport records what was received, not the reused buffer", () => {
    const recording = new RecordingTransport(LiveTransport.open({ syscalls: new FakeKernel(replyThenAck) }));
    new NetlinkClient(recording).requestSync(GET);
    const received = recording.records.filter((r) => r.direction === "received");
    expect(received.map((r) => readMessageHeader(r.bytes, 0).type)).toEqual([0x100, 2]);
  });
});
