// The parser's output: a typed description of one conntrack command line. Everything here is data; the
// caller decides what to run, print and exit with.

/** conntrack's generic option flags, in the bit order of its option matrix (the names its messages use). */
export const OPTION_FLAGS = [
  "src", "dst", "reply-src", "reply-dst", "protonum", "timeout", "status", "zero", "event-mask",
  "tuple-src", "tuple-dst", "mask-src", "mask-dst", "nat-range", "mark", "id", "family", "src-nat",
  "dst-nat", "output", "secmark", "buffer-size", "any-nat", "zone", "label", "label-add", "label-del",
  "orig-zone", "reply-zone",
] as const;
export type OptionFlag = (typeof OPTION_FLAGS)[number];

export type CommandName =
  | "list" | "create" | "add" | "update" | "delete" | "get" | "flush" | "event" | "count" | "stats"
  | "version" | "help"
  /** No command at all: conntrack prints the usage text and exits 0. */
  | "usage"
  /** `-R FILE` / `--load-file FILE` as the first argument: the caller reads the file (see load-file.ts). */
  | "load-file";

export type TableName = "conntrack" | "expect" | "dying" | "unconfirmed";
export type FamilyName = "unspec" | "ipv4" | "ipv6";
export type ProtoHandlerName = "tcp" | "udp" | "udplite" | "sctp" | "dccp" | "icmp" | "icmpv6" | "gre" | "unknown";

/** A parsed address: canonical text (inet_ntop form, as the codec decodes addresses) plus raw bytes. */
export interface Address {
  readonly family: "ipv4" | "ipv6";
  readonly text: string;
  readonly bytes: Uint8Array;
}

/** An address option, possibly written in CIDR form (`-s 10.0.0.0/8`). */
export interface AddressOption extends Address {
  /** The prefix length when CIDR notation gave a real network (not /32 or /128). */
  readonly prefixLength?: number;
}

export interface NatTarget {
  /** Absent when the option had no argument (`-n` alone: "is source-NATed"). */
  readonly address?: Address;
  readonly port?: number;
}

/** `-u` as a filter and as new bits: entries match when all of `set` are set and none of `unset`. */
export interface StatusSpec {
  /** Bits named without `!` (IPS_*). For -I/-U these are the bits to set. */
  readonly set: number;
  /** Bits named with `!`, plus SEEN_REPLY for UNREPLIED. */
  readonly unset: number;
}

export interface MarkSpec {
  readonly value: number;
  readonly mask: number;
}

export interface ProtoSpec {
  /** The protocol handler conntrack picked (extension name, or "unknown"). */
  readonly handler: ProtoHandlerName;
  readonly protonum: number;
}

/** A state option: its name as written and its kernel value. */
export interface NamedValue {
  readonly name: string;
  readonly value: number;
}

/**
 * Layer-4 options given after `-p`. For GRE the *Sport/*Dport fields hold keys (`--srckey` ...), exactly
 * where conntrack stores them (the port attributes).
 */
export interface L4Options {
  origSport?: number;
  origDport?: number;
  replySport?: number;
  replyDport?: number;
  maskSport?: number;
  maskDport?: number;
  tupleSport?: number;
  tupleDport?: number;
  /** TCP, SCTP or DCCP state, per `proto.handler`. */
  state?: NamedValue;
  /** DCCP role: client = 0, server = 1. */
  role?: NamedValue;
  origVtag?: number;
  replyVtag?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
}

export interface OutputFlags {
  xml: boolean;
  extended: boolean;
  timestamp: boolean;
  id: boolean;
  ktimestamp: boolean;
  labels: boolean;
  userspace: boolean;
  save: boolean;
  /** tsconntrack extension: one JSON array. */
  json: boolean;
  /** tsconntrack extension: one JSON object per line. */
  ndjson: boolean;
}

export interface EventMask {
  readonly new: boolean;
  readonly update: boolean;
  readonly destroy: boolean;
}

/** Options that conntrack does not have. */
export interface Extensions {
  /** `--netns NAME`: run inside /run/netns/NAME. */
  readonly netns?: string;
  /** `--all-netns`: every named network namespace. */
  readonly allNetns: boolean;
  /** `--replay FILE`: answer from a recorded pcap instead of the kernel. */
  readonly replay?: string;
  /** `--record FILE` (or `--record-force FILE`): capture the netlink traffic to a new pcap, 0600. */
  readonly record?: string;
  /** `--record-force`: replace an existing regular file. */
  readonly recordOverwrite?: boolean;
  /** `--resync` (events): on ENOBUFS, re-dump the table instead of only warning. */
  readonly resync: boolean;
  /** `--labelmap PATH` (conntrack 1.4.9's option): the label map to read instead of /etc/xtables/connlabel.conf. */
  readonly labelMap?: string;
}

export interface ParsedCommand {
  readonly ok: true;
  readonly command: CommandName;
  readonly table: TableName;
  /** Effective family: conntrack's defaults applied (ipv4 for commands other than -L/-U/-D/-G/-F/-E). */
  readonly family: FamilyName;
  /** Whether `-f` or an address fixed the family (the default was not used). */
  readonly familyGiven: boolean;
  /** The generic option flags that were given. */
  readonly options: ReadonlySet<OptionFlag>;
  readonly orig: { readonly src?: AddressOption; readonly dst?: AddressOption };
  readonly reply: { readonly src?: Address; readonly dst?: Address };
  /** Expectation tuple (`--tuple-src/--tuple-dst`). */
  readonly tuple: { readonly src?: AddressOption; readonly dst?: AddressOption };
  /** Netmasks: from `--mask-src/--mask-dst`, or derived from CIDR notation (the last one given wins). */
  readonly mask: { readonly src?: Address; readonly dst?: Address };
  readonly proto?: ProtoSpec;
  readonly l4: Readonly<L4Options>;
  /** The protocol option names given (`sport`, `state`, `icmp-type`, ...). */
  readonly l4Options: ReadonlySet<string>;
  readonly timeout?: number;
  readonly status?: StatusSpec;
  readonly mark?: MarkSpec;
  readonly secmark?: number;
  readonly id?: number;
  readonly zone?: number;
  readonly origZone?: number;
  readonly replyZone?: number;
  /** `-l`: label bits that must all be set. */
  readonly labels?: readonly number[];
  readonly labelAdd?: readonly number[];
  /** `--label-del` with names, or "all" when no name was given. */
  readonly labelDel?: readonly number[] | "all";
  readonly srcNat?: NatTarget;
  readonly dstNat?: NatTarget;
  readonly anyNat?: NatTarget;
  readonly eventMask?: EventMask;
  /** `-b`: the receive buffer as the kernel reads conntrack's value (a C int; negative means its minimum). */
  readonly bufferSize?: number;
  readonly zero: boolean;
  readonly output: Readonly<OutputFlags>;
  /** `-R FILE`. */
  readonly loadFile?: string;
  readonly extensions: Extensions;
  /** Text the command prints on stdout by itself (usage, version, `-h -p` help). */
  readonly stdout: string;
  /** Warnings conntrack prints on stderr while parsing (SRC_NAT, deprecated -a, label map errors). */
  readonly stderr: string;
}

/** A command line that conntrack rejects: print `stderr` verbatim and exit with `exitCode`. */
export interface ParseFailure {
  readonly ok: false;
  readonly stderr: string;
  /** 2 = PARAMETER_PROBLEM (with the "Try ... -h" line), 1 = OTHER_PROBLEM. */
  readonly exitCode: 1 | 2;
}

export type ParseResult = ParsedCommand | ParseFailure;
