/** The typed conntrack API: one object per namespace (or capture), sync and async forms of each operation. */
import type { MessageView, NlMessage } from "@tsconntrack/codec";
import { conntrack, type ConntrackAttrs, type ConntrackStatsAttrs, type Nfgenmsg, type StatsGlobalAttrs } from "@tsconntrack/codec/conntrack";
import { NetlinkClient, type BatchResult, type NetlinkRequest, type NetlinkSocketError, type Transport } from "@tsconntrack/socket";
import { CT_GET_STATS, CT_GET_STATS_CPU, CT_NEW, EINVAL, ENOENT, EOPNOTSUPP, SET_CONNTRACK, SET_STATS_CPU, SET_STATS_GLOBAL } from "./constants.js";
import { ConntrackEvents, DEFAULT_EVENT_RECEIVE_BUFFER, groupNumbers, type EventOptions } from "./events.js";
import { deleteMatchingSync } from "./delete-matching.js";
import { ExpectApi } from "./expect-api.js";
import type { FlowFilter } from "./filter.js";
import { kernelRelease, releaseAtLeast, type KernelCapabilities } from "./kernel.js";
import { countMatching, countMatchingSync, listAsync, listSync, listViews, listViewsSync, type ConntrackEntry, type SecondSocket, type EntryCallback, type ListOptions, type ListSummary, type ViewCallback } from "./list.js";
import { procConntrackCount, readNetfilterSysctl } from "./proc.js";
import { deleteRequest, flushRequest, getRequest, newRequest, statsCpuRequest, statsRequest, type FlowKey, type NewMode } from "./requests.js";
import { Session, type SessionOptions } from "./session.js";
import { flowView } from "./flow-view.js";
import { decodeView } from "./view-decode.js";

export interface ConntrackOptions extends SessionOptions {
  /** Kernel release used for feature decisions (default `os.release()`); e.g. "4.4.0" to force old-kernel paths. */
  kernelRelease?: string;
}

/** The outcome of one request of a batch, in request order. */
export interface OperationResult {
  ok: boolean;
  /** The kernel's error (errno, code, extack) when `ok` is false. */
  error?: NetlinkSocketError;
}

export interface DeleteMatchingOptions {
  /** Which filters may run in the kernel (as for list). */
  kernelFilter?: ListOptions["kernelFilter"];
  /** Called for each entry the kernel deleted, in order (for printing). Keeps matched entries in memory. */
  onDeleted?: (flow: ConntrackAttrs, family: number) => void;
  /** As onDeleted, with the entry's message bytes (nlmsghdr included, valid only during the call) instead of a decode (sync form only). */
  onDeletedMessage?: (message: Uint8Array, family: number) => void;
  /** Told of each dumped entry the filter could not test because it cannot be decoded: never deleted (as for list). */
  onUndecodable?: ListOptions["onUndecodable"];
}

export interface DeleteSummary {
  /** Entries the filter matched. */
  matched: number;
  deleted: number;
  /** Entries gone before their delete arrived (ENOENT): not an error. */
  vanished: number;
  /** Other kernel errors, one per failed delete. */
  errors: NetlinkSocketError[];
  list: ListSummary;
}

export interface FlushOptions {
  /** Only this family (AF_INET/AF_INET6). */
  family?: number;
  /** "kernel": one DELETE with nfgenmsg.version 1; "dump": dump the family and delete in batches. Default by kernel support. */
  method?: "kernel" | "dump";
}

export interface FlushResult {
  method: "kernel" | "dump";
  /** Entries deleted (dump method only). */
  deleted?: number;
}

export interface CpuStats<S> {
  /** nfgenmsg.res_id: the CPU number. */
  cpu: number;
  stats: S;
}

export interface ConntrackStats {
  global: StatsGlobalAttrs;
  cpus: CpuStats<ConntrackStatsAttrs>[];
}

/** An async listing whose summary is complete once the iteration has ended. */
/**
 * An async listing whose summary is complete once the iteration has ended. `await using` (or
 * `[Symbol.asyncDispose]()`) ends an iteration still running and frees the socket for the next request.
 */
export interface ConntrackList extends AsyncIterable<ConntrackEntry>, AsyncDisposable {
  readonly summary: Partial<ListSummary>;
}

export class Conntrack implements Disposable {
  /** What the kernel was found to support (filled in as requests succeed or are refused). */
  readonly capabilities: KernelCapabilities;
  /** Expectation table operations (also available as `listExpect`, `createExpect`, … on this object). */
  readonly expect: ExpectApi;
  private readonly session: Session;
  private client: NetlinkClient | undefined;
  private secondClient: NetlinkClient | undefined;

