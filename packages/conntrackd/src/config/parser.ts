/**
 * Recursive-descent parser for conntrackd.conf, following the grammar of conntrackd 1.4.7
 * (src/read_config_yy.y): the same blocks and clauses, the same semantic checks and warnings, the
 * same defaults. A syntax error names the line and the symbol as 1.4.7 does
 * (`parsing config file in line (2), symbol 'foo': syntax error`); clauses tsconntrackd does not
 * implement (TCP channels, Helper, ExpectationSync, IPv6 channels) fail the same way with a reason.
 */
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import { tokenize, type Token } from "./lexer.js";
import {
  DEFAULT_LOCKFILE, DEFAULT_LOGFILE, DEFAULT_STATS_LOGFILE, DEFAULT_SYSLOG_FACILITY,
  type ChannelConfig, type ChannelType, type DaemonConfig, type FilterConfig, type FilterLogic,
} from "./types.js";

/** A configuration error: `text` is 1.4.7's message (without the log prefix). */
export class ConfigError extends Error {
  readonly text: string;
  readonly line: number | undefined;
  readonly symbol: string | undefined;
  constructor(text: string, line?: number, symbol?: string) {
    super(text);
    this.text = text;
    this.line = line;
    this.symbol = symbol;
    this.name = "ConfigError";
  }
}

export const isConfigError = (e: unknown): e is ConfigError => e instanceof ConfigError;

const FILENAME_MAXLEN = 256;
const MULTICHANNEL_MAX = 4;

/** TCP_CONNTRACK_* (linux/netfilter/nf_conntrack_tcp.h) by the config's state names. */
const TCP_STATES: Readonly<Record<string, number>> = {
  SYN_SENT: 1, SYN_RECV: 2, ESTABLISHED: 3, FIN_WAIT: 4, CLOSE_WAIT: 5, LAST_ACK: 6, TIME_WAIT: 7,
  CLOSE: 8, CLOSED: 8, LISTEN: 9,
};

/** LOG_* facilities syslog(3) knows by the names the config accepts. */
const FACILITIES: Readonly<Record<string, number>> = {
  daemon: 3 << 3, local0: 16 << 3, local1: 17 << 3, local2: 18 << 3, local3: 19 << 3,
  local4: 20 << 3, local5: 21 << 3, local6: 22 << 3, local7: 23 << 3,
};

/** getprotobyname(3) over /etc/protocols (names and aliases, case-sensitive like glibc). */
export type ProtocolLookup = (name: string) => number | undefined;

let protocols: Map<string, number> | undefined;
export const etcProtocols: ProtocolLookup = (name) => {
  if (protocols === undefined) {
    protocols = new Map();
    let text = "";
    try {
      text = readFileSync("/etc/protocols", "latin1");
    } catch {
      // No /etc/protocols: the names below stand in for the few that matter.
      for (const [n, p] of [["tcp", 6], ["TCP", 6], ["udp", 17], ["UDP", 17], ["icmp", 1], ["ICMP", 1]] as const) {
        protocols.set(n, p);
      }
    }
    for (const raw of text.split("\n")) {
      const fields = raw.replace(/#.*/, "").trim().split(/\s+/);
      if (fields.length < 2 || !/^\d+$/.test(fields[1]!)) continue;
      const number = Number(fields[1]);
      for (const n of [fields[0]!, ...fields.slice(2)]) if (!protocols.has(n)) protocols.set(n, number);
    }
  }
  return protocols.get(name);
};

export interface ParseOptions {
  protocols?: ProtocolLookup;
  /** if_nametoindex() != 0; without it every interface is taken to exist. */
  interfaceExists?: (name: string) => boolean;
}

/** Reads and parses a file. A missing file is `can't open config file `PATH'`. */
export function loadConfig(path: string, options: ParseOptions = {}): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch {
    throw new ConfigError(`can't open config file \`${path}'`);
  }
  return parseConfig(text, options);
}

