/** Expectation table operations (subsystem CTNETLINK_EXP). */
import { isNetlinkDecodeError, type MessageView, type NetlinkDecodeError, type NlMessage, type NlMsgHeader } from "@tsconntrack/codec";
import { conntrack, type ExpStatsAttrs, type ExpectAttrs, type Nfgenmsg } from "@tsconntrack/codec/conntrack";
import { expectView, viewFamily } from "./flow-view.js";
import { decodeView } from "./view-decode.js";
import { expectJson, type ExpectJson } from "./flow-json.js";
import type { BatchResult, NetlinkClient } from "@tsconntrack/socket";
import { AF_UNSPEC, EXP_NEW, EXP_STATS_CPU_REPLY, SET_EXP_STATS } from "./constants.js";
import {
  expectDeleteRequest,
  expectDumpRequest,
  expectFlushRequest,
  expectGetRequest,
  expectNewRequest,
  expectStatsCpuRequest,
} from "./requests.js";

export interface ExpectListOptions {
  /** AF_INET / AF_INET6; default all families (conntrack's -L expect sends AF_INET). */
  family?: number;
  /** Only the expectations of this master (CTA_EXPECT_MASTER). */
  master?: ExpectAttrs["expectMaster"];
  /** Told of each expectation message that cannot be decoded: skipped, the listing goes on. */
  onUndecodable?: (error: NetlinkDecodeError, message: Uint8Array) => void;
}

export interface ExpectEntry {
  /** The decoded attributes (the codec's raw tree). */
  expect: ExpectAttrs;
  family: number;
  header: NlMsgHeader;
  /** The friendly shape of `tsconntrack -L expect -o json` (see flow-json.ts); also what JSON.stringify gives. */
  json: ExpectJson;
  toJSON(): ExpectJson;
}

export interface ExpectResult {
  ok: boolean;
  error?: BatchResult["error"];
}

export interface ExpectCpuStats {
  cpu: number;
  stats: ExpStatsAttrs;
}

export class ExpectApi {
  private readonly client: () => NetlinkClient;

  /** @internal */
  constructor(client: () => NetlinkClient) {
    this.client = client;
  }

  /**
   * Streams the expectation table: each expectation walked into a view (the same view every time,
   * valid only during the call); returns how many were passed on. Malformed ones are skipped.
   */
  listViewsSync(options: ExpectListOptions, onView: (view: MessageView) => void): number {
    let count = 0;
    const view = expectView();
    this.client().dumpSync(expectDumpRequest(options.family ?? AF_UNSPEC, options.master), (message) => {
      if (message.header.type !== EXP_NEW || !walked(view, message, options)) return;
      count++;
      onView(view);
    });
    return count;
  }

  /** Streams the expectation table decoded; returns the number of expectations passed on. */
  listSync(options: ExpectListOptions, onExpect: (expect: ExpectAttrs, family: number, header: NlMsgHeader) => void): number {
    return this.listViewsSync(options, (view) => onExpect(decodeView<ExpectAttrs>(view), viewFamily(view), headerOf(view)));
  }

  async *list(options: ExpectListOptions = {}): AsyncGenerator<ExpectEntry> {
    const view = expectView();
    for await (const message of this.client().dump(expectDumpRequest(options.family ?? AF_UNSPEC, options.master))) {
      if (message.header.type !== EXP_NEW || !walked(view, message, options)) continue;
      const json = expectJson(view);
      yield { expect: decodeView<ExpectAttrs>(view), family: viewFamily(view), header: { ...message.header }, json, toJSON: () => json };
    }
  }

  /** One expectation by its expected tuple (ENOENT when absent), walked into a new view. */
  getViewSync(key: ExpectAttrs, family?: number): MessageView {
    return expectView().walkMessage(firstReply(this.client().requestSync(expectGetRequest(key, family))).bytes);
  }

  /** One expectation by its expected tuple (ENOENT when absent). */
  getSync(key: ExpectAttrs, family?: number): ExpectAttrs {
    return decodeView<ExpectAttrs>(this.getViewSync(key, family));
  }
  async get(key: ExpectAttrs, family?: number): Promise<ExpectAttrs> {
    return decodeView<ExpectAttrs>(expectView().walkMessage(firstReply(await this.client().request(expectGetRequest(key, family))).bytes));
  }

