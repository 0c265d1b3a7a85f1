/**
 * Table dumps with kernel-side filters and a transparent fallback: when the kernel refuses a
 * filter (EOPNOTSUPP/EINVAL before sending any entry), the dump is retried with less in the
 * kernel. The exact predicate always runs in user space, so the result does not depend on it.
 */
import { HOST_LITTLE_ENDIAN, isNetlinkDecodeError, NLMSG_HDRLEN, readMessageHeader, type NetlinkDecodeError, type NlMessage, type NlMsgHeader } from "@tsconntrack/codec";
import { conntrack, type ConntrackAttrs, type Nfgenmsg } from "@tsconntrack/codec/conntrack";
import { isNetlinkSocketError, type NetlinkClient } from "@tsconntrack/socket";
import { AF_INET, AF_INET6, AF_UNSPEC, CT_NEW, EINVAL, EOPNOTSUPP, SET_CONNTRACK } from "./constants.js";
import { compileFilter, type CompiledFilter, type FlowFilter, type KernelFilterChoice, type KernelFilterSummary } from "./filter.js";
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

/**
 * `decode()`, or undefined after telling `options.onUndecodable` and counting: one bad entry
 * never ends a listing. Errors other than decode errors pass through.
 */
function decodedOrSkipped<T>(decode: () => T, message: () => Uint8Array, options: ListOptions, counts: Counts): T | undefined {
  try {
    return decode();
  } catch (error) {
    if (!isNetlinkDecodeError(error)) throw error;
    counts.undecodable++;
    options.onUndecodable?.(error, message());
    return undefined;
  }
}

/** One decoded entry (the async form). */
export interface ConntrackEntry {
  flow: ConntrackAttrs;
  /** nfgenmsg.nfgen_family: AF_INET or AF_INET6. */
  family: number;
  header: NlMsgHeader;
}

export type EntryCallback = (flow: ConntrackAttrs, family: number, header: NlMsgHeader) => void;

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

function familyOf(fixed: Record<string, unknown>): number {
  return (fixed as unknown as Nfgenmsg).nfgenFamily;
}

/**
 * Hands over each entry message undecoded: `datagram[offset, offset + length)` (a view of the
 * receive buffer, valid only during the call) with its nfgenmsg family. When the filter has a
 * user-space part, the message was decoded to test it and that decode is passed along as `flow`.
 */
export type MessageCallback = (datagram: Uint8Array, offset: number, length: number, family: number, flow: ConntrackAttrs | undefined) => void;

/** The entry at `datagram[offset, offset + length)` (as listMessagesSync hands it over), decoded. */
export function decodeEntryAt(datagram: Uint8Array, offset: number, length: number): ConntrackAttrs {
  const bytes = datagram.subarray(offset, offset + length);
  const message: NlMessage = { header: readMessageHeader(bytes, 0), offset: 0, bytes, payload: bytes.subarray(NLMSG_HDRLEN) };
  return conntrack.decodeMessage<ConntrackAttrs>(message, SET_CONNTRACK).attrs;
}

/** Runs the dump of each attempt until the kernel accepts one (see filterAttempts). */
function withFallbacks(
  caps: KernelCapabilities,
  options: ListOptions,
  dump: (compiled: CompiledFilter, counts: Counts) => boolean,
): ListSummary {
  const attempts = filterAttempts(options, caps);
  const fallbacks: string[] = [];
  for (let i = 0; ; i++) {
    const compiled = attempts[i]!;
    const counts: Counts = { received: 0, entries: 0, undecodable: 0 };
    try {
      const interrupted = dump(compiled, counts);
      return attemptSucceeded(caps, compiled, counts, interrupted, fallbacks);
    } catch (error) {
      attemptFailed(caps, attempts, i, counts, fallbacks, error);
    }
  }
}

async function withFallbacksAsync(
  caps: KernelCapabilities,
  options: ListOptions,
  dump: (compiled: CompiledFilter, counts: Counts) => Promise<boolean>,
): Promise<ListSummary> {
  const attempts = filterAttempts(options, caps);
  const fallbacks: string[] = [];
  for (let i = 0; ; i++) {
    const compiled = attempts[i]!;
    const counts: Counts = { received: 0, entries: 0, undecodable: 0 };
    try {
      const interrupted = await dump(compiled, counts);
      return attemptSucceeded(caps, compiled, counts, interrupted, fallbacks);
    } catch (error) {
      attemptFailed(caps, attempts, i, counts, fallbacks, error);
    }
  }
}

function attemptSucceeded(caps: KernelCapabilities, compiled: CompiledFilter, counts: Counts, interrupted: boolean, fallbacks: string[]): ListSummary {
  learnFromSuccess(caps, compiled);
  return { entries: counts.entries, received: counts.received, interrupted, kernel: compiled.kernel, fallbacks, undecodable: counts.undecodable };
}