  /** Opens nothing yet: sockets are created on first use (requests and events on separate sockets). */
  static open(options: ConntrackOptions = {}): Conntrack {
    return new Conntrack(options);
  }

  private constructor(options: ConntrackOptions) {
    this.session = new Session(options);
    const release = options.kernelRelease ?? kernelRelease();
    this.capabilities = {
      familyFlush: releaseAtLeast(release, 5, 0),
      // A capture or a given transport did not see our filter (a capture holds another program's
      // requests), so only a live kernel may stand in for the user-space test.
      exactMark: this.session.live && releaseAtLeast(release, 4, 0),
      exactTuple: this.session.live && releaseAtLeast(release, 5, 8),
    };
    this.expect = new ExpectApi(() => this.requests());
  }

  /** Closes every socket this object opened and ends a recording. */
  close(): void {
    this.session.close();
  }

  /** `using ct = Conntrack.open(...)`: close() at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The request transport (opening it if needed); its `receiveBufferSize` is what the kernel granted. */
  get transport(): Transport {
    return this.requests().transport;
  }

  /** @internal */
  requests(): NetlinkClient {
    return (this.client ??= new NetlinkClient(this.session.requests(), { attrPath: camelAttrPath }));
  }

  /** A client on a second socket (live sessions), for requests that overlap a dump on the first. */
  secondRequests(): NetlinkClient {
    return (this.secondClient ??= new NetlinkClient(this.session.secondRequests(), { attrPath: camelAttrPath }));
  }

  /** The second socket as the family split's probe uses it (live sessions only). */
  private secondSocket(): SecondSocket | undefined {
    if (!this.session.live) return undefined;
    return {
      client: () => this.secondRequests(),
      discard: () => {
        this.secondClient = undefined;
        this.session.discardSecondRequests();
      },
    };
  }

  // Listing.

  /**
   * Streams the table: each matching entry is decoded and handed to `onEntry` while the dump is
   * read, in constant memory. The flow object is the caller's to keep.
   */
  listSync(options: ListOptions, onEntry: EntryCallback): ListSummary {
    // Two filtered dumps instead of one are only for the kernel: a capture holds the requests it holds.
    return listSync(this.requests(), this.capabilities, options, onEntry, this.secondSocket());
  }

  /**
   * listSync without decoding: each matching entry is walked into a view (see flow-view.ts) and
   * handed over, the same view object every time, valid only during the call. Formatters and
   * counters read it without allocating per entry.
   */
  listViewsSync(options: ListOptions, onView: ViewCallback): ListSummary {
    return listViewsSync(this.requests(), this.capabilities, options, onView, this.secondSocket());
  }

  /**
   * listViewsSync with the kernel's dump work done on a helper thread while `onView` runs (live
   * sockets; replays take the synchronous path). Same callback contract.
   */
  listViews(options: ListOptions, onView: ViewCallback): Promise<ListSummary> {
    // The family split (see FILTERS.md) probes IPv6 on a second socket.
    return listViews(this.requests(), this.capabilities, options, onView, this.secondSocket());
  }

  /** Async iteration over the matching entries. */
  /**
   * Async iteration over the matching entries: each one decoded (`flow`), with its friendly shape
   * (`json`, also what JSON.stringify of the entry gives). `options.signal` ends the iteration with
   * its abort reason (the dump is read to its end first, so the socket stays usable).
   */
  list(options: ListOptions = {}): ConntrackList {
    const summary: Partial<ListSummary> = {};
    const client = (): NetlinkClient => this.requests();
    const caps = this.capabilities;
    const running = new Set<AsyncGenerator<ConntrackEntry>>();
    return {
      summary,
      [Symbol.asyncIterator]: () => {
        const iteration = listAsync(client(), caps, options, summary);
        running.add(iteration);
        return iteration;
      },
      [Symbol.asyncDispose]: async () => {
        for (const iteration of running) await iteration.return(undefined);
        running.clear();
      },
    };
  }

  /** GET_CTRZERO over the table: resets the counters; returns how many entries were reset. */
  zeroCountersSync(filter?: FlowFilter): number {
    return this.listSync({ zero: true, ...(filter ? { filter } : {}) }, () => {}).received;
  }

  async zeroCounters(filter?: FlowFilter): Promise<number> {
    const list = this.list({ zero: true, ...(filter ? { filter } : {}) });
    for await (const _ of list);
    return list.summary.received ?? 0;
  }