function newChannel(line: number, type: ChannelType, isDefault: boolean): ChannelConfig {
  return {
    type, isDefault, family: undefined, interface: "", address: undefined, destination: undefined,
    interfaceAddress: undefined, port: 0, sndBuffer: 0, rcvBuffer: 0, checksum: true,
    errorQueueLength: undefined, line,
  };
}

function emptyConfig(): DaemonConfig {
  return {
    kind: undefined,
    sync: {
      mode: undefined, channels: [], tcpWindowTracking: false, expectationSync: false,
      disableInternalCache: false, disableExternalCache: false, startupResync: false,
    },
    general: {
      hashSize: 0, hashLimit: 0, logFile: "", syslogFacility: -1, lockFile: "", unixPath: "", unixBacklog: 0,
      netlinkBufferSize: 0, netlinkBufferSizeMaxGrowth: 0, eventIterationLimit: 0, pollSecs: 0,
      netlinkOverrunResync: 0, netlinkEventsReliable: false, nice: undefined, systemd: false, filter: undefined,
    },
    stats: { logFile: "", syslogFacility: -1 },
    refreshTime: 0, cacheTimeout: 0, commitTimeout: 0, purgeTimeout: 0, resendQueueSize: 0, windowSize: 0,
    warnings: [],
  };
}

/** Fills in what init_config defaults when a value is 0 or unset. */
function applyDefaults(c: DaemonConfig): void {
  if (c.general.lockFile === "") c.general.lockFile = DEFAULT_LOCKFILE;
  if (c.cacheTimeout === 0) c.cacheTimeout = 180;
  if (c.purgeTimeout === 0) c.purgeTimeout = 60;
  if (c.refreshTime === 0) c.refreshTime = 60;
  if (c.resendQueueSize === 0) c.resendQueueSize = 131072;
  if (c.windowSize === 0) c.windowSize = 300;
  if (c.general.eventIterationLimit === 0) c.general.eventIterationLimit = 100;
  if (c.general.netlinkOverrunResync === 0) c.general.netlinkOverrunResync = 30;
  if (c.general.hashSize === 0) c.general.hashSize = 65536;
  if (c.general.hashLimit === 0) c.general.hashLimit = 262144;
  for (const ch of c.sync.channels) if (ch.type === "tcp" && !ch.errorQueueLength) ch.errorQueueLength = 128;
}

class Parser {
  private pos = 0;
  private readonly c = emptyConfig();
  /** The channel being filled (conf.channel[conf.channel_num] in 1.4.7). */
  private channel: ChannelConfig | undefined;
  private channelType: ChannelType | undefined;

  private readonly tokens: readonly Token[];
  private readonly protocols: ProtocolLookup;
  private readonly interfaceExists: (name: string) => boolean;

  constructor(tokens: readonly Token[], protocols: ProtocolLookup, interfaceExists: (name: string) => boolean) {
    this.tokens = tokens;
    this.protocols = protocols;
    this.interfaceExists = interfaceExists;
  }

