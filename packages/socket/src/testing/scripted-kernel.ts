/**
 * A scripted fake kernel for tests (in the spirit of mdlayher/netlink's nltest): sockets made by
 * `socket()` are Transports; each request they send is recorded, handed to the handler, and its
 * answer framed as the kernel frames it (multipart dumps with NLMSG_DONE, ACKs, errors with
 * extended ACKs); events go to the sockets that joined their group. Family-agnostic: give it a
 * FamilyCodec to have requests decoded and replies encoded from attribute values.
 */
import { type FamilyCodec } from "@tsconntrack/codec";
import { NETLINK_NETFILTER } from "../constants.js";
import { concatBytes, encodeReply, frameAnswer, type Answer, type ReplyMessage } from "./answer.js";
import { errorMessage } from "./control-messages.js";
import { parseRequests, requestLayout, type KernelRequest, type RequestLayout } from "./kernel-request.js";
import { ScriptedSocket, type ScriptedSocketOptions, type SocketPeer } from "./scripted-socket.js";

/** Answers one request; returning nothing is the answer to a success (`{}`). */
export type KernelHandler<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> = (
  request: KernelRequest<A, F>,
) => Answer | undefined | void;

export interface ScriptedKernelOptions<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> {
  handler?: KernelHandler<A, F>;
  /** Decodes requests (KernelRequest.fixed/attrs) and encodes replies given as attribute values. */
  codec?: FamilyCodec;
  /** Size of the fixed header after the nlmsghdr when there is no codec (default 0). */
  fixedHeaderSize?: number;
  /** Netlink protocol of the sockets; default the codec's, else NETLINK_NETFILTER. */
  protocol?: number;
  /** The sockets set NETLINK_CAP_ACK (default true, as LiveTransport does): errors echo only the request's header. */
  capAck?: boolean;
  /**
   * The answers to the requests of one sent datagram share datagrams: each answer's first datagram
   * joins the previous answer's last (a batch's ACKs all arrive in one). The kernel sends each answer
   * on its own (the default); this is for clients that must also cope with several in one datagram.
   */
  coalesce?: boolean;
}

/** The first port id handed out; later sockets count up from it. */
const FIRST_PORT_ID = 4242;

export class ScriptedKernel<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> implements SocketPeer<A, F> {
  readonly protocol: number;
  readonly codec: FamilyCodec | undefined;
  /** Every request message any socket sent, in order. */
  readonly requests: KernelRequest<A, F>[] = [];
  readonly sockets: ScriptedSocket<A, F>[] = [];
  readonly #handler: KernelHandler<A, F>;
  readonly #layout: RequestLayout;
  readonly #capAck: boolean;
  readonly #coalesce: boolean;
  #nextPortId = FIRST_PORT_ID;

  /** A handler alone is enough for most tests: `new ScriptedKernel((request) => ({ errno: "EEXIST" }))`. */
  constructor(options: ScriptedKernelOptions<A, F> | KernelHandler<A, F> = {}) {
    const o = typeof options === "function" ? { handler: options } : options;
    this.#handler = o.handler ?? (() => undefined);
    this.codec = o.codec;
    this.protocol = o.protocol ?? o.codec?.family.protonum ?? NETLINK_NETFILTER;
    this.#layout = requestLayout(o.codec, o.fixedHeaderSize);
    this.#capAck = o.capAck ?? true;
    this.#coalesce = o.coalesce ?? false;
  }

  /** A new socket of this kernel, to pass wherever a Transport goes. */
  socket(options: ScriptedSocketOptions = {}): ScriptedSocket<A, F> {
    const portId = options.portId ?? this.#nextPortId++;
    const socket = new ScriptedSocket<A, F>(this, portId, options);
    this.sockets.push(socket);
    return socket;
  }

  /**
   * Sends an event (seq 0, pid 0) in one datagram to every open socket that joined `group`, as
   * the kernel does: a socket that has not joined yet never sees it. Returns how many sockets got it.
   */
  multicast(group: number, messages: ReplyMessage | readonly ReplyMessage[], options: { nsid?: number } = {}): number {
    const list: readonly ReplyMessage[] = Array.isArray(messages) ? messages : [messages as ReplyMessage];
    const bytes = concatBytes(list.map((message) => encodeReply(message, { seq: 0, pid: 0, flags: 0 }, this.codec)));
    const members = this.sockets.filter((socket) => !socket.closed && socket.groups.has(group));
    for (const socket of members) socket.deliver(new Uint8Array(bytes), options);
    return members.length;
  }

  /** @internal The socket's send: records the requests, asks the handler, queues the answers. */
  receiveFrom(socket: ScriptedSocket<A, F>, datagram: Uint8Array): void {
    const requests = parseRequests<A, F>(datagram, this.#layout, socket, socket.sent.length - 1);
    const datagrams: Uint8Array[] = [];
    for (const request of requests) {
      this.requests.push(request);
      socket.requests.push(request);
      const answer = this.#answer(request);
      // Coalesced, an answer's first datagram joins the previous answer's last one.
      if (this.#coalesce && datagrams.length > 0 && answer.length > 0) datagrams.push(concatBytes([datagrams.pop()!, answer.shift()!]));
      datagrams.push(...answer);
    }
    for (const datagram of datagrams) socket.deliver(datagram);
  }

  #answer(request: KernelRequest<A, F>): Uint8Array[] {
    const context = { codec: this.codec, portId: request.socket.portId, capAck: this.#capAck };
    if (request.decodeError !== undefined) {
      // The kernel refuses attributes it cannot parse with EINVAL; the handler never sees them.
      const { seq } = request.header;
      const extack = { message: `undecodable request: ${request.decodeError.message}`, offset: request.decodeError.offset };
      return [errorMessage({ seq, portId: context.portId, errno: "EINVAL", extack, request: request.bytes, capped: this.#capAck })];
    }
    return frameAnswer(this.#handler(request) ?? {}, request, context);
  }
}