  // Single entries.

  /** One entry by its original (else reply) tuple and zone. Throws ENOENT (`isNotFoundError`) when absent. */
  getSync(key: FlowKey, family?: number): ConntrackAttrs {
    return decodeView<ConntrackAttrs>(this.getViewSync(key, family));
  }

  async get(key: FlowKey, family?: number): Promise<ConntrackAttrs> {
    return decodeView<ConntrackAttrs>(firstFlowView(await this.requests().request(getRequest(key, family))));
  }

  /** getSync, the entry walked into a new view (see flow-view.ts) instead of decoded. */
  getViewSync(key: FlowKey, family?: number): MessageView {
    return firstFlowView(this.requests().requestSync(getRequest(key, family)));
  }

  // Batched changes: many requests per datagram, one result per flow.

  /** Creates entries (CREATE|EXCL: an existing entry is EEXIST). Flows need both tuples and a timeout (see buildFlow). */
  createSync(flows: readonly ConntrackAttrs[]): OperationResult[] {
    return this.batchSync(flows.map((flow) => newRequest(flow, "create")));
  }
  create(flows: readonly ConntrackAttrs[]): Promise<OperationResult[]> {
    return this.batch(flows.map((flow) => newRequest(flow, "create")));
  }

  /** Updates existing entries (ENOENT when absent): mark, status bits, timeout, labels, protoinfo, … */
  updateSync(flows: readonly ConntrackAttrs[]): OperationResult[] {
    return this.batchSync(flows.map((flow) => newRequest(flow, "update")));
  }
  update(flows: readonly ConntrackAttrs[]): Promise<OperationResult[]> {
    return this.batch(flows.map((flow) => newRequest(flow, "update")));
  }

  /** Creates, or updates when the entry exists (NLM_F_CREATE without EXCL). */
  createOrUpdateSync(flows: readonly ConntrackAttrs[]): OperationResult[] {
    return this.batchSync(flows.map((flow) => newRequest(flow, "create-or-update")));
  }
  createOrUpdate(flows: readonly ConntrackAttrs[]): Promise<OperationResult[]> {
    return this.batch(flows.map((flow) => newRequest(flow, "create-or-update")));
  }

  /** Deletes entries by tuple; a dumped entry's zone and id go along, so exactly that entry goes. */
  deleteSync(keys: readonly FlowKey[]): OperationResult[] {
    return this.batchSync(keys.map((key) => deleteRequest(key)));
  }
  delete(keys: readonly FlowKey[]): Promise<OperationResult[]> {
    return this.batch(keys.map((key) => deleteRequest(key)));
  }

  /**
   * Lists the entries matching `filter` (kernel filters where possible) and deletes them: each
   * DELETE is built from the dumped bytes, many per datagram without per-entry ACKs (the kernel
   * reports only failures); on a live kernel they go out on the second socket during the dump.
   * Only entries waiting for their answer are kept, for the callbacks (see delete-matching.ts).
   */
  deleteMatchingSync(filter: FlowFilter, options: DeleteMatchingOptions = {}): DeleteSummary {
    return deleteMatchingSync(this, filter, options, this.session.live ? () => this.secondRequests() : undefined);
  }

  async deleteMatching(filter: FlowFilter, options: DeleteMatchingOptions = {}): Promise<DeleteSummary> {
    const requests: NetlinkRequest[] = [];
    const kept: { flow: ConntrackAttrs; family: number }[] = [];
    const listing = this.list({ filter, ...(options.kernelFilter !== undefined ? { kernelFilter: options.kernelFilter } : {}) });
    for await (const { flow, family } of listing) {
      requests.push(deleteRequest(flow, family));
      if (options.onDeleted) kept.push({ flow, family });
    }
    return summarizeDeletes(listing.summary as ListSummary, await this.batch(requests), kept, options.onDeleted);
  }

  /** Flushes the table, or only one family (kernel flush when supported, else dump + batched delete). */
  flushSync(options: FlushOptions = {}): FlushResult {
    if (this.flushMethod(options) === "dump") return { method: "dump", deleted: this.deleteMatchingSync({ family: options.family! }).deleted };
    this.requests().requestSync(flushRequest(options.family));
    return { method: "kernel" };
  }

  async flush(options: FlushOptions = {}): Promise<FlushResult> {
    if (this.flushMethod(options) === "dump") return { method: "dump", deleted: (await this.deleteMatching({ family: options.family! })).deleted };
    await this.requests().request(flushRequest(options.family));
    return { method: "kernel" };
  }