  /** Creates expectations (each needs expectMaster, expectTuple, expectMask, expectTimeout, and a master with a helper). */
  createSync(expects: readonly ExpectAttrs[]): ExpectResult[] {
    return this.batchSync(expects.map((e) => expectNewRequest(e, "create")));
  }
  create(expects: readonly ExpectAttrs[]): Promise<ExpectResult[]> {
    return this.batch(expects.map((e) => expectNewRequest(e, "create")));
  }

  /** Deletes expectations by tuple (optionally id), or all of a helper with only `expectHelpName`. */
  deleteSync(keys: readonly ExpectAttrs[]): ExpectResult[] {
    return this.batchSync(keys.map((k) => expectDeleteRequest(k)));
  }
  delete(keys: readonly ExpectAttrs[]): Promise<ExpectResult[]> {
    return this.batch(keys.map((k) => expectDeleteRequest(k)));
  }

  /** Removes every expectation (the kernel ignores the family here). */
  flushSync(options: { family?: number } = {}): void {
    this.client().requestSync(expectFlushRequest(options.family));
  }
  async flush(options: { family?: number } = {}): Promise<void> {
    await this.client().request(expectFlushRequest(options.family));
  }

  /** EXP_GET_STATS_CPU; the kernel's replies are typed 0x103. */
  statsSync(): ExpectCpuStats[] {
    const cpus: ExpectCpuStats[] = [];
    this.client().dumpSync(expectStatsCpuRequest(), (message) => {
      if (message.header.type === EXP_STATS_CPU_REPLY) cpus.push(decodeExpStats(message));
    });
    return cpus;
  }
  async stats(): Promise<ExpectCpuStats[]> {
    const cpus: ExpectCpuStats[] = [];
    for await (const message of this.client().dump(expectStatsCpuRequest())) {
      if (message.header.type === EXP_STATS_CPU_REPLY) cpus.push(decodeExpStats(message));
    }
    return cpus;
  }

  /** Counts by dumping (there is no expectation count request). */
  countSync(options: ExpectListOptions = {}): number {
    return this.listSync(options, () => {});
  }
  async count(options: ExpectListOptions = {}): Promise<number> {
    let count = 0;
    for await (const _ of this.list(options)) count++;
    return count;
  }

  private batchSync(requests: Parameters<NetlinkClient["batchSync"]>[0]): ExpectResult[] {
    return requests.length === 0 ? [] : this.client().batchSync(requests).map(toExpectResult);
  }
  private async batch(requests: Parameters<NetlinkClient["batch"]>[0]): Promise<ExpectResult[]> {
    return requests.length === 0 ? [] : (await this.client().batch(requests)).map(toExpectResult);
  }
}

function toExpectResult(result: BatchResult): ExpectResult {
  return result.error === undefined ? { ok: true } : { ok: false, error: result.error };
}

/** Walks an expectation message; false (after telling onUndecodable) when it is malformed. */
function walked(view: MessageView, message: NlMessage, options: ExpectListOptions): boolean {
  try {
    view.walkMessage(message.bytes);
    return true;
  } catch (error) {
    if (!isNetlinkDecodeError(error)) throw error;
    options.onUndecodable?.(error, message.bytes.slice());
    return false;
  }
}

function headerOf(view: MessageView): NlMsgHeader {
  return { len: view.end - view.start, type: view.type, flags: view.flags, seq: view.seq, pid: view.portId };
}

function firstReply(replies: NlMessage[]): NlMessage {
  const reply = replies.find((message) => message.header.type === EXP_NEW);
  if (reply === undefined) throw new Error("getExpect: the kernel acknowledged without sending the expectation");
  return reply;
}

function decodeExpStats(message: NlMessage): ExpectCpuStats {
  const decoded = conntrack.decodeMessage<ExpStatsAttrs>(message, SET_EXP_STATS);
  return { cpu: (decoded.fixed as unknown as Nfgenmsg).resId, stats: decoded.attrs };
}