/** Rethrows unless the kernel refused attempt `i`'s filter before sending anything and a next attempt exists. */
function attemptFailed(caps: KernelCapabilities, attempts: CompiledFilter[], i: number, counts: { received: number }, fallbacks: string[], error: unknown): void {
  if (counts.received > 0 || i + 1 >= attempts.length || !isFilterRefusal(error)) throw error;
  fallbacks.push((error as { code: string }).code);
  learnFromRefusal(caps, attempts[i]!, attempts[i + 1]!);
}

/** The streaming fast path: one decode per message, no per-entry allocation beyond the decoded value. */
export function listSync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onEntry: EntryCallback): ListSummary {
  return withFallbacks(caps, options, (compiled, counts) => {
    const predicate = compiled.predicate;
    const request = dumpRequest(options.table ?? "conntrack", compiled.family, compiled.attrs, options.zero);
    return client.dumpSync(request, (message: NlMessage) => {
      if (message.header.type !== CT_NEW) return;
      counts.received++;
      const decoded = decodedOrSkipped(() => conntrack.decodeMessage<ConntrackAttrs>(message, SET_CONNTRACK), () => message.bytes, options, counts);
      if (decoded === undefined) return;
      const family = familyOf(decoded.fixed);
      if (predicate !== undefined && !predicate(decoded.attrs, family)) return;
      counts.entries++;
      onEntry(decoded.attrs, family, message.header);
    }).interrupted;
  });
}

/**
 * Like listSync without decoding what the filter does not need and without per-message objects:
 * for formatters that read the bytes themselves. `splitFamilies`: see familySplit.
 */
export function listMessagesSync(
  client: NetlinkClient,
  caps: KernelCapabilities,
  options: ListOptions,
  onMessage: MessageCallback,
  splitFamilies = false,
): ListSummary {
  if (splitFamilies && familySplit(options, caps)) {
    // Does any IPv6 entry match? Counted only, nothing is printed from this dump.
    const v6 = listMessagesOnce(client, caps, withFamily(options, AF_INET6), () => {});
    if (v6.entries === 0) return joinSplit(v6, listMessagesOnce(client, caps, withFamily(options, AF_INET), onMessage));
  }
  return listMessagesOnce(client, caps, options, onMessage);
}

/**
 * listMessagesSync with the kernel's dump work overlapped with `onMessage` (see NetlinkClient.dumpBytes).
 * `second` (live sockets) enables the family split; its counting IPv6 dump runs on that second
 * client while the IPv4 dump runs here. IPv4 matches are held until the IPv6 count is known.
 */
export async function listMessages(
  client: NetlinkClient,
  caps: KernelCapabilities,
  options: ListOptions,
  onMessage: MessageCallback,
  second?: () => NetlinkClient,
): Promise<ListSummary> {
  if (second !== undefined && familySplit(options, caps)) {
    const split = await splitListing(client, second(), caps, options, onMessage);
    if (split !== undefined) return split;
  }
  return listMessagesOnceAsync(client, caps, options, onMessage);
}

