/**
 * Fills and empties a namespace's conntrack table with the project's own batched creates
 * (IPCTNL_MSG_CT_NEW through NetlinkClient.batchSync), as packages/socket/bench/dump.ts does,
 * but with bodies from the conntrack codec and the shapes of ./flows.ts.
 */
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLMSG_HDRLEN } from "@tsconntrack/codec";
import { ConntrackRequest, conntrack } from "@tsconntrack/codec/conntrack";
import { LiveTransport, NetlinkClient, type NetlinkRequest } from "@tsconntrack/socket";
import { flowAttrs, flowShape } from "./flows.js";
/** Requests built and sent per batchSync call: bounds the memory of a 1M-entry fill. */
const CHUNK = 20_000;

/** Kernel refusals while filling: usually ENOMEM when nf_conntrack_max is reached. */
export class TableFillError extends Error {
  override readonly name = "TableFillError";
  readonly failed: number;
  readonly firstErrno: number;
  readonly filled: number;

  constructor(failed: number, firstErrno: number, filled: number) {
    super(`${failed} creates failed (first errno ${firstErrno}) after ${filled} entries; is nf_conntrack_max big enough?`);
    this.failed = failed;
    this.firstErrno = firstErrno;
    this.filled = filled;
  }
}

export const isTableFillError = (error: unknown): error is TableFillError => error instanceof TableFillError;

const payloadOf = (message: Uint8Array) => message.subarray(NLMSG_HDRLEN);

function createRequest(index: number, timeout: number): NetlinkRequest {
  const message = conntrack.encodeMessage({
    type: ConntrackRequest.new,
    flags: NLM_F_CREATE | NLM_F_EXCL,
    fixed: { nfgenFamily: flowShape(index).family, version: 0, resId: 0 },
    attrs: flowAttrs(index, timeout),
  });
  return { type: ConntrackRequest.new, flags: NLM_F_CREATE | NLM_F_EXCL, payload: payloadOf(message) };
}

/** nfgenmsg of family AF_UNSPEC and version 0: every family. */
const ALL_FAMILIES = new Uint8Array(4);

export class BenchTable {
  /** Entries [0, size) of ./flows.ts are in the table (as far as this object knows). */
  size = 0;
  readonly netns: string;
  private readonly timeout: number;
  private readonly transport: LiveTransport;
  private readonly client: NetlinkClient;

  constructor(netns: string, timeout = 3600) {
    this.netns = netns;
    this.timeout = timeout;
    this.transport = LiveTransport.open({ netns });
    this.client = new NetlinkClient(this.transport);
  }

  /** Adds entries until the table holds the first `count`; returns the seconds spent. */
  growTo(count: number): number {
    const start = performance.now();
    while (this.size < count) {
      const end = Math.min(count, this.size + CHUNK);
      const requests: NetlinkRequest[] = [];
      for (let i = this.size; i < end; i++) requests.push(createRequest(i, this.timeout));
      const results = this.client.batchSync(requests);
      const errors = results.filter((result) => result.error);
      if (errors.length > 0) throw new TableFillError(errors.length, errors[0]!.error!.errno, this.size + results.length - errors.length);
      this.size = end;
    }
    return (performance.now() - start) / 1e3;
  }

  /** Empties the table (all families). */
  flush(): void {
    this.client.requestSync({ type: ConntrackRequest.delete, payload: ALL_FAMILIES });
    this.size = 0;
  }

  /** Flush, then fill the first `count` entries. */
  refill(count: number): number {
    this.flush();
    return this.growTo(count);
  }

  /** Entries in the table, by a raw dump. */
  count(): number {
    return this.client.dumpSync({ type: ConntrackRequest.get, flags: NLM_F_DUMP, payload: ALL_FAMILIES }, () => {}).messages;
  }

  /** Flushes (so no big table outlives us) and closes the socket. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.transport.close();
    }
  }
}