  parse(): DaemonConfig {
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (this.isKeyword(t, "General")) this.general();
      else if (this.isKeyword(t, "Sync")) this.sync();
      else if (this.isKeyword(t, "Stats")) this.stats();
      else if (this.isKeyword(t, "Helper")) this.unsupported(t, "user-space helpers (Helper) are not supported by tsconntrackd");
      else this.syntaxError(t);
    }
    applyDefaults(this.c);
    return this.c;
  }

  // Token helpers.

  private peek(): Token {
    return this.tokens[this.pos]!;
  }
  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  private isKeyword(t: Token, ...words: string[]): boolean {
    return t.kind === "keyword" && words.includes(t.text);
  }
  private syntaxError(t: Token): never {
    throw new ConfigError(`parsing config file in line (${t.line}), symbol '${t.text}': syntax error`, t.line, t.text);
  }
  private unsupported(t: Token, why: string): never {
    throw new ConfigError(`parsing config file in line (${t.line}), symbol '${t.text}': ${why}`, t.line, t.text);
  }
  private keyword(...words: string[]): Token {
    const t = this.next();
    if (!this.isKeyword(t, ...words)) this.syntaxError(t);
    return t;
  }
  private char(ch: string): Token {
    const t = this.next();
    if (t.kind !== "char" || t.text !== ch) this.syntaxError(t);
    return t;
  }
  private value(kind: Token["kind"]): Token {
    const t = this.next();
    if (t.kind !== kind) this.syntaxError(t);
    return t;
  }
  private number(): number {
    return atoi(this.value("number").text);
  }
  private onOff(): boolean {
    const t = this.next();
    if (t.kind === "on") return true;
    if (t.kind === "off") return false;
    this.syntaxError(t);
  }
  /** `{ item* }`: calls item until the closing brace. */
  private block(item: (t: Token) => void): void {
    this.char("{");
    for (;;) {
      const t = this.peek();
      if (t.kind === "char" && t.text === "}") {
        this.next();
        return;
      }
      if (t.kind === "eof") this.syntaxError(t);
      item(t);
    }
  }
  private warn(text: string): void {
    this.c.warnings.push(text);
  }

  // General { }.

  private general(): void {
    this.next();
    const g = this.c.general;
    this.block((t) => {
      this.next();
      switch (t.kind === "keyword" ? t.text : "") {
        case "HashSize": g.hashSize = this.number(); return;
        case "HashLimit": g.hashLimit = this.number(); return;
        case "LogFile": g.logFile = this.logFile(g.logFile, DEFAULT_LOGFILE, "LogFile"); return;
        case "Syslog": g.syslogFacility = this.syslog(g.syslogFacility, this.c.stats.syslogFacility, ""); return;
        case "LockFile": {
          const path = this.value("path").text;
          if (path.length > FILENAME_MAXLEN) throw new ConfigError(`LockFile path is longer than ${FILENAME_MAXLEN} characters`);
          g.lockFile = path;
          return;
        }
        case "UNIX":
          this.block((u) => {
            this.next();
            if (this.isKeyword(u, "Path")) {
              const path = this.value("path").text;
              if (path.length > 108 - 1) throw new ConfigError(`Path is longer than ${108 - 1} characters`);
              g.unixPath = path;
            } else if (this.isKeyword(u, "Backlog")) {
              g.unixBacklog = this.number();
              this.warn("`Backlog' option inside UNIX clause is obsolete. Please, remove it from conntrackd.conf");
            } else this.syntaxError(u);
          });
          return;
        case "NetlinkBufferSize": case "SocketBufferSize": g.netlinkBufferSize = this.number(); return;
        case "NetlinkBufferSizeMaxGrowth": case "SocketBufferSizeMaxGrowth": case "SocketBufferSizeMaxGrown":
          g.netlinkBufferSizeMaxGrowth = this.number();
          return;
        case "EventIterationLimit": g.eventIterationLimit = this.number(); return;
        case "PollSecs": {
          g.pollSecs = this.number();
          if (g.pollSecs === 0) throw new ConfigError("`PollSecs' clause must be > 0");
          return;
        }
        case "Filter": g.filter = this.filter(); return;
        case "NetlinkOverrunResync": {
          const v = this.next();
          if (v.kind === "on") g.netlinkOverrunResync = 30;
          else if (v.kind === "off") g.netlinkOverrunResync = -1;
          else if (v.kind === "number") g.netlinkOverrunResync = atoi(v.text);
          else this.syntaxError(v);
          return;
        }
        case "NetlinkEventsReliable": g.netlinkEventsReliable = this.onOff(); return;
        case "Nice":
          g.nice = atoi(this.value("signed").text);
          this.warn("deprecated nice configuration, ignoring. The nice value can be set externally with nice(1) and renice(1).");
          return;
        case "Scheduler":
          this.block((s) => {
            this.next();
            if (this.isKeyword(s, "Type")) {
              const type = this.value("string").text;
              if (!/^(rr|fifo)$/i.test(type)) throw new ConfigError(`unknown scheduler \`${type}'`);
            } else if (this.isKeyword(s, "Priority")) {
              const prio = this.number();
              if (prio > 99) throw new ConfigError("`Priority' must be [0, 99]\n");
            } else this.syntaxError(s);
          });
          return;
        case "Systemd": g.systemd = this.onOff(); return;
        default: this.syntaxError(t);
      }
    });
  }

  private logFile(current: string, dflt: string, what: string): string {
    const v = this.next();
    if (v.kind === "on") return dflt;
    if (v.kind === "off") return current;
    if (v.kind === "path") {
      if (v.text.length > FILENAME_MAXLEN) throw new ConfigError(`${what} path is longer than ${FILENAME_MAXLEN} characters`);
      return v.text;
    }
    this.syntaxError(v);
  }

  private syslog(current: number, other: number, dot: string): number {
    const v = this.next();
    if (v.kind === "on") return DEFAULT_SYSLOG_FACILITY;
    if (v.kind === "off") return -1;
    if (v.kind !== "string") this.syntaxError(v);
    const facility = FACILITIES[v.text];
    if (facility === undefined) {
      this.warn(`'${v.text}' is not a known syslog facility, ignoring${dot}`);
      return current;
    }
    if (other !== -1 && facility !== other) this.warn("conflicting Syslog facility values, defaulting to General");
    return facility;
  }

  private filter(): FilterConfig {
    const f: FilterConfig = this.c.general.filter ?? { fromKernelspace: false };
    const t = this.peek();
    f.fromKernelspace = false;
    if (this.isKeyword(t, "From")) {
      this.next();
      const where = this.keyword("Userspace", "Kernelspace");
      f.fromKernelspace = where.text === "Kernelspace";
    }
    this.block((item) => {
      this.next();
      const logicToken = this.keyword("Accept", "Ignore");
      const logic: FilterLogic = logicToken.text === "Accept" ? "accept" : "ignore";
      if (this.isKeyword(item, "Protocol")) {
        const protocols = f.protocol?.protocols ?? [];
        this.block((p) => {
          this.next();
          let name: string;
          if (p.kind === "string") name = p.text;
          else if (this.isKeyword(p, "TCP")) name = "tcp";
          else if (this.isKeyword(p, "UDP")) name = "udp";
          else this.syntaxError(p);
          const number = this.protocols(name);
          if (number === undefined) this.warn(`getprotobyname() cannot find protocol \`${name}' in /etc/protocols`);
          else protocols.push(number);
        });
        f.protocol = { logic, protocols };
      } else if (this.isKeyword(item, "Address")) {
        const entries = f.address?.entries ?? [];
        this.block((a) => {
          this.next();
          if (!this.isKeyword(a, "IPv4_address", "IPv6_address")) this.syntaxError(a);
          const v4 = a.text === "IPv4_address";
          const text = this.value("ip").text;
          const slash = text.indexOf("/");
          const address = slash < 0 ? text : text.slice(0, slash);
          const max = v4 ? 32 : 128;
          const prefix = slash < 0 ? max : atoi(text.slice(slash + 1));
          if (prefix > max) {
            this.warn(`${address}/${prefix} is not a valid network, ignoring`);
            return;
          }
          if (v4 ? !isIPv4(address) : !isIPv6(address)) {
            this.warn(`${address} is not a valid IPv${v4 ? 4 : 6}, ignoring`);
            return;
          }
          entries.push({ family: v4 ? 4 : 6, address, prefix });
        });
        f.address = { logic, entries };
      } else if (this.isKeyword(item, "State")) {
        const states = f.state?.states ?? [];
        this.block(() => {
          // filter_state_item: tcp_states `for` TCP
          for (;;) {
            const s = this.next();
            if (s.kind === "keyword" && TCP_STATES[s.text] !== undefined) {
              states.push(TCP_STATES[s.text]!);
              continue;
            }
            if (this.isKeyword(s, "for")) break;
            this.syntaxError(s);
          }
          this.keyword("TCP");
        });
        f.state = { logic, states };
      } else this.syntaxError(item);
    });
    return f;
  }

  // Sync { }.

  private sync(): void {
    const start = this.next();
    this.block((t) => this.syncLine(t, false));
    if (this.c.kind === "stats") throw new ConfigError("cannot use both `Stats' and `Sync' clauses in conntrackd.conf");
    void start;
    this.c.kind = "sync";
  }

  /** refreshtime/expiretime/timeout/purge: shared by Sync and the Mode blocks. */
  private timer(t: Token, allowed: readonly string[]): boolean {
    if (!this.isKeyword(t, ...allowed)) return false;
    this.next();
    const n = this.number();
    switch (t.text) {
      case "RefreshTime": this.c.refreshTime = n; break;
      case "CacheTimeout": this.c.cacheTimeout = n; break;
      case "CommitTimeout": this.c.commitTimeout = n; break;
      case "PurgeTimeout": this.c.purgeTimeout = n; break;
    }
    return true;
  }

  private syncLine(t: Token, _nested: boolean): void {
    if (this.timer(t, ["RefreshTime", "CacheTimeout", "CommitTimeout", "PurgeTimeout"])) return;
    if (this.isKeyword(t, "Multicast")) return this.channelBlock("mcast");
    if (this.isKeyword(t, "UDP")) return this.channelBlock("udp");
    if (this.isKeyword(t, "TCP")) return this.channelBlock("tcp");
    if (this.isKeyword(t, "Mode")) return this.syncMode();
    if (this.isKeyword(t, "Options")) {
      this.next();
      this.block((o) => {
        this.next();
        if (this.isKeyword(o, "TCPWindowTracking")) this.c.sync.tcpWindowTracking = this.onOff();
        else if (this.isKeyword(o, "ExpectationSync")) {
          const v = this.peek();
          if (v.kind === "off") {
            this.next();
            return;
          }
          this.unsupported(o, "expectation sync (ExpectationSync) is not supported by tsconntrackd");
        } else this.syntaxError(o);
      });
      return;
    }
    this.syntaxError(t);
  }

  private syncMode(): void {
    this.next();
    const m = this.value("mode");
    if (m.deprecated === "persistent") this.warn("Now `persistent' mode is called `alarm'. Please, update your conntrackd.conf file.");
    if (m.deprecated === "nack") this.warn("Now `nack' mode is called `ftfw'. Please, update your conntrackd.conf file.\n");
    const mode = m.mode!;
    const s = this.c.sync;
    this.block((t) => {
      if (mode === "alarm") {
        if (this.timer(t, ["RefreshTime", "CacheTimeout", "CommitTimeout", "PurgeTimeout"])) return;
        this.syntaxError(t);
      }
      if (this.timer(t, ["CommitTimeout", "PurgeTimeout"])) return;
      this.next();
      const name = t.kind === "keyword" ? t.text : "";
      if (mode === "ftfw" && name === "ResendQueueSize") this.c.resendQueueSize = this.number();
      else if (mode === "ftfw" && name === "ACKWindowSize") this.c.windowSize = this.number();
      else if (mode === "notrack" && name === "DisableInternalCache") s.disableInternalCache = this.onOff();
      else if (name === "DisableExternalCache") s.disableExternalCache = this.onOff();
      else if (name === "StartupResync") s.startupResync = this.onOff();
      else this.syntaxError(t);
    });
    // The last Mode block sets the mode bit; 1.4.7 ORs them and takes FTFW over ALARM over NOTRACK.
    const order: Record<string, number> = { ftfw: 3, alarm: 2, notrack: 1 };
    if (s.mode === undefined || order[mode]! > order[s.mode]!) s.mode = mode;
  }

  private channelBlock(type: ChannelType): void {
    const start = this.next();
    let isDefault = false;
    if (this.isKeyword(this.peek(), "Default")) {
      this.next();
      isDefault = true;
    }
    const name = type === "mcast" ? "Multicast" : type === "tcp" ? "TCP" : "UDP";
    // Options fill conf.channel[channel_num] before the block is known to be complete.
    const channel = newChannel(start.line, type, isDefault);
    this.channel = channel;
    this.block((t) => this.channelOption(t, type));
    this.channel = undefined;
    if (this.channelType !== undefined && this.channelType !== type) {
      throw new ConfigError(`cannot use \`${name}' with other dedicated link protocols!`);
    }
    this.channelType = type;
    this.c.sync.channels.push(channel);
  }

  private maxLinks(): void {
    if (this.c.sync.channels.length >= MULTICHANNEL_MAX) {
      throw new ConfigError(`too many dedicated links in the configuration file (Maximum: ${MULTICHANNEL_MAX})`);
    }
  }

  private channelOption(t: Token, type: ChannelType): void {
    const ch = this.channel!;
    this.next();
    const name = t.kind === "keyword" ? t.text : "";
    const mcast = type === "mcast";
    switch (name) {
      case "IPv4_address": case "IPv4_Destination_Address": case "IPv4_interface": {
        if (name === "IPv4_Destination_Address" && mcast) this.syntaxError(t);
        if (name === "IPv4_interface" && !mcast) this.syntaxError(t);
        this.maxLinks();
        const ip = this.value("ip").text;
        if (!isIPv4(ip)) {
          this.warn(`${ip} is not a valid IPv4 address`);
          return;
        }
        if (name === "IPv4_address") ch.address = ip;
        else if (name === "IPv4_Destination_Address") ch.destination = ip;
        else ch.interfaceAddress = ip;
        ch.family = 4;
        return;
      }
      case "IPv6_address": case "IPv6_Destination_Address": {
        if (name === "IPv6_Destination_Address" && mcast) this.syntaxError(t);
        const ip = this.value("ip").text;
        this.maxLinks();
        if (!isIPv6(ip)) {
          this.warn(`${ip} is not a valid IPv6 address`);
          return;
        }
        if (name === "IPv6_address") ch.address = ip;
        else ch.destination = ip;
        ch.family = 6;
        return;
      }
      case "IPv6_interface":
        if (!mcast) this.syntaxError(t);
        this.value("ip");
        this.warn("`IPv6_interface' not required, ignoring");
        return;
      case "Interface": {
        this.maxLinks();
        const ifname = this.value("string").text;
        ch.interface = ifname.slice(0, 16);
        if (!this.interfaceExists(ifname)) this.warn(`${ifname} is an invalid interface`);
        return;
      }
      case "Port": case "Group":
        if ((name === "Group") !== mcast) this.syntaxError(t);
        this.maxLinks();
        ch.port = this.number();
        return;
      case "SndSocketBuffer": this.maxLinks(); ch.sndBuffer = this.number(); return;
      case "RcvSocketBuffer": this.maxLinks(); ch.rcvBuffer = this.number(); return;
      case "Checksum": this.maxLinks(); ch.checksum = this.onOff(); return;
      case "ErrorQueueLength":
        if (type !== "tcp") this.syntaxError(t);
        this.maxLinks();
        ch.errorQueueLength = this.number();
        return;
      default: this.syntaxError(t);
    }
  }

  // Stats { }.

  private stats(): void {
    this.next();
    const s = this.c.stats;
    this.block((t) => {
      this.next();
      if (this.isKeyword(t, "LogFile")) s.logFile = this.logFile(s.logFile, DEFAULT_STATS_LOGFILE, "stats LogFile");
      else if (this.isKeyword(t, "Syslog")) s.syslogFacility = this.syslog(s.syslogFacility, this.c.general.syslogFacility, ".");
      else this.syntaxError(t);
    });
    if (this.c.kind === "sync") throw new ConfigError("cannot use both `Stats' and `Sync' clauses in conntrackd.conf");
    this.c.kind = "stats";
  }
}

/** atoi(3): leading digits, saturating like glibc's strtol into an int. */
function atoi(text: string): number {
  const n = Number.parseInt(text, 10);
  if (Number.isNaN(n)) return 0;
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/** Parses conntrackd.conf text. Throws ConfigError. */
export function parseConfig(text: string, options: ParseOptions = {}): DaemonConfig {
  return new Parser(tokenize(text), options.protocols ?? etcProtocols, options.interfaceExists ?? (() => true)).parse();
}