  private flushMethod(options: FlushOptions): "kernel" | "dump" {
    if (options.family === undefined || options.family === 0) return "kernel";
    return options.method ?? (this.capabilities.familyFlush ? "kernel" : "dump");
  }

  // Counting and statistics.

  /** Entries in the table: GET_STATS, else /proc/sys/net/netfilter/nf_conntrack_count (of the namespace), else a dump. */
  countSync(): number {
    try {
      return this.statsGlobalSync().entries ?? 0;
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      return this.procCount() ?? this.listSync({}, () => {}).received;
    }
  }

  async count(): Promise<number> {
    try {
      return (await this.statsGlobal()).entries ?? 0;
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      const counted = this.procCount();
      if (counted !== undefined) return counted;
      const list = this.list();
      for await (const _ of list);
      return list.summary.received ?? 0;
    }
  }

  /**
   * nf_conntrack_count of the session's namespace, read from /proc (conntrack's fallback when
   * GET_STATS fails); undefined on a replay or when the file cannot be read.
   */
  procCount(): number | undefined {
    if (!this.session.live) return undefined;
    try {
      return procConntrackCount(this.session.netns, this.session.syscalls);
    } catch {
      return undefined;
    }
  }

  /**
   * The number of entries matching `filter` (`summary.entries`), counted with the kernel-side
   * filters, each entry only walked for the user-space test. A family-less filter
   * with tuple fields is counted per family (two filtered dumps, at once on two sockets in the async
   * form). An empty filter still dumps the table: use count() for the whole table.
   */
  countMatchingSync(filter: FlowFilter, options: Omit<ListOptions, "filter" | "zero"> = {}): ListSummary {
    return countMatchingSync(this.requests(), this.capabilities, { ...options, filter }, this.session.live);
  }

  countMatching(filter: FlowFilter, options: Omit<ListOptions, "filter" | "zero"> = {}): Promise<ListSummary> {
    return countMatching(this.requests(), this.capabilities, { ...options, filter }, this.session.live ? () => this.secondRequests() : undefined);
  }

  /**
   * A netfilter sysctl of the session's namespace (`/proc/sys/net/netfilter/NAME`, read inside it):
   * e.g. `nf_conntrack_acct` (counters on?), `nf_conntrack_timestamp`. Undefined on a replay or when
   * the file cannot be read (an unknown name, no nf_conntrack).
   */
  sysctl(name: string): string | undefined {
    if (!this.session.live) return undefined;
    try {
      return readNetfilterSysctl(name, this.session.netns, this.session.syscalls);
    } catch {
      return undefined;
    }
  }

  /** GET_STATS: `entries` and `maxEntries` (nf_conntrack_max). */
  statsGlobalSync(): StatsGlobalAttrs {
    return decodeGlobal(this.requests().requestSync(statsRequest()));
  }
  async statsGlobal(): Promise<StatsGlobalAttrs> {
    return decodeGlobal(await this.requests().request(statsRequest()));
  }

  /** GET_STATS_CPU: one record per possible CPU. */
  statsCpuSync(): CpuStats<ConntrackStatsAttrs>[] {
    const cpus: CpuStats<ConntrackStatsAttrs>[] = [];
    this.requests().dumpSync(statsCpuRequest(), (message) => pushCpuStats(cpus, message));
    return cpus;
  }
  async statsCpu(): Promise<CpuStats<ConntrackStatsAttrs>[]> {
    const cpus: CpuStats<ConntrackStatsAttrs>[] = [];
    for await (const message of this.requests().dump(statsCpuRequest())) pushCpuStats(cpus, message);
    return cpus;
  }

  statsSync(): ConntrackStats {
    return { global: this.statsGlobalSync(), cpus: this.statsCpuSync() };
  }
  async stats(): Promise<ConntrackStats> {
    return { global: await this.statsGlobal(), cpus: await this.statsCpu() };
  }

  // Events.

  /** Subscribes on a new socket with a large receive buffer (64 MiB asked); see `receiveBufferSize` for what was granted. */
  events(options: EventOptions = {}): ConntrackEvents {
    const groups = groupNumbers(options.groups ?? ["new", "update", "destroy"]);
    const transport = this.session.events({
      groups,
      receiveBufferSize: options.receiveBufferSize ?? DEFAULT_EVENT_RECEIVE_BUFFER,
      allNetns: options.allNetns ?? false,
    });
    return new ConntrackEvents(transport, groups, options.filter, () => this.session.closeEvents(transport), options.signal);
  }

