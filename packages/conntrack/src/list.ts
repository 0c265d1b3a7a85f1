/**
 * Table dumps with kernel-side filters and a transparent fallback: when the kernel refuses a
 * filter (EOPNOTSUPP/EINVAL before sending any entry), the dump is retried with less in the
 * kernel. The exact predicate always runs in user space, so the result does not depend on it.
 */
import { HOST_LITTLE_ENDIAN, isNetlinkDecodeError, type MessageView, type NetlinkDecodeError, type NlMsgHeader } from "@tsconntrack/codec";
import type { ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { isNetlinkSocketError, type NetlinkClient } from "@tsconntrack/socket";
import { AF_INET, AF_INET6, AF_UNSPEC, CT_NEW, EINVAL, EOPNOTSUPP } from "./constants.js";
import { compileFilter, type CompiledFilter, type FlowFilter, type KernelFilterChoice, type KernelFilterSummary, type ViewTest } from "./filter.js";
import { flowView, viewFamily } from "./flow-view.js";
import { decodeView } from "./view-decode.js";
import { flowJson, type FlowJson } from "./flow-json.js";
import type { KernelCapabilities } from "./kernel.js";
import { dumpRequest, type Table } from "./requests.js";

export interface ListOptions {
  /** "conntrack" (default), "dying" (GET_DYING) or "unconfirmed" (GET_UNCONFIRMED). */
  table?: Table;
  filter?: FlowFilter;
  /**
   * GET_CTRZERO: read the entries and reset their counters. The kernel resets every entry it
   * sends, including ones a user-space-only filter then drops.
   */
  zero?: boolean;
  /** Which filters may run in the kernel (default all it supports); `false` = none. */
  kernelFilter?: KernelFilterChoice | false;
  /**
   * Told of each entry message that cannot be decoded (a malformed attribute): the listing skips it
   * and goes on, counting it in `ListSummary.undecodable`; it never aborts the rest.
   */
  onUndecodable?: (error: NetlinkDecodeError, message: Uint8Array) => void;
  /** Ends the async iteration (list()) with the signal's reason; the dump is read to its end first. */
  signal?: AbortSignal;
}

export interface ListSummary {
  /** Entries passed to the caller (after every filter). */
  entries: number;
  /** Entry messages the kernel sent. */
  received: number;
  /** NLM_F_DUMP_INTR: the table changed during the dump; entries may be missing or repeated. */
  interrupted: boolean;
  /** What the kernel filtered in the dump that produced the entries. */
  kernel: KernelFilterSummary;
  /** Errno codes of kernel refusals that made us retry with fewer kernel filters. */
  fallbacks: string[];
  /** Entry messages skipped because they cannot be decoded (see ListOptions.onUndecodable). */
  undecodable: number;
}

type Counts = { received: number; entries: number; undecodable: number };

/** One entry of the async form: decoded, and in the friendly shape of `tsconntrack -o json`. */
export interface ConntrackEntry {
  /** The decoded attributes (the codec's raw tree: numbers, bigint counters, nested tuples). */
  flow: ConntrackAttrs;
  /** nfgenmsg.nfgen_family: AF_INET or AF_INET6. */
  family: number;
  header: NlMsgHeader;
  /** Addresses as text, names for states and status bits, exact counters (see flow-json.ts). */
  json: FlowJson;
  /** JSON.stringify(entry) gives `json`. */
  toJSON(): FlowJson;
}

export type EntryCallback = (flow: ConntrackAttrs, family: number, header: NlMsgHeader) => void;

/**
 * Each matching entry, walked into a view (flow-view.ts): valid only during the call, the same
 * view object every time. Read it, or decode it (decodeView), or copy its bytes (viewBytes).
 */
export type ViewCallback = (view: MessageView) => void;

/**
 * The one reading of an entry message, whatever surface delivers it: the type check, the walk
 * (a malformed entry is counted, reported and skipped, never fatal), the filter, the counts.
 */
class EntryReader {
  readonly view: MessageView = flowView();
  readonly counts: Counts = { received: 0, entries: 0, undecodable: 0 };
  private readonly options: ListOptions;
  private readonly predicate: ViewTest | undefined;

  constructor(options: ListOptions, predicate: ViewTest | undefined) {
    this.options = options;
    this.predicate = predicate;
  }

  /** True when datagram[offset, offset + length) is an entry that passes the filter (the view holds it). */
  read(datagram: Uint8Array, offset: number, length: number): boolean {
    if (messageType(datagram, offset) !== CT_NEW) return false;
    const counts = this.counts;
    counts.received++;
    try {
      this.view.walkMessage(datagram, offset);
    } catch (error) {
      if (!isNetlinkDecodeError(error)) throw error;
      counts.undecodable++;
      this.options.onUndecodable?.(error, datagram.slice(offset, offset + length));
      return false;
    }
    if (this.predicate !== undefined && !this.predicate(this.view)) return false;
    counts.entries++;
    return true;
  }
}

/** The filters to try in order: everything allowed, then less and less in the kernel. */
export function filterAttempts(options: ListOptions, caps: KernelCapabilities): CompiledFilter[] {
  const table = options.table ?? "conntrack";
  const base: KernelFilterChoice =
    options.kernelFilter === false || table !== "conntrack"
      ? { family: false, mark: false, status: false, zone: false, tuple: false }
      : { ...options.kernelFilter };
  if (caps.tupleFilter === false) base.tuple = false;
  if (caps.statusZoneFilter === false) base.status = base.zone = false;
  if (caps.markFilter === false) base.mark = base.family = false;
  const steps: KernelFilterChoice[] = [
    base,
    { ...base, tuple: false },
    { ...base, tuple: false, status: false, zone: false },
    { family: false, mark: false, status: false, zone: false, tuple: false },
  ];
  const attempts: CompiledFilter[] = [];
  let last = "";
  for (const step of steps) {
    const compiled = compileFilter(options.filter, step);
    const key = JSON.stringify(compiled.kernel);
    if (key !== last) attempts.push(compiled);
    last = key;
  }
  return attempts;
}

/** Whether a dump error is a refused filter (so retrying with fewer kernel filters may work). */
export function isFilterRefusal(error: unknown): boolean {
  return isNetlinkSocketError(error) && (error.errno === EOPNOTSUPP || error.errno === EINVAL);
}

/** Records what a refusal says about the kernel: the first filter kind dropped next is the culprit. */
export function learnFromRefusal(caps: KernelCapabilities, failed: CompiledFilter, next: CompiledFilter): void {
  if (failed.kernel.origFlags + failed.kernel.replyFlags !== 0 && next.kernel.origFlags + next.kernel.replyFlags === 0) caps.tupleFilter = false;
  else if ((failed.kernel.status || failed.kernel.zone) && !next.kernel.status && !next.kernel.zone) caps.statusZoneFilter = false;
  else if (failed.kernel.mark && !next.kernel.mark) caps.markFilter = false;
}

export function learnFromSuccess(caps: KernelCapabilities, used: CompiledFilter): void {
  if (used.kernel.origFlags + used.kernel.replyFlags !== 0) caps.tupleFilter = true;
  if (used.kernel.status || used.kernel.zone) caps.statusZoneFilter = true;
  if (used.kernel.mark) caps.markFilter = true;
}

/** The nlmsghdr of the walked message. */
function viewHeader(view: MessageView): NlMsgHeader {
  return { len: view.end - view.start, type: view.type, flags: view.flags, seq: view.seq, pid: view.portId };
}

/** Runs the dump of each attempt until the kernel accepts one (see filterAttempts). */
function withFallbacks(caps: KernelCapabilities, options: ListOptions, dump: (compiled: CompiledFilter) => { interrupted: boolean; counts: Counts }): ListSummary {
  const attempts = filterAttempts(options, caps);
  const fallbacks: string[] = [];
  for (let i = 0; ; i++) {
    const compiled = attempts[i]!;
    try {
      const done = dump(compiled);
      return attemptSucceeded(caps, compiled, done.counts, done.interrupted, fallbacks);
    } catch (error) {
      attemptFailed(caps, attempts, i, failedCounts(error), fallbacks, error);
    }
  }
}

async function withFallbacksAsync(
  caps: KernelCapabilities,
  options: ListOptions,
  dump: (compiled: CompiledFilter) => Promise<{ interrupted: boolean; counts: Counts }>,
): Promise<ListSummary> {
  const attempts = filterAttempts(options, caps);
  const fallbacks: string[] = [];
  for (let i = 0; ; i++) {
    const compiled = attempts[i]!;
    try {
      const done = await dump(compiled);
      return attemptSucceeded(caps, compiled, done.counts, done.interrupted, fallbacks);
    } catch (error) {
      attemptFailed(caps, attempts, i, failedCounts(error), fallbacks, error);
    }
  }
}

/** A dump that failed carries the counts of what it had read (a refusal after entries is fatal). */
class AttemptError {
  readonly error: unknown;
  readonly counts: Counts;
  constructor(error: unknown, counts: Counts) {
    this.error = error;
    this.counts = counts;
  }
}

function failedCounts(error: unknown): Counts | undefined {
  return error instanceof AttemptError ? error.counts : undefined;
}

function attemptSucceeded(caps: KernelCapabilities, compiled: CompiledFilter, counts: Counts, interrupted: boolean, fallbacks: string[]): ListSummary {
  learnFromSuccess(caps, compiled);
  return { entries: counts.entries, received: counts.received, interrupted, kernel: compiled.kernel, fallbacks, undecodable: counts.undecodable };
}

/** Rethrows unless the kernel refused attempt `i`'s filter before sending anything and a next attempt exists. */
function attemptFailed(caps: KernelCapabilities, attempts: CompiledFilter[], i: number, counts: Counts | undefined, fallbacks: string[], thrown: unknown): void {
  const error = thrown instanceof AttemptError ? thrown.error : thrown;
  if ((counts?.received ?? 0) > 0 || i + 1 >= attempts.length || !isFilterRefusal(error)) throw error;
  fallbacks.push((error as { code: string }).code);
  learnFromRefusal(caps, attempts[i]!, attempts[i + 1]!);
}

/** The user-space test, unless the kernel part alone decides the filter on this kernel. */
function predicateToRun(compiled: CompiledFilter, caps: KernelCapabilities): ViewTest | undefined {
  if (compiled.kernelExact === "mark" && caps.exactMark === true) return undefined;
  if (compiled.kernelExact === "tuple" && caps.exactMark === true && caps.exactTuple === true) return undefined;
  return compiled.predicate;
}

function requestOf(options: ListOptions, compiled: CompiledFilter) {
  return dumpRequest(options.table ?? "conntrack", compiled.family, compiled.attrs, options.zero);
}

/** One filtered dump, synchronously: each matching entry's view to `onView` (until `abandonWhen` says so). */
function viewsOnce(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onView: ViewCallback, abandonWhen?: () => boolean): ListSummary {
  return withFallbacks(caps, options, (compiled) => {
    const reader = new EntryReader(options, predicateToRun(compiled, caps));
    try {
      const summary = client.dumpBytesSync(requestOf(options, compiled), (datagram, offset, length) => {
        if (reader.read(datagram, offset, length)) onView(reader.view);
      }, { abandonWhen });
      return { interrupted: summary.interrupted, counts: reader.counts };
    } catch (error) {
      throw new AttemptError(error, reader.counts);
    }
  });
}

/** viewsOnce with the kernel's dump work overlapped with `onView` (NetlinkClient.dumpBytes). */
async function viewsOnceAsync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onView: ViewCallback): Promise<ListSummary> {
  return withFallbacksAsync(caps, options, async (compiled) => {
    const reader = new EntryReader(options, predicateToRun(compiled, caps));
    try {
      const summary = await client.dumpBytes(requestOf(options, compiled), (datagram, offset, length) => {
        if (reader.read(datagram, offset, length)) onView(reader.view);
      });
      return { interrupted: summary.interrupted, counts: reader.counts };
    } catch (error) {
      throw new AttemptError(error, reader.counts);
    }
  });
}

