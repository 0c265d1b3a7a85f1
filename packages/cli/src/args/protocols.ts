// conntrack 1.4.7's layer-4 protocol extensions as data: the long options each one adds after `-p`, what
// each option sets, the per-command option matrix, and the messages of its final check.

import { atoi, strtoulAs, toUnsigned } from "./c-numbers.js";
import type { L4Options, ProtoHandlerName } from "./types.js";

/** What one protocol option code writes. */
export type L4Action =
  | { readonly kind: "port"; readonly field: PortField } // atoi, stored as u16
  | { readonly kind: "key"; readonly field: PortField } // strtoul base 0, stored as u16 (GRE)
  | { readonly kind: "u8"; readonly field: "icmpType" | "icmpCode" } // atoi, stored as u8
  | { readonly kind: "u16"; readonly field: "icmpId" } // atoi, stored as u16
  | { readonly kind: "vtag"; readonly field: "origVtag" | "replyVtag" } // atoi, stored as u32
  | { readonly kind: "state" }
  | { readonly kind: "role" };

type PortField =
  | "origSport" | "origDport" | "replySport" | "replyDport" | "maskSport" | "maskDport" | "tupleSport" | "tupleDport";

export interface ProtoOption {
  readonly name: string;
  /** The code the extension's parser switches on (before conntrack adds its merge offset). */
  readonly code: number;
}

export interface ProtoHandler {
  readonly name: ProtoHandlerName;
  readonly protonum: number;
  /** Long options in the extension's table order (this order decides prefix matches). */
  readonly options: readonly ProtoOption[];
  /** code → [flag bit, action]. */
  readonly actions: ReadonlyMap<number, readonly [number, L4Action]>;
  /** Flag names by bit, used in "Illegal option" / "You need to supply" messages. */
  readonly flagNames: readonly string[];
  /** Number of flag columns the final check scans. */
  readonly columns: number;
  /** Matrix rows by command bit (missing rows are all 0). Digits: 0 illegal, 1 required, 2 optional, 3 pair. */
  readonly rows: Readonly<Partial<Record<number, string>>>;
  /** The "you have to specify" texts for a missing orig pair / reply pair; null when there is no pair check. */
  readonly pairMessages: readonly [string, string] | null;
  /** Named states for `--state` (index = kernel value) and the unknown-state message prefix. */
  readonly states?: { readonly names: readonly string[]; readonly unknown: string; readonly aliases?: Readonly<Record<string, number>> };
}

const ch = (c: string): number => c.charCodeAt(0);

// Command bits (conntrack's enum ct_command).
export const CMD_BIT = {
  list: 0, create: 1, update: 2, delete: 3, get: 4, flush: 5, event: 6, version: 7, help: 8,
  expList: 9, expCreate: 10, expDelete: 11, expGet: 12, expFlush: 13, expEvent: 14,
  count: 15, expCount: 16, stats: 17, expStats: 18, add: 19, none: 20,
} as const;

const PORT_ACTIONS = (kind: "port" | "key"): [number, L4Action][] => [
  [0, { kind, field: "origSport" }], [1, { kind, field: "origDport" }],
  [2, { kind, field: "replySport" }], [3, { kind, field: "replyDport" }],
  [4, { kind, field: "maskSport" }], [5, { kind, field: "maskDport" }],
];

const PORT_OPTION_NAMES = [
  "orig-port-src", "orig-port-dst", "reply-port-src", "reply-port-dst", "mask-port-src", "mask-port-dst",
];

const PORT_PAIR_MESSAGES: readonly [string, string] = [
  "you have to specify `--sport' and `--dport'",
  "you have to specify `--reply-src-port' and `--reply-dst-port'",
];

const TCP_STATES = [
  "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
];
const SCTP_STATES = [
  "NONE", "CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_SENT", "SHUTDOWN_RECD", "SHUTDOWN_ACK_SENT",
];
const DCCP_STATES = [
  "NONE", "REQUEST", "RESPOND", "PARTOPEN", "OPEN", "CLOSEREQ", "CLOSING", "TIMEWAIT", "IGNORE", "INVALID",
];