/** Both filtered dumps at once; undefined when IPv6 entries match (then only a plain dump keeps the order). */
async function splitListing(
  client: NetlinkClient,
  v6Client: NetlinkClient,
  caps: KernelCapabilities,
  options: ListOptions,
  onMessage: MessageCallback,
): Promise<ListSummary | undefined> {
  let v6: ListSummary | undefined;
  const v6Done = listMessagesOnceAsync(v6Client, caps, withFamily(options, AF_INET6), () => {}).then((summary) => (v6 = summary));
  const held: { bytes: Uint8Array; family: number; flow: ConntrackAttrs | undefined }[] = [];
  const release = () => {
    for (const entry of held) onMessage(entry.bytes, 0, entry.bytes.length, entry.family, entry.flow);
    held.length = 0;
  };
  let v4: ListSummary;
  try {
    v4 = await listMessagesOnceAsync(client, caps, withFamily(options, AF_INET), (datagram, offset, length, family, flow) => {
      if (v6 === undefined) held.push({ bytes: datagram.slice(offset, offset + length), family, flow });
      else if (v6.entries === 0) {
        release();
        onMessage(datagram, offset, length, family, flow);
      }
    });
  } finally {
    // Never leave the IPv6 dump running (or its error unhandled) behind.
    await v6Done.catch(() => undefined);
  }
  const counted = await v6Done;
  if (counted.entries > 0) return undefined;
  release();
  return joinSplit(counted, v4);
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
 * filtered IPv6 dump that only counts, then, when it found nothing, the filtered IPv4 dump; when
 * it found something, the plain AF_UNSPEC dump with the user-space filter, whose order is exact.
 * Two kernel walks that skip non-matching entries cost far less than sending, decoding and
 * testing every entry. Worth it only when the filter has tuple fields the kernel can take.
 */
function familySplit(options: ListOptions, caps: KernelCapabilities): boolean {
  const filter = options.filter;
  if ((options.table ?? "conntrack") !== "conntrack" || options.zero || filter === undefined) return false;
  if ((filter.family ?? AF_UNSPEC) !== AF_UNSPEC || caps.tupleFilter === false || options.kernelFilter === false) return false;
  if (options.kernelFilter?.tuple === false || options.kernelFilter?.family === false) return false;
  const probe = compileFilter({ ...filter, family: AF_INET }, options.kernelFilter ?? {});
  // Addresses imply a family, so a family-less filter sent to the kernel has protocol fields.
  return probe.kernel.family === AF_INET && probe.kernel.origFlags + probe.kernel.replyFlags !== 0;
}

const withFamily = (options: ListOptions, family: number): ListOptions => ({ ...options, filter: { ...options.filter, family } });

/** The user-space test, unless the kernel part alone decides the filter on this kernel. */
function predicateToRun(compiled: CompiledFilter, caps: KernelCapabilities): CompiledFilter["predicate"] {
  if (compiled.kernelExact === "mark" && caps.exactMark === true) return undefined;
  if (compiled.kernelExact === "tuple" && caps.exactMark === true && caps.exactTuple === true) return undefined;
  return compiled.predicate;
}

function listMessagesOnce(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onMessage: MessageCallback): ListSummary {
  return withFallbacks(caps, options, (compiled, counts) => {
    const { request, handle } = messageAttempt(caps, options, compiled, counts, onMessage);
    return client.dumpBytesSync(request, handle).interrupted;
  });
}

async function listMessagesOnceAsync(client: NetlinkClient, caps: KernelCapabilities, options: ListOptions, onMessage: MessageCallback): Promise<ListSummary> {
  return withFallbacksAsync(caps, options, async (compiled, counts) => {
    const { request, handle } = messageAttempt(caps, options, compiled, counts, onMessage);
    return (await client.dumpBytes(request, handle)).interrupted;
  });
}

/** One attempt's request and its per-message handler (type check, family, predicate, counts). */
function messageAttempt(caps: KernelCapabilities, options: ListOptions, compiled: CompiledFilter, counts: Counts, onMessage: MessageCallback) {
  const predicate = predicateToRun(compiled, caps);
  const request = dumpRequest(options.table ?? "conntrack", compiled.family, compiled.attrs, options.zero);
  const handle = (datagram: Uint8Array, offset: number, length: number): void => {
    // nlmsg_type (host order) and nfgenmsg.nfgen_family.
    if (messageType(datagram, offset) !== CT_NEW) return;
    counts.received++;
    const family = length > NLMSG_HDRLEN ? datagram[offset + NLMSG_HDRLEN]! : 0;
    let flow: ConntrackAttrs | undefined;
    if (predicate !== undefined) {
      flow = decodedOrSkipped(() => decodeEntryAt(datagram, offset, length), () => datagram.slice(offset, offset + length), options, counts);
      if (flow === undefined || !predicate(flow, family)) return;
    }
    counts.entries++;
    onMessage(datagram, offset, length, family, flow);
  };
  return { request, handle };
}

const messageType = (datagram: Uint8Array, offset: number): number =>
  HOST_LITTLE_ENDIAN ? datagram[offset + 4]! | (datagram[offset + 5]! << 8) : (datagram[offset + 4]! << 8) | datagram[offset + 5]!;

/** The async form; `summary` is filled in when the iteration ends. */
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
    const predicate = compiled.predicate;
    const stream = client.dump(dumpRequest(options.table ?? "conntrack", compiled.family, compiled.attrs, options.zero));
    const counts: Counts = { received: 0, entries: 0, undecodable: 0 };
    summary.kernel = compiled.kernel;
    try {
      for await (const message of stream) {
        if (message.header.type !== CT_NEW) continue;
        counts.received++;
        summary.received = counts.received;
        const decoded = decodedOrSkipped(() => conntrack.decodeMessage<ConntrackAttrs>(message, SET_CONNTRACK), () => message.bytes, options, counts);
        summary.undecodable = counts.undecodable;
        if (decoded === undefined) continue;
        const family = familyOf(decoded.fixed);
        if (predicate !== undefined && !predicate(decoded.attrs, family)) continue;
        counts.entries++;
        summary.entries = counts.entries;
        yield { flow: decoded.attrs, family, header: decoded.header };
      }
      learnFromSuccess(caps, compiled);
      summary.entries = counts.entries;
      summary.received = counts.received;
      summary.undecodable = counts.undecodable;
      summary.interrupted = stream.interrupted;
      return;
    } catch (error) {
      if (counts.received > 0 || i + 1 >= attempts.length || !isFilterRefusal(error)) throw error;
      fallbacks.push((error as { code: string }).code);
      learnFromRefusal(caps, compiled, attempts[i + 1]!);
    }
  }
}
