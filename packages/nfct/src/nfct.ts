/**
 * The typed nfct API: timeout policies and default timeouts (nfnetlink_cttimeout), user-space
 * helpers (nfnetlink_cthelper). One object per namespace or capture, on @tsconntrack/socket's
 * NetlinkSession; every operation has a synchronous form (…Sync) and an async one.
 */
import { HOST_LITTLE_ENDIAN, NLMSG_HDRLEN, type NlMessage } from "@tsconntrack/codec";
import { cthelper, CthelperReply, type CthelperAttrs } from "@tsconntrack/codec/cthelper";
import { cttimeout, CttimeoutReply, type CttimeoutAttrs } from "@tsconntrack/codec/cttimeout";
import { NetlinkClient, NetlinkSession, type NetlinkRequest, type SessionOptions, type Transport } from "@tsconntrack/socket";
import { NfctArgumentError } from "./errors.js";
import {
  helperDeleteRequest,
  helperDisableRequest,
  helperDumpRequest,
  helperGetRequest,
  helperNewRequest,
  SET_HELPER,
  SET_TIMEOUT,
  timeoutDefaultGetRequest,
  timeoutDefaultSetRequest,
  timeoutDeleteRequest,
  timeoutDumpRequest,
  timeoutGetRequest,
  timeoutNewRequest,
  type AddOptions,
  type DefaultTimeoutInput,
  type HelperInput,
  type HelperKey,
  type TimeoutPolicyInput,
} from "./requests.js";

export type NfctOptions = SessionOptions;

/** A policy or default timeouts as the kernel reports them (the codec's decoded CTA_TIMEOUT_* attributes). */
export type TimeoutPolicy = CttimeoutAttrs;
/** A helper as the kernel reports it (the codec's decoded NFCTH_* attributes). */
export type Helper = CthelperAttrs;

/** Decodes the replies of one type with one codec; other messages (ACKs are not in the list) are skipped. */
function decodeReplies<T extends object>(codec: typeof cttimeout, set: string, types: readonly number[], replies: readonly NlMessage[]): T[] {
  return replies.filter((m) => types.includes(m.header.type)).map((m) => codec.decodeMessage<T>(m, set).attrs);
}

const POLICY_REPLIES = [CttimeoutReply.get];
const DEFAULT_REPLIES = [CttimeoutReply.defaultGet];
const HELPER_REPLIES = [CthelperReply.get];

function first<T>(items: T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`${what}: the kernel acknowledged without sending it`);
  return item;
}

/** nfnetlink_cttimeout: named timeout policies (for iptables' CT --timeout) and the namespace's defaults. */
export class TimeoutApi {
  private readonly client: () => NetlinkClient;
  constructor(client: () => NetlinkClient) {
    this.client = client;
  }

  /** Creates a policy (or replaces the timeouts of an unused one with this name and protocol). */
  addSync(policy: TimeoutPolicyInput, options?: AddOptions): void {
    this.client().requestSync(timeoutNewRequest(policy, options));
  }
  async add(policy: TimeoutPolicyInput, options?: AddOptions): Promise<void> {
    await this.client().request(timeoutNewRequest(policy, options));
  }

  /** Deletes one policy (EBUSY while a rule uses it, ENOENT when absent). */
  deleteSync(name: string): void {
    this.client().requestSync(timeoutDeleteRequest(name));
  }
  async delete(name: string): Promise<void> {
    await this.client().request(timeoutDeleteRequest(name));
  }

  /** One policy by name; throws ENOENT (isNotFoundError) when absent. */
  getSync(name: string): TimeoutPolicy {
    return first(decodeReplies(cttimeout, SET_TIMEOUT, POLICY_REPLIES, this.client().requestSync(timeoutGetRequest(name))), "timeout get");
  }
  async get(name: string): Promise<TimeoutPolicy> {
    return first(decodeReplies(cttimeout, SET_TIMEOUT, POLICY_REPLIES, await this.client().request(timeoutGetRequest(name))), "timeout get");
  }

  /** Every policy, in the kernel's order. */
  listSync(): TimeoutPolicy[] {
    const out: TimeoutPolicy[] = [];
    this.client().dumpSync(timeoutDumpRequest(), (m) => out.push(...decodeReplies<TimeoutPolicy>(cttimeout, SET_TIMEOUT, POLICY_REPLIES, [m])));
    return out;
  }
  async list(): Promise<TimeoutPolicy[]> {
    const out: TimeoutPolicy[] = [];
    for await (const m of this.client().dump(timeoutDumpRequest())) out.push(...decodeReplies<TimeoutPolicy>(cttimeout, SET_TIMEOUT, POLICY_REPLIES, [m]));
    return out;
  }

  /** Deletes every policy no rule uses. */
  flushSync(): void {
    this.client().requestSync(timeoutDeleteRequest());
  }
  async flush(): Promise<void> {
    await this.client().request(timeoutDeleteRequest());
  }

  /** Sets some of a protocol's default timeouts in this namespace (the others keep their values). */
  setDefaultSync(policy: DefaultTimeoutInput): void {
    this.client().requestSync(timeoutDefaultSetRequest(policy));
  }
  async setDefault(policy: DefaultTimeoutInput): Promise<void> {
    await this.client().request(timeoutDefaultSetRequest(policy));
  }