function actionsFor(codes: readonly number[], actions: readonly (readonly [number, L4Action])[]): Map<number, readonly [number, L4Action]> {
  return new Map(codes.map((code, index) => [code, actions[index]!] as const));
}

const digits = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => ch(String(from + i)));
const small = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

const tcp: ProtoHandler = {
  name: "tcp",
  protonum: 6,
  options: [
    { name: "orig-port-src", code: ch("1") }, { name: "sport", code: ch("1") },
    { name: "orig-port-dst", code: ch("2") }, { name: "dport", code: ch("2") },
    { name: "reply-port-src", code: ch("3") }, { name: "reply-port-dst", code: ch("4") },
    { name: "mask-port-src", code: ch("5") }, { name: "mask-port-dst", code: ch("6") },
    { name: "state", code: ch("7") },
    { name: "tuple-port-src", code: ch("8") }, { name: "tuple-port-dst", code: ch("9") },
  ],
  actions: actionsFor(digits(1, 9), [
    ...PORT_ACTIONS("port"),
    [6, { kind: "state" }],
    [7, { kind: "port", field: "tupleSport" }], [8, { kind: "port", field: "tupleDport" }],
  ]),
  flagNames: ["sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src", "mask-port-dst", "state", "tuple-port-src", "tuple-port-dst"],
  columns: 10,
  rows: {
    [CMD_BIT.list]: "222200200", [CMD_BIT.create]: "333300100", [CMD_BIT.update]: "222200200",
    [CMD_BIT.delete]: "222200200", [CMD_BIT.get]: "333300200", [CMD_BIT.event]: "222200200",
    [CMD_BIT.expCreate]: "110011011", [CMD_BIT.expDelete]: "111100000", [CMD_BIT.expGet]: "111100000",
    [CMD_BIT.add]: "333300100",
  },
  pairMessages: PORT_PAIR_MESSAGES,
  states: { names: TCP_STATES, unknown: "unknown TCP state", aliases: { LISTEN: 9 } },
};

const UDP_ROWS = {
  [CMD_BIT.list]: "22220000", [CMD_BIT.create]: "33330000", [CMD_BIT.update]: "22220000",
  [CMD_BIT.delete]: "22220000", [CMD_BIT.get]: "33330000", [CMD_BIT.event]: "22220000",
  [CMD_BIT.expCreate]: "11001111", [CMD_BIT.expDelete]: "11110000", [CMD_BIT.expGet]: "11110000",
  [CMD_BIT.add]: "33330000",
};
const UDP_ACTIONS: readonly (readonly [number, L4Action])[] = [
  ...PORT_ACTIONS("port"),
  [6, { kind: "port", field: "tupleSport" }], [7, { kind: "port", field: "tupleDport" }],
];
const UDP_FLAGS = ["sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src", "mask-port-dst", "tuple-port-src", "tuple-port-dst"];

const udp: ProtoHandler = {
  name: "udp",
  protonum: 17,
  options: [
    { name: "orig-port-src", code: ch("1") }, { name: "sport", code: ch("1") },
    { name: "orig-port-dst", code: ch("2") }, { name: "dport", code: ch("2") },
    { name: "reply-port-src", code: ch("3") }, { name: "reply-port-dst", code: ch("4") },
    { name: "mask-port-src", code: ch("5") }, { name: "mask-port-dst", code: ch("6") },
    { name: "tuple-port-src", code: ch("7") }, { name: "tuple-port-dst", code: ch("8") },
  ],
  actions: actionsFor(digits(1, 8), UDP_ACTIONS),
  flagNames: UDP_FLAGS,
  columns: 9,
  rows: UDP_ROWS,
  pairMessages: PORT_PAIR_MESSAGES,
};

const udplite: ProtoHandler = {
  ...udp,
  name: "udplite",
  protonum: 136,
  options: [
    ...PORT_OPTION_NAMES.map((name, i) => ({ name, code: ch(String(i + 1)) })),
    { name: "tuple-port-src", code: ch("7") }, { name: "tuple-port-dst", code: ch("8") },
    { name: "sport", code: ch("1") }, { name: "dport", code: ch("2") },
  ],
  columns: 11,
};