/**
 * The second request socket of a live session: the family split's IPv6 probe runs there. A capture
 * holds the requests it holds, so replays have none and never split.
 */
export interface SecondSocket {
  client(): NetlinkClient;
  /** Closes it (a probe abandoned its dump there); client() then opens a new one. */
  discard(): void;
}

/** The listing, synchronously: each matching entry's view to `onView`, in the kernel's order. */
export function listViewsSync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onView: ViewCallback, second?: SecondSocket): ListSummary {
  if (second !== undefined && familySplit(options, caps)) {
    const v6 = ipv6Unmatched(second, caps, options);
    if (v6 !== undefined) return joinSplit(v6, viewsOnce(client, caps, withFamily(options, AF_INET), onView));
  }
  return viewsOnce(client, caps, options, onView);
}

/** listViewsSync with the kernel's dump work done on a helper thread while `onView` runs (live sockets; replays read synchronously). */
export async function listViews(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onView: ViewCallback, second?: SecondSocket): Promise<ListSummary> {
  if (second !== undefined && familySplit(options, caps)) {
    const v6 = ipv6Unmatched(second, caps, options);
    if (v6 !== undefined) return joinSplit(v6, await viewsOnceAsync(client, caps, withFamily(options, AF_INET), onView));
  }
  return viewsOnceAsync(client, caps, options, onView);
}

