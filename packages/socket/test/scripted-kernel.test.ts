// The test kit (@tsconntrack/socket/testing) itself: what the scripted kernel sees of a request,
// how it frames each kind of answer, and that the socket's own request engine reads its errors.
import { describe, expect, it } from "vitest";
import {
  NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_CREATE, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_EXCL, NLM_F_MULTI, NLM_F_REQUEST,
  NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, buildMessage, parseDoneMessage, parseErrorMessage, parseMessages,
} from "@tsconntrack/codec";
import { conntrack, ConntrackAttrsType, ConntrackEvent, ConntrackMcastGroup, ConntrackReply, ConntrackRequest } from "@tsconntrack/codec/conntrack";
import { isNetlinkSocketError, type NetlinkSocketError } from "../src/errors.js";
import { NetlinkClient, type NetlinkRequest } from "../src/request.js";
import { ScriptedKernel, type Answer, type EncodedReply, type KernelRequest } from "../src/testing.js";

const AF_INET = 2;
const SEQ = 7;
const NFGEN = new Uint8Array([AF_INET, 0, 0, 0]);
const entry = (id: number): EncodedReply => ({ type: ConntrackReply.get, fixed: { nfgenFamily: AF_INET }, attrs: { id } });

/** Each message of a datagram: header fields, and what the codec's parsers read from ERROR and DONE. */
function summary(datagram: Uint8Array) {
  return parseMessages(datagram).map((message) => {
    const { type, flags, seq, pid } = message.header;
    if (type === NLMSG_ERROR) {
      const { error, request, extack } = parseErrorMessage(message);
      return { type, flags, seq, pid, error, echoed: request?.type, extack };
    }
    if (type === NLMSG_DONE) return { type, flags, seq, pid, ...parseDoneMessage(message) };
    return { type, flags, seq, pid };
  });
}

/** Sends one request (seq 7) on a fresh socket of a conntrack kernel answering `answer`; returns every datagram queued. */
function answerTo(type: number, flags: number, answer: Answer): ReturnType<typeof summary>[] {
  const socket = new ScriptedKernel({ codec: conntrack, handler: () => answer }).socket();
  socket.send(buildMessage({ type, flags, seq: SEQ, pid: 0 }, NFGEN));
  const datagrams = [];
  for (let d = socket.receiveSync(); d !== null; d = socket.receiveSync()) datagrams.push(summary(d.bytes));
  return datagrams;
}

const PORT = 4242; // the first socket's port id
const DO = ConntrackRequest.new;
const DUMP = ConntrackRequest.get;
const REPLY = ConntrackReply.get;
const ACKED = NLM_F_REQUEST | NLM_F_ACK;
const DUMPING = NLM_F_REQUEST | NLM_F_DUMP;
const ack = { type: NLMSG_ERROR, flags: NLM_F_CAPPED, seq: SEQ, pid: PORT, error: 0, echoed: DO, extack: {} };
const done = { type: NLMSG_DONE, flags: NLM_F_MULTI, seq: SEQ, pid: PORT, error: 0, extack: {} };
const part = { type: REPLY, flags: NLM_F_MULTI, seq: SEQ, pid: PORT };