const sctp: ProtoHandler = {
  name: "sctp",
  protonum: 132,
  options: [
    ...PORT_OPTION_NAMES.map((name, i) => ({ name, code: i + 1 })),
    { name: "state", code: 7 }, { name: "tuple-port-src", code: 8 }, { name: "tuple-port-dst", code: 9 },
    { name: "orig-vtag", code: 10 }, { name: "reply-vtag", code: 11 },
    { name: "sport", code: 1 }, { name: "dport", code: 2 },
  ],
  actions: actionsFor(small(1, 11), [
    ...PORT_ACTIONS("port"),
    [6, { kind: "state" }],
    [7, { kind: "port", field: "tupleSport" }], [8, { kind: "port", field: "tupleDport" }],
    [9, { kind: "vtag", field: "origVtag" }], [10, { kind: "vtag", field: "replyVtag" }],
  ]),
  flagNames: ["sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src", "mask-port-dst", "state", "tuple-port-src", "tuple-port-dst", "orig-vtag", "reply-vtag"],
  columns: 14,
  rows: {
    [CMD_BIT.list]: "22220020000", [CMD_BIT.create]: "33330010011", [CMD_BIT.update]: "22220020022",
    [CMD_BIT.delete]: "22220020000", [CMD_BIT.get]: "33330020022", [CMD_BIT.event]: "22220020000",
    [CMD_BIT.expCreate]: "11001101111", [CMD_BIT.expDelete]: "11110000000", [CMD_BIT.expGet]: "11110000000",
    [CMD_BIT.add]: "33330010011",
  },
  pairMessages: PORT_PAIR_MESSAGES,
  states: { names: SCTP_STATES, unknown: "unknown SCTP state" },
};

const dccp: ProtoHandler = {
  name: "dccp",
  protonum: 33,
  options: [
    ...PORT_OPTION_NAMES.map((name, i) => ({ name, code: i + 1 })),
    { name: "state", code: 7 }, { name: "tuple-port-src", code: 8 }, { name: "tuple-port-dst", code: 9 },
    { name: "sport", code: 1 }, { name: "dport", code: 2 }, { name: "role", code: 10 },
  ],
  actions: actionsFor(small(1, 10), [
    ...PORT_ACTIONS("port"),
    [6, { kind: "state" }],
    [7, { kind: "port", field: "tupleSport" }], [8, { kind: "port", field: "tupleDport" }],
    [9, { kind: "role" }],
  ]),
  flagNames: ["sport", "dport", "reply-port-src", "reply-port-dst", "mask-port-src", "mask-port-dst", "state", "tuple-port-src", "tuple-port-dst", "role"],
  columns: 13,
  rows: {
    [CMD_BIT.list]: "2222002000", [CMD_BIT.create]: "3333001001", [CMD_BIT.update]: "2222002000",
    [CMD_BIT.delete]: "2222002000", [CMD_BIT.get]: "3333002000", [CMD_BIT.event]: "2222002000",
    [CMD_BIT.expCreate]: "1100110111", [CMD_BIT.expDelete]: "1111000000", [CMD_BIT.expGet]: "1111000000",
    [CMD_BIT.add]: "3333001001",
  },
  pairMessages: [
    "you have to specify `--sport' and `--dport'",
    "you have to specify `--reply-port-src' and `--report-port-dst'",
  ],
  states: { names: DCCP_STATES, unknown: "Unknown DCCP state" },
};

const ICMP_ROWS = {
  [CMD_BIT.list]: "222", [CMD_BIT.create]: "112", [CMD_BIT.update]: "222", [CMD_BIT.delete]: "222",
  [CMD_BIT.get]: "112", [CMD_BIT.event]: "222", [CMD_BIT.add]: "112",
};
const ICMP_ACTIONS: readonly (readonly [number, L4Action])[] = [
  [0, { kind: "u8", field: "icmpType" }], [1, { kind: "u8", field: "icmpCode" }], [2, { kind: "u16", field: "icmpId" }],
];