/** The typed listing: each matching entry decoded (the caller's to keep). */
export function listSync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onEntry: EntryCallback, second?: SecondSocket): ListSummary {
  return listViewsSync(client, caps, options, (view) => onEntry(decodeView<ConntrackAttrs>(view), viewFamily(view), viewHeader(view)), second);
}

/**
 * Does any IPv6 entry match? The filtered IPv6 dump on the second socket answers in its first
 * datagram (the kernel fills it while the request is sent): a match abandons the dump there and
 * closes its socket, so the kernel walks no further; a dump that matches nothing has walked the
 * whole table by then and says so. Its summary when nothing matched, else undefined. It reads
 * synchronously, one datagram at a time: a read-ahead would make the kernel fill more of an
 * answer that is not needed.
 */
function ipv6Unmatched(second: SecondSocket, caps: KernelCapabilities, options: ListOptions): ListSummary | undefined {
  let matched = false;
  try {
    const summary = viewsOnce(second.client(), caps, withFamily(options, AF_INET6), () => {
      matched = true;
    }, () => matched);
    return matched ? undefined : summary;
  } finally {
    if (matched) second.discard();
  }
}

/** The summary of a split listing: the IPv4 dump's entries, both dumps' received counts. */
const joinSplit = (v6: ListSummary, v4: ListSummary): ListSummary => ({
  ...v4,
  received: v4.received + v6.received,
  interrupted: v4.interrupted || v6.interrupted,
  undecodable: v4.undecodable + v6.undecodable,
  fallbacks: [...v6.fallbacks, ...v4.fallbacks],
});