describe("answers, request → datagrams", () => {
  it.each<[string, number, number, Answer, unknown[][]]>([
    ["a success asking for an ACK", DO, ACKED, {}, [[ack]]],
    ["a quiet success: nothing", DO, NLM_F_REQUEST, {}, []],
    ["a quiet failure: the error all the same", DO, NLM_F_REQUEST, { errno: "ENOENT" }, [[{ ...ack, error: -2 }]]],
    ["a GET's reply, no ACK asked", DUMP, NLM_F_REQUEST, { messages: [entry(1)] }, [[{ ...part, flags: 0 }]]],
    ["a reply, then the ACK", DO, ACKED, { messages: [entry(1)] }, [[{ ...part, flags: 0 }, ack]]],
    ["a reply and the ACK split", DO, ACKED, { messages: [entry(1)], split: [1] }, [[{ ...part, flags: 0 }], [ack]]],
    [
      "an error with an extended ACK",
      DO,
      ACKED,
      { errno: "EINVAL", extack: { message: "missing timeout", offset: 20 } },
      [[{ ...ack, flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, error: -22, extack: { message: "missing timeout", offset: 20 } }]],
    ],
    ["a warning on an ACK", DO, ACKED, { extack: { message: "deprecated" } }, [[{ ...ack, flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, extack: { message: "deprecated" } }]]],
    ["an empty dump", DUMP, DUMPING, {}, [[done]]],
    ["a dump in one datagram", DUMP, DUMPING, { messages: [entry(1), entry(2)] }, [[part, part, done]]],
    ["a dump in three datagrams", DUMP, DUMPING, { messages: [entry(1), entry(2), entry(3)], split: [2, 1] }, [[part, part], [part], [done]]],
    ["a dump the kernel refuses to start", DUMP, DUMPING, { errno: "EPERM" }, [[{ ...ack, error: -1, echoed: DUMP }]]],
    [
      "a dump failing on the way",
      DUMP,
      DUMPING,
      { messages: [entry(1)], doneErrno: "EOPNOTSUPP", extack: { message: "no" } },
      [[part, { ...done, flags: NLM_F_MULTI | NLM_F_ACK_TLVS, error: -95, extack: { message: "no" } }]],
    ],
    ["an interrupted dump", DUMP, DUMPING, { messages: [entry(1)], interrupted: true }, [[part, { ...done, flags: NLM_F_MULTI | NLM_F_DUMP_INTR }]]],
    ["a dump that never ends", DUMP, DUMPING, { messages: [entry(1)], silent: true }, [[part]]],
    [
      "replies numbered by the test",
      DO,
      ACKED,
      { messages: [{ ...entry(1), seq: SEQ - 1 }, { ...entry(2), pid: PORT + 1 }] },
      [[{ ...part, flags: 0, seq: SEQ - 1 }, { ...part, flags: 0, pid: PORT + 1 }, ack]],
    ],
  ])("%s", (_name, type, flags, answer, expected) => {
    expect(answerTo(type, flags, answer)).toEqual(expected);
  });

  it("sends bytes given as bytes unchanged, for made-up tails", () => {
    const cut = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const socket = new ScriptedKernel(() => ({ messages: [cut], silent: true })).socket();
    socket.send(buildMessage({ type: DUMP, flags: DUMPING, seq: SEQ, pid: 0 }, NFGEN));
    expect([...socket.receiveSync()!.bytes]).toEqual([...cut]);
  });

  it("refuses answers that cannot be framed", () => {
    const refused = (answer: Answer, flags = ACKED) => () => new ScriptedKernel(() => answer).socket().send(buildMessage({ type: DO, flags, seq: SEQ, pid: 0 }, NFGEN));
    expect(refused({ messages: [entry(1)] })).toThrow(/no codec/);
    expect(refused({ doneErrno: "EINVAL" })).toThrow(/answer dumps/);
    expect(refused({ split: [2] })).toThrow(/does not fit/);
    expect(refused({ errno: "ENOSUCH" })).toThrow(/not an errno/);
  });

  it("coalesced, puts the answers to one datagram's requests together, each dump's own split kept", () => {
    const kernel = new ScriptedKernel({ coalesce: true, handler: (r) => (r.dump ? { messages: [entry(1), entry(2)], split: [1] } : undefined), codec: conntrack });
    const socket = kernel.socket();
    const request = (type: number, flags: number, seq: number) => buildMessage({ type, flags, seq, pid: 0 }, NFGEN);
    socket.send(Buffer.concat([request(DO, ACKED, 1), request(DO, NLM_F_REQUEST, 2), request(DO, ACKED, 3)]));
    socket.send(request(DUMP, DUMPING, 4));
    const seqs = [];
    for (let d = socket.receiveSync(); d !== null; d = socket.receiveSync()) seqs.push(summary(d.bytes).map((m) => `${m.type === NLMSG_ERROR ? "ack" : m.type === NLMSG_DONE ? "done" : "entry"} ${m.seq}`));
    expect(seqs).toEqual([["ack 1", "ack 3"], ["entry 4"], ["entry 4", "done 4"]]);
  });
});