  /** A protocol's default timeouts (EOPNOTSUPP for a protocol this kernel does not track). */
  getDefaultSync(l3proto: number, l4proto: number): TimeoutPolicy {
    return first(decodeReplies(cttimeout, SET_TIMEOUT, DEFAULT_REPLIES, this.client().requestSync(timeoutDefaultGetRequest(l3proto, l4proto))), "timeout default-get");
  }
  async getDefault(l3proto: number, l4proto: number): Promise<TimeoutPolicy> {
    return first(decodeReplies(cttimeout, SET_TIMEOUT, DEFAULT_REPLIES, await this.client().request(timeoutDefaultGetRequest(l3proto, l4proto))), "timeout default-get");
  }
}

/**
 * nfnetlink_cthelper: user-space helpers (conntrackd). Needs CONFIG_NF_CT_NETLINK_HELPER; a kernel
 * without it answers every request with EINVAL.
 */
export class HelperApi {
  private readonly client: () => NetlinkClient;
  constructor(client: () => NetlinkClient) {
    this.client = client;
  }

  /** Registers a helper (see helperAttrs for conntrack-tools' own), or updates the one with this name and tuple. */
  addSync(helper: HelperInput, options?: AddOptions): void {
    this.client().requestSync(helperNewRequest(helper, options));
  }
  async add(helper: HelperInput, options?: AddOptions): Promise<void> {
    await this.client().request(helperNewRequest(helper, options));
  }

  /** Deletes the unused helpers matching `key`. */
  deleteSync(key: HelperKey): void {
    this.client().requestSync(helperDeleteRequest(requireKey(key)));
  }
  async delete(key: HelperKey): Promise<void> {
    await this.client().request(helperDeleteRequest(requireKey(key)));
  }

  /** The helpers matching `key` (one message each). */
  getSync(key: HelperKey): Helper[] {
    return decodeReplies(cthelper, SET_HELPER, HELPER_REPLIES, this.client().requestSync(helperGetRequest(key)));
  }
  async get(key: HelperKey): Promise<Helper[]> {
    return decodeReplies(cthelper, SET_HELPER, HELPER_REPLIES, await this.client().request(helperGetRequest(key)));
  }

  listSync(): Helper[] {
    const out: Helper[] = [];
    this.client().dumpSync(helperDumpRequest(), (m) => out.push(...decodeReplies<Helper>(cthelper, SET_HELPER, HELPER_REPLIES, [m])));
    return out;
  }
  async list(): Promise<Helper[]> {
    const out: Helper[] = [];
    for await (const m of this.client().dump(helperDumpRequest())) out.push(...decodeReplies<Helper>(cthelper, SET_HELPER, HELPER_REPLIES, [m]));
    return out;
  }

  /** Deletes every unused helper. */
  flushSync(): void {
    this.client().requestSync(helperDeleteRequest());
  }
  async flush(): Promise<void> {
    await this.client().request(helperDeleteRequest());
  }

  /** Stops the kernel queueing packets to a helper (NFCTH_STATUS disabled). */
  disableSync(key: Required<HelperKey>): void {
    this.client().requestSync(helperDisableRequest(key));
  }
  async disable(key: Required<HelperKey>): Promise<void> {
    await this.client().request(helperDisableRequest(key));
  }
}

function requireKey(key: HelperKey): HelperKey {
  if (key.name === undefined && key.tuple === undefined) throw new NfctArgumentError("key", "name or tuple needed (flush deletes all helpers)");
  return key;
}

export class Nfct {
  readonly timeout: TimeoutApi;
  readonly helper: HelperApi;
  private readonly session: NetlinkSession;
  private client: NetlinkClient | undefined;

  /** Opens nothing yet: the socket is created on first use. */
  static open(options: NfctOptions = {}): Nfct {
    return new Nfct(options);
  }

  private constructor(options: NfctOptions) {
    this.session = new NetlinkSession(options, (field, message) => new NfctArgumentError(field, message), "Nfct");
    this.timeout = new TimeoutApi(() => this.requests());
    this.helper = new HelperApi(() => this.requests());
  }

  /** The request client (opening the socket if needed), for requests built with the exported builders. */
  requests(): NetlinkClient {
    return (this.client ??= new NetlinkClient(this.session.requests(), { attrPath }));
  }

  /** The request transport; its `receiveBufferSize` is what the kernel granted. */
  get transport(): Transport {
    return this.requests().transport;
  }

  /** Sends requests built elsewhere (a batch); one result per request. */
  batchSync(requests: readonly NetlinkRequest[]) {
    return this.requests().batchSync(requests);
  }

  close(): void {
    this.session.close();
  }
}

/** Extack offsets as camelCase keys, e.g. ["data", "synSent"], for either subsystem. */
function attrPath(request: Uint8Array, offset: number): string[] | undefined {
  if (request.length < NLMSG_HDRLEN) return undefined;
  const type = new DataView(request.buffer, request.byteOffset, request.byteLength).getUint16(4, HOST_LITTLE_ENDIAN);
  const codec = cttimeout.setForType(type) !== undefined ? cttimeout : cthelper;
  const path = codec.attrPath(undefined, request, offset);
  if (path === "") return undefined;
  const parts = path.split(".");
  if (parts.length > 1) parts.shift();
  return parts.map((part) => part.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}