/**
 * CTA_FILTER (protocol, ports, addresses in the kernel) needs the family ipv4 or ipv6, but a
 * filter without a family must list both, in the kernel's hash order, as conntrack's one
 * AF_UNSPEC dump does. When no IPv6 entry matches, the IPv4 matches in the order of a filtered
 * IPv4 dump are exactly that listing (the same table walk, the other family skipped). So: a
 * filtered IPv6 dump read to its first match only (ipv6Unmatched), then, when it found nothing, the
 * filtered IPv4 dump; when it found something, the plain AF_UNSPEC dump with the user-space
 * filter, whose order is exact. Walks that skip non-matching entries cost far less than sending,
 * walking and testing every entry. Worth it only when the filter has tuple fields the kernel can take.
 */
function familySplit(options: ListOptions, caps: KernelCapabilities): boolean {
  const filter = options.filter;
  if ((options.table ?? "conntrack") !== "conntrack" || options.zero || filter === undefined) return false;
  if ((filter.family ?? AF_UNSPEC) !== AF_UNSPEC || caps.tupleFilter === false || options.kernelFilter === false) return false;
  if (options.kernelFilter?.tuple === false || options.kernelFilter?.family === false) return false;
  // Addresses imply their family: such a filter needs no split.
  if (compileFilter(filter, options.kernelFilter ?? {}).family !== AF_UNSPEC) return false;
  const probe = compileFilter({ ...filter, family: AF_INET }, options.kernelFilter ?? {});
  return probe.kernel.family === AF_INET && probe.kernel.origFlags + probe.kernel.replyFlags !== 0;
}