  // Expectations (delegates, so the CLI can use one object).

  listExpectSync: ExpectApi["listSync"] = (options, onExpect) => this.expect.listSync(options, onExpect);
  listExpect: ExpectApi["list"] = (options) => this.expect.list(options);
  getExpectSync: ExpectApi["getSync"] = (key, family) => this.expect.getSync(key, family);
  getExpectViewSync: ExpectApi["getViewSync"] = (key, family) => this.expect.getViewSync(key, family);
  listExpectViewsSync: ExpectApi["listViewsSync"] = (options, onView) => this.expect.listViewsSync(options, onView);
  getExpect: ExpectApi["get"] = (key, family) => this.expect.get(key, family);
  createExpectSync: ExpectApi["createSync"] = (expects) => this.expect.createSync(expects);
  createExpect: ExpectApi["create"] = (expects) => this.expect.create(expects);
  deleteExpectSync: ExpectApi["deleteSync"] = (keys) => this.expect.deleteSync(keys);
  deleteExpect: ExpectApi["delete"] = (keys) => this.expect.delete(keys);
  flushExpectSync: ExpectApi["flushSync"] = (options) => this.expect.flushSync(options);
  flushExpect: ExpectApi["flush"] = (options) => this.expect.flush(options);
  statsExpectSync: ExpectApi["statsSync"] = () => this.expect.statsSync();
  statsExpect: ExpectApi["stats"] = () => this.expect.stats();
  countExpectSync: ExpectApi["countSync"] = (options) => this.expect.countSync(options);
  countExpect: ExpectApi["count"] = (options) => this.expect.count(options);

  // Plumbing.

  private batchSync(requests: NetlinkRequest[]): OperationResult[] {
    return requests.length === 0 ? [] : this.requests().batchSync(requests).map(toResult);
  }

  private async batch(requests: NetlinkRequest[]): Promise<OperationResult[]> {
    return requests.length === 0 ? [] : (await this.requests().batch(requests)).map(toResult);
  }
}

export function toResult(result: BatchResult): OperationResult {
  return result.error === undefined ? { ok: true } : { ok: false, error: result.error };
}

function summarizeDeletes(
  list: ListSummary,
  results: OperationResult[],
  kept: { flow: ConntrackAttrs; family: number }[],
  onDeleted: DeleteMatchingOptions["onDeleted"],
): DeleteSummary {
  const summary: DeleteSummary = { matched: results.length, deleted: 0, vanished: 0, errors: [], list };
  results.forEach((result, i) => {
    if (result.ok) {
      summary.deleted++;
      if (onDeleted) onDeleted(kept[i]!.flow, kept[i]!.family);
    } else if (result.error!.errno === ENOENT) summary.vanished++;
    else summary.errors.push(result.error!);
  });
  return summary;
}

function isUnsupported(error: unknown): boolean {
  const errno = (error as { errno?: unknown } | undefined)?.errno;
  return (error as Error | undefined)?.name === "NetlinkSocketError" && (errno === EOPNOTSUPP || errno === EINVAL);
}

function firstFlowView(replies: NlMessage[]): MessageView {
  const reply = replies.find((message) => message.header.type === CT_NEW);
  if (reply === undefined) throw new Error("get: the kernel acknowledged without sending the entry");
  return flowView().walkMessage(reply.bytes);
}

function decodeGlobal(replies: NlMessage[]): StatsGlobalAttrs {
  const reply = replies.find((message) => message.header.type === CT_GET_STATS);
  if (reply === undefined) return {};
  return conntrack.decodeMessage<StatsGlobalAttrs>(reply, SET_STATS_GLOBAL).attrs;
}

function pushCpuStats(cpus: CpuStats<ConntrackStatsAttrs>[], message: NlMessage): void {
  if (message.header.type !== CT_GET_STATS_CPU) return;
  const decoded = conntrack.decodeMessage<ConntrackStatsAttrs>(message, SET_STATS_CPU);
  cpus.push({ cpu: (decoded.fixed as unknown as Nfgenmsg).resId, stats: decoded.attrs });
}

/** Extack offsets as camelCase attribute keys, e.g. ["tupleOrig", "tupleIp", "ipV4Src"]. */
function camelAttrPath(request: Uint8Array, offset: number): string[] | undefined {
  const path = conntrack.attrPath(undefined, request, offset);
  if (path === "") return undefined;
  const parts = path.split(".");
  if (parts.length > 1) parts.shift(); // the attribute set's own name
  return parts.map((part) => part.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}