describe("requests, as the handler sees them", () => {
  it("come with their header, fixed header and attributes, decoded by the operation's request set", () => {
    const seen: KernelRequest[] = [];
    const kernel = new ScriptedKernel({ codec: conntrack, handler: (request) => void seen.push(request) });
    const socket = kernel.socket();
    const client = new NetlinkClient(socket, { initialSeq: 40 });
    const attrs = { mark: 5, zone: 3 };
    client.requestSync({ type: ConntrackRequest.delete, payload: new Uint8Array([...NFGEN, ...conntrack.encodeAttrs("conntrack-attrs", attrs)]) });
    // GET_CTRZERO shares nlmsg_type 0x103 with the expectation-stats reply: decoded as a request all the same.
    client.dumpSync({ type: ConntrackRequest.getCtrzero, flags: NLM_F_DUMP, payload: new Uint8Array([...NFGEN, ...conntrack.encodeAttrs("conntrack-attrs", { mark: 1 })]) }, () => {});
    const [del, zero] = seen;
    expect(del).toMatchObject({ fixed: { nfgenFamily: AF_INET, version: 0, resId: 0 }, attrs, set: "conntrack-attrs", dump: false, ack: true, datagram: 0, index: 0 });
    expect(del!.header).toEqual({ len: del!.bytes.length, type: ConntrackRequest.delete, flags: ACKED, seq: 41, pid: 0 });
    expect([...del!.fixedHeader]).toEqual([...NFGEN]);
    expect([...del!.attributes]).toEqual([...conntrack.encodeAttrs("conntrack-attrs", attrs)]);
    expect([...del!.payload]).toEqual([...del!.fixedHeader, ...del!.attributes]);
    expect(del!.socket).toBe(socket);
    expect(zero).toMatchObject({ attrs: { mark: 1 }, set: "conntrack-attrs", dump: true, ack: false, datagram: 1 });
    expect(kernel.requests).toEqual(seen);
    expect(socket.requests).toEqual(seen);
    expect(socket.sent.map((d) => d.length)).toEqual(seen.map((r) => r.bytes.length));
  });

  it("are bytes only without a codec, the fixed header cut at fixedHeaderSize", () => {
    const socket = new ScriptedKernel({ fixedHeaderSize: NFGEN.length }).socket();
    socket.send(buildMessage({ type: DO, flags: ACKED, seq: SEQ, pid: 0 }, new Uint8Array([...NFGEN, 9, 9])));
    const [request] = socket.requests;
    expect(request).toMatchObject({ fixed: {}, attrs: {} });
    expect(request!.set).toBeUndefined();
    expect([...request!.fixedHeader, -1, ...request!.attributes]).toEqual([...NFGEN, -1, 9, 9]);
  });

  it("that do not decode are answered EINVAL, as the kernel does, without reaching the handler", () => {
    let handled = 0;
    const socket = new ScriptedKernel({ codec: conntrack, handler: () => void handled++ }).socket();
    // An attribute whose nla_len (2) is shorter than its own header.
    const broken = new Uint8Array([...NFGEN, 2, 0, 1, 0]);
    socket.send(buildMessage({ type: DO, flags: ACKED, seq: SEQ, pid: 0 }, broken));
    expect(handled).toBe(0);
    expect(socket.requests[0]!.decodeError).toBeDefined();
    const [answer] = summary(socket.receiveSync()!.bytes);
    expect(answer).toMatchObject({ type: NLMSG_ERROR, error: -22, extack: { message: expect.stringMatching(/^undecodable request: /) } });
  });
});

function socketError(work: () => unknown): NetlinkSocketError {
  try {
    work();
  } catch (error) {
    if (isNetlinkSocketError(error)) return error;
    throw error;
  }
  throw new Error("expected a NetlinkSocketError");
}

describe("errors, through the socket's own request engine", () => {
  const create: NetlinkRequest = {
    type: ConntrackRequest.new,
    flags: NLM_F_CREATE | NLM_F_EXCL,
    payload: new Uint8Array([...NFGEN, ...conntrack.encodeAttrs("conntrack-attrs", { tupleOrig: { tupleIp: { ipV4Src: "10.0.0.1", ipV4Dst: "10.0.0.2" } }, timeout: 30 })]),
  };
  const dump: NetlinkRequest = { type: ConntrackRequest.get, flags: NLM_F_DUMP, payload: NFGEN };
  /** The offset of a request's first attribute, as the kernel reports it. */
  const firstAttr = (request: KernelRequest) => NLMSG_HDRLEN + request.fixedHeader.length;
  const FIRST_ATTR = NLMSG_HDRLEN + NFGEN.length;
  const attrPath = (bytes: Uint8Array, offset: number) => conntrack.attrPath(undefined, bytes, offset).split(".");

  it.each<[string, NetlinkRequest, (request: KernelRequest) => Answer, boolean, object]>([
    [
      "a refused request with a message and an offset",
      create,
      (r) => ({ errno: "EINVAL", extack: { message: "missing reply tuple", offset: firstAttr(r) } }),
      true,
      { op: "request", errno: 22, code: "EINVAL", extack: { message: "missing reply tuple", offset: FIRST_ATTR, attrPath: ["conntrack-attrs", "tuple-orig"] } },
    ],
    [
      "the same from a socket without NETLINK_CAP_ACK (the whole request echoed)",
      create,
      (r) => ({ errno: "EINVAL", extack: { message: "missing reply tuple", offset: firstAttr(r) } }),
      false,
      { op: "request", errno: 22, code: "EINVAL", extack: { message: "missing reply tuple", offset: FIRST_ATTR, attrPath: ["conntrack-attrs", "tuple-orig"] } },
    ],
    [
      "a missing attribute",
      create,
      (r) => ({ errno: "EINVAL", extack: { message: "missing", missingType: ConntrackAttrsType.tupleReply, missingNest: firstAttr(r) } }),
      true,
      { op: "request", code: "EINVAL", extack: { message: "missing", missingType: ConntrackAttrsType.tupleReply, missingNest: FIRST_ATTR } },
    ],
    ["a refused dump", dump, () => ({ errno: "EPERM" }), true, { op: "dump", errno: 1, code: "EPERM", extack: {} }],
    [
      "a dump ending in an error",
      dump,
      () => ({ messages: [entry(1)], doneErrno: "EOPNOTSUPP", extack: { message: "not here" } }),
      true,
      { op: "dump", errno: 95, code: "EOPNOTSUPP", extack: { message: "not here" } },
    ],
  ])("%s becomes a NetlinkSocketError", (_name, request, answer, capAck, expected) => {
    const socket = new ScriptedKernel({ codec: conntrack, capAck, handler: answer }).socket();
    const client = new NetlinkClient(socket, { attrPath });
    const error = socketError(() => (request.flags === NLM_F_DUMP ? client.dumpSync(request, () => {}) : client.requestSync(request)));
    expect(error).toMatchObject({ name: "NetlinkSocketError", seq: socket.requests[0]!.header.seq, ...expected });
  });

  it("keeps a multipart dump whole across datagrams", () => {
    const ids = [1, 2, 3, 4, 5];
    const client = new NetlinkClient(new ScriptedKernel({ codec: conntrack, handler: () => ({ messages: ids.map(entry), split: [2, 2] }) }).socket());
    const seen: number[] = [];
    const summary = client.dumpSync(dump, (m) => seen.push(conntrack.decodeMessage<{ id: number }>(m).attrs.id));
    expect(seen).toEqual(ids);
    expect(summary).toEqual({ messages: 5, datagrams: 3, interrupted: false, abandoned: false });
  });
});

