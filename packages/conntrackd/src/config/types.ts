/** What conntrackd.conf says, after parsing, with 1.4.7's defaults filled in (read_config_yy.y init_config). */

export type SyncModeName = "ftfw" | "notrack" | "alarm";
export type ChannelType = "mcast" | "udp" | "tcp";

export interface ChannelConfig {
  type: ChannelType;
  /** `Multicast Default { }` / `UDP Default { }`: the link used first. */
  isDefault: boolean;
  family: 4 | 6 | undefined;
  /** `Interface` (required: conntrackd reads the MTU from it). */
  interface: string;
  /** UDP: `IPv4_address` / `IPv6_address` (the address bound). Multicast: the group address. */
  address: string | undefined;
  /** UDP: `IPv4_Destination_Address` / `IPv6_Destination_Address`. */
  destination: string | undefined;
  /** Multicast: `IPv4_interface` (the local address that joins the group). */
  interfaceAddress: string | undefined;
  /** UDP `Port` or Multicast `Group` (the UDP port of the group). */
  port: number;
  sndBuffer: number;
  rcvBuffer: number;
  /** `Checksum on` (the default) keeps UDP checksums. */
  checksum: boolean;
  /** TCP only. */
  errorQueueLength: number | undefined;
  /** Where the block starts, for errors found after parsing. */
  line: number;
}

export type FilterLogic = "accept" | "ignore";

export interface AddressFilterEntry {
  family: 4 | 6;
  /** The address as written, with its prefix length (32/128 when none was given). */
  address: string;
  prefix: number;
}

export interface FilterConfig {
  fromKernelspace: boolean;
  protocol?: { logic: FilterLogic; protocols: number[] };
  address?: { logic: FilterLogic; entries: AddressFilterEntry[] };
  /** TCP states (ctnetlink numbers). */
  state?: { logic: FilterLogic; states: number[] };
}

export interface SyncConfig {
  mode: SyncModeName | undefined;
  channels: ChannelConfig[];
  tcpWindowTracking: boolean;
  expectationSync: boolean;
  disableInternalCache: boolean;
  disableExternalCache: boolean;
  startupResync: boolean;
}

export interface GeneralConfig {
  hashSize: number;
  hashLimit: number;
  /** "" when no log file. */
  logFile: string;
  /** -1 when syslog is off. */
  syslogFacility: number;
  lockFile: string;
  unixPath: string;
  unixBacklog: number;
  netlinkBufferSize: number;
  netlinkBufferSizeMaxGrowth: number;
  eventIterationLimit: number;
  pollSecs: number;
  netlinkOverrunResync: number;
  netlinkEventsReliable: boolean;
  nice: number | undefined;
  systemd: boolean;
  filter: FilterConfig | undefined;
}

export interface StatsConfig {
  logFile: string;
  syslogFacility: number;
}

export interface DaemonConfig {
  /** `Sync { }` or `Stats { }` (1.4.7 refuses both). */
  kind: "sync" | "stats" | undefined;
  sync: SyncConfig;
  general: GeneralConfig;
  stats: StatsConfig;
  refreshTime: number;
  cacheTimeout: number;
  /** 0: no CommitTimeout (timeouts travel with each flow). */
  commitTimeout: number;
  purgeTimeout: number;
  resendQueueSize: number;
  windowSize: number;
  /** Warnings 1.4.7 prints while reading the file (each already in its wording). */
  warnings: string[];
}

export const DEFAULT_LOCKFILE = "/var/lock/conntrackd.lock";
export const DEFAULT_LOGFILE = "/var/log/conntrackd.log";
export const DEFAULT_STATS_LOGFILE = "/var/log/conntrackd-stats.log";
/** LOG_DAEMON. */
export const DEFAULT_SYSLOG_FACILITY = 3 << 3;