const icmp: ProtoHandler = {
  name: "icmp",
  protonum: 1,
  options: [{ name: "icmp-type", code: ch("1") }, { name: "icmp-code", code: ch("2") }, { name: "icmp-id", code: ch("3") }],
  actions: actionsFor(digits(1, 3), ICMP_ACTIONS),
  flagNames: ["icmp-type", "icmp-code", "icmp-id"],
  columns: 4,
  rows: ICMP_ROWS,
  pairMessages: null,
};

const icmpv6: ProtoHandler = {
  ...icmp,
  name: "icmpv6",
  protonum: 58,
  options: [{ name: "icmpv6-type", code: ch("1") }, { name: "icmpv6-code", code: ch("2") }, { name: "icmpv6-id", code: ch("3") }],
  flagNames: ["icmpv6-type", "icmpv6-code", "icmpv6-id"],
};

const gre: ProtoHandler = {
  name: "gre",
  protonum: 47,
  options: [
    { name: "orig-key-src", code: ch("1") }, { name: "srckey", code: ch("1") },
    { name: "orig-key-dst", code: ch("2") }, { name: "dstkey", code: ch("2") },
    { name: "reply-key-src", code: ch("3") }, { name: "reply-key-dst", code: ch("4") },
    { name: "mask-key-src", code: ch("5") }, { name: "mask-key-dst", code: ch("6") },
    { name: "tuple-key-src", code: ch("7") }, { name: "tuple-key-dst", code: ch("8") },
  ],
  actions: actionsFor(digits(1, 8), [
    ...PORT_ACTIONS("key"),
    [6, { kind: "key", field: "tupleSport" }], [7, { kind: "key", field: "tupleDport" }],
  ]),
  flagNames: ["srckey", "dstkey", "reply-key-src", "reply-key-dst", "mask-key-src", "mask-key-dst", "tuple-key-src", "tuple-key-dst"],
  columns: 11,
  rows: {
    ...UDP_ROWS,
    [CMD_BIT.expCreate]: "11111111",
  },
  pairMessages: ["you have to specify `--srckey' and `--dstkey'", "you have to specify `--reply-src-key' and `--reply-dst-key'"],
};

/** Protocols without an extension: no options, nothing to check. */
export const UNKNOWN_HANDLER: ProtoHandler = {
  name: "unknown",
  protonum: 0,
  options: [],
  actions: new Map(),
  flagNames: [],
  columns: 0,
  rows: {},
  pairMessages: null,
};

/** The extensions, in the order conntrack's list holds them (lookups by number walk this order). */
export const PROTO_HANDLERS: readonly ProtoHandler[] = [gre, icmpv6, icmp, dccp, sctp, udplite, udp, tcp];

/** Applies one protocol option's argument. Returns an error message for a bad state/role, else null. */
export function applyL4Action(
  handler: ProtoHandler,
  action: L4Action,
  optarg: string,
  l4: L4Options,
): string | null {
  switch (action.kind) {
    case "port":
      l4[action.field] = toUnsigned(BigInt(atoi(optarg)), 16);
      return null;
    case "key":
      l4[action.field] = strtoulAs(optarg, 32) & 0xffff;
      return null;
    case "u8":
      l4[action.field] = toUnsigned(BigInt(atoi(optarg)), 8);
      return null;
    case "u16":
      l4[action.field] = toUnsigned(BigInt(atoi(optarg)), 16);
      return null;
    case "vtag":
      l4[action.field] = toUnsigned(BigInt(atoi(optarg)), 32);
      return null;
    case "state": {
      const states = handler.states!;
      const index = states.names.indexOf(optarg);
      const alias = states.aliases?.[optarg];
      if (index >= 0) l4.state = { name: optarg, value: index };
      if (alias !== undefined) l4.state = { name: optarg, value: alias };
      if (index < 0 && alias === undefined) return `${states.unknown} \`${optarg}'`;
      return null;
    }
    case "role": {
      const lower = optarg.toLowerCase();
      if ("client".startsWith(lower)) l4.role = { name: "client", value: 0 };
      else if ("server".startsWith(lower)) l4.role = { name: "server", value: 1 };
      else return `Unknown DCCP role \`${optarg}'`;
      return null;
    }
  }
}