describe("events and sockets", () => {
  const destroyed = { type: ConntrackEvent.eventDestroy, fixed: { nfgenFamily: AF_INET }, attrs: { id: 9 } };

  it("multicast reaches the open sockets that joined the group, numbered seq 0 pid 0", () => {
    const kernel = new ScriptedKernel({ codec: conntrack });
    const [joined, other, closed] = [kernel.socket(), kernel.socket(), kernel.socket()];
    joined.joinGroup(ConntrackMcastGroup.conntrackDestroy);
    other.joinGroup(ConntrackMcastGroup.conntrackNew);
    closed.joinGroup(ConntrackMcastGroup.conntrackDestroy);
    closed.close();
    expect(kernel.multicast(ConntrackMcastGroup.conntrackDestroy, [destroyed, destroyed], { nsid: 3 })).toBe(1);
    expect([joined.pending, other.pending, closed.pending]).toEqual([1, 0, 0]);
    const datagram = joined.receiveSync()!;
    expect(datagram.nsid).toBe(3);
    expect(summary(datagram.bytes)).toEqual([0, 0].map(() => ({ type: ConntrackEvent.eventDestroy, flags: 0, seq: 0, pid: 0 })));
    joined.leaveGroup(ConntrackMcastGroup.conntrackDestroy);
    expect(kernel.multicast(ConntrackMcastGroup.conntrackDestroy, destroyed)).toBe(0);
  });

  it("numbers sockets from 4242 unless told, and behaves as a socket does", async () => {
    const kernel = new ScriptedKernel();
    const [first, second, chosen] = [kernel.socket(), kernel.socket(), kernel.socket({ portId: 77, receiveBufferSize: 10, sendBufferSize: 20 })];
    expect([first.portId, second.portId, chosen.portId, chosen.receiveBufferSize, chosen.sendBufferSize]).toEqual([4242, 4243, 77, 10, 20]);
    expect(first.setReceiveBufferSize(1000)).toBe(2000);
    first.overrun();
    expect(() => first.receiveSync()).toThrow(expect.objectContaining({ name: "NetlinkSocketError", code: "ENOBUFS" }));
    expect(await first.receive()).toBeNull();
    first.close();
    expect(() => first.send(buildMessage({ type: DO, flags: ACKED, seq: 1, pid: 0 }, NFGEN))).toThrow(expect.objectContaining({ code: "EBADF" }));
  });

  it("keeps copies of what was sent, and hands out received bytes a caller may keep", async () => {
    const socket = new ScriptedKernel().socket();
    // A sender that reuses its buffer, as conntrack's DeleteDatagram does.
    const buffer = buildMessage({ type: DO, flags: ACKED, seq: 1, pid: 0 }, NFGEN);
    socket.send(buffer);
    buffer.fill(0);
    expect(socket.sent[0]!.some((byte) => byte !== 0)).toBe(true);
    expect(socket.requests[0]!.header.seq).toBe(1);
    socket.send(buildMessage({ type: DO, flags: ACKED, seq: 2, pid: 0 }, NFGEN));
    const [a, b] = [await socket.receive(), await socket.receive()];
    expect(a!.bytes.buffer).not.toBe(b!.bytes.buffer);
    expect(summary(a!.bytes)[0]!.seq).toBe(1);
  });
});