const withFamily = (options: ListOptions, family: number): ListOptions => ({ ...options, filter: { ...options.filter, family } });

const messageType = (datagram: Uint8Array, offset: number): number =>
  HOST_LITTLE_ENDIAN ? datagram[offset + 4]! | (datagram[offset + 5]! << 8) : (datagram[offset + 4]! << 8) | datagram[offset + 5]!;

function entryOf(view: MessageView, header: NlMsgHeader): ConntrackEntry {
  const json = flowJson(view);
  return { flow: decodeView<ConntrackAttrs>(view), family: viewFamily(view), header: { ...header }, json, toJSON: () => json };
}

/** The async iteration; `summary` is filled in as entries arrive and completed when the iteration ends. */
export async function* listAsync(
  client: NetlinkClient,
  caps: KernelCapabilities,
  options: ListOptions,
  summary: Partial<ListSummary>,
): AsyncGenerator<ConntrackEntry> {
  const attempts = filterAttempts(options, caps);
  const fallbacks: string[] = [];
  summary.fallbacks = fallbacks;
  for (let i = 0; ; i++) {
    const compiled = attempts[i]!;
    const reader = new EntryReader(options, predicateToRun(compiled, caps));
    const stream = client.dump(requestOf(options, compiled));
    summary.kernel = compiled.kernel;
    const publish = () => {
      summary.entries = reader.counts.entries;
      summary.received = reader.counts.received;
      summary.undecodable = reader.counts.undecodable;
    };
    try {
      options.signal?.throwIfAborted();
      for await (const message of stream) {
        const matched = reader.read(message.bytes, 0, message.bytes.length);
        publish();
        if (matched) yield entryOf(reader.view, message.header);
        options.signal?.throwIfAborted();
      }
      learnFromSuccess(caps, compiled);
      publish();
      summary.interrupted = stream.interrupted;
      return;
    } catch (error) {
      attemptFailed(caps, attempts, i, reader.counts, fallbacks, error);
    }
  }
}

/**
 * Counts the entries matching `options.filter` without handing any over: a dump with the kernel-side
 * filters that walks each entry for the predicate and hands nothing over. A filter without a family whose
 * tuple fields the kernel can take is counted as two filtered dumps, AF_INET and AF_INET6, summed
 * (order does not matter for a count, so unlike listViews no AF_UNSPEC dump is ever needed);
 * `splitFamilies` allows it (live sockets only: a capture holds the requests it holds).
 */
export function countMatchingSync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, splitFamilies = false): ListSummary {
  const none = (): void => {};
  if (splitFamilies && familySplit(options, caps)) {
    const v4 = viewsOnce(client, caps, withFamily(options, AF_INET), none);
    return sumCounts(v4, viewsOnce(client, caps, withFamily(options, AF_INET6), none));
  }
  return viewsOnce(client, caps, options, none);
}

/** countMatchingSync with the dumps' receives on helper threads; the two family dumps run at once on two sockets (`second`). */
export async function countMatching(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, second?: () => NetlinkClient): Promise<ListSummary> {
  const none = (): void => {};
  if (second !== undefined && familySplit(options, caps)) {
    const v6 = viewsOnceAsync(second(), caps, withFamily(options, AF_INET6), none);
    // Handled from the start: it may fail (EPERM) while the IPv4 dump is still awaited.
    v6.catch(() => undefined);
    let v4: ListSummary;
    try {
      v4 = await viewsOnceAsync(client, caps, withFamily(options, AF_INET), none);
    } finally {
      // Never leave the IPv6 dump running (or its error unhandled) behind.
      await v6.catch(() => undefined);
    }
    return sumCounts(v4, await v6);
  }
  return viewsOnceAsync(client, caps, options, none);
}

/** Two family dumps as one count: entries and received added up. */
const sumCounts = (v4: ListSummary, v6: ListSummary): ListSummary => ({
  ...joinSplit(v6, v4),
  entries: v4.entries + v6.entries,
});
