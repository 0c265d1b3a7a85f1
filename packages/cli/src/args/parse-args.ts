// parseArgs(): conntrack 1.4.7's do_parse() as a pure function. It walks argv with a getopt_long clone,
// applies each option the way conntrack does (same checks, same messages, same order), then runs the
// command/option matrix, the protocol's final check and the checks conntrack makes when the command
// starts (-z with filters, --mask-* without an address). Bugs that lose data, crash or mislead are
// parsed to their intended meaning instead; packages/cli/DEVIATIONS.md lists them.

import { cidrMask, parseAddressText, splitNatArgument } from "./addresses.js";
import { atol, strictU32, strtoul, strtoulAs, toUnsigned } from "./c-numbers.js";
import { ArgsError, CONNTRACK_IDENTITY, failure, isArgsError, type Identity } from "./errors.js";
import { CODE_MISSING_ARG, CODE_UNKNOWN, GETOPT_END, Getopt, type LongOption } from "./getopt.js";
import type { LabelMap, LabelMapLoad } from "./label-map.js";
import { EXT, EXTENSION_OPTIONS, FILTERED_COUNT_ROW, LONG_OPTIONS, OPTION_MATRIX, OPTSTRING, longNameOf } from "./option-table.js";
import { EVENT_BIT, OUTPUT_BIT, parseEventList, parseOutputList, parseStatusList } from "./parameter-lists.js";
import { EMPTY_PROTOCOL_DATABASE, type ProtocolDatabase } from "./protocol-db.js";
import { applyL4Action, CMD_BIT, PROTO_HANDLERS, UNKNOWN_HANDLER, type ProtoHandler } from "./protocols.js";
import { protoHelpText, usageText } from "../usage.js";
import {
  OPTION_FLAGS,
  type Address,
  type AddressOption,
  type CommandName,
  type FamilyName,
  type L4Options,
  type NatTarget,
  type OptionFlag,
  type ParsedCommand,
  type ParseResult,
  type TableName,
} from "./types.js";

export interface ParseEnv {
  /** Name in messages ("conntrack v1.4.7 (conntrack-tools): ...") and in the "Try `NAME -h'" line. */
  readonly programName?: string;
  readonly version?: string;
  readonly packageName?: string;
  /** What -V prints (without the newline); default `NAME vVERSION (PACKAGE)`, conntrack's form. */
  readonly versionLine?: string;
  /** argv[0]: shown in "Usage: ARGV0" and where conntrack's messages quote argv[0]. Default: programName. */
  readonly argv0?: string;
  /**
   * Called when conntrack would load the label map (each time until it succeeds, as conntrack retries),
   * with the `--labelmap` path when one was given.
   */
  readonly loadLabelMap?: (path?: string) => LabelMapLoad;
  /** /etc/protocols, for `-p NAME` of protocols without an extension and `-h -p NUM`. */
  readonly protocols?: ProtocolDatabase;
  /** getopt stops at the first non-option when POSIXLY_CORRECT is set. */
  readonly posixlyCorrect?: boolean;
}

const ch = (c: string): number => c.charCodeAt(0);
const FLAG_BIT = new Map<OptionFlag, number>(OPTION_FLAGS.map((flag, bit) => [flag, bit]));
const bitOf = (flag: OptionFlag): number => 1 << FLAG_BIT.get(flag)!;

const COMPARISON_FLAGS: readonly OptionFlag[] = [
  "protonum", "src", "dst", "reply-src", "reply-dst", "mark", "secmark", "status", "id", "zone", "label",
  "orig-zone", "reply-zone",
];

/** Command letters → command bit, per table (conntrack's cmd2type; -1 = not possible on expectations). */
const COMMAND_LETTERS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [ch("L"), [CMD_BIT.list, CMD_BIT.expList]],
  [ch("I"), [CMD_BIT.create, CMD_BIT.expCreate]],
  [ch("D"), [CMD_BIT.delete, CMD_BIT.expDelete]],
  [ch("G"), [CMD_BIT.get, CMD_BIT.expGet]],
  [ch("F"), [CMD_BIT.flush, CMD_BIT.expFlush]],
  [ch("E"), [CMD_BIT.event, CMD_BIT.expEvent]],
  [ch("V"), [CMD_BIT.version, CMD_BIT.version]],
  [ch("h"), [CMD_BIT.help, CMD_BIT.help]],
  [ch("C"), [CMD_BIT.count, CMD_BIT.expCount]],
  [ch("S"), [CMD_BIT.stats, CMD_BIT.expStats]],
  [ch("U"), [CMD_BIT.update, -1]],
  [ch("A"), [CMD_BIT.add, -1]],
]);

const COMMAND_NAMES: Readonly<Record<number, CommandName>> = {
  [CMD_BIT.list]: "list", [CMD_BIT.create]: "create", [CMD_BIT.update]: "update", [CMD_BIT.delete]: "delete",
  [CMD_BIT.get]: "get", [CMD_BIT.flush]: "flush", [CMD_BIT.event]: "event", [CMD_BIT.version]: "version",
  [CMD_BIT.help]: "help", [CMD_BIT.expList]: "list", [CMD_BIT.expCreate]: "create", [CMD_BIT.expDelete]: "delete",
  [CMD_BIT.expGet]: "get", [CMD_BIT.expFlush]: "flush", [CMD_BIT.expEvent]: "event", [CMD_BIT.count]: "count",
  [CMD_BIT.expCount]: "count", [CMD_BIT.stats]: "stats", [CMD_BIT.expStats]: "stats", [CMD_BIT.add]: "add",
  [CMD_BIT.none]: "usage",
};

const TABLES: readonly TableName[] = ["expect", "conntrack", "dying", "unconfirmed"];

/** Commands whose family stays AF_UNSPEC when none is given; every other command defaults to IPv4. */
const UNSPEC_FAMILY_COMMANDS = new Set<number>([
  CMD_BIT.list, CMD_BIT.update, CMD_BIT.delete, CMD_BIT.get, CMD_BIT.flush, CMD_BIT.event,
]);

/** Which address option fills which slot, which CIDR mask it implies, and its family attribute. */
const ADDRESS_OPTIONS: ReadonlyMap<number, { flag: OptionFlag; maskFlag: OptionFlag | null }> = new Map([
  [ch("s"), { flag: "src", maskFlag: "mask-src" }],
  [ch("d"), { flag: "dst", maskFlag: "mask-dst" }],
  [ch("r"), { flag: "reply-src", maskFlag: null }],
  [ch("q"), { flag: "reply-dst", maskFlag: null }],
  [ch("["), { flag: "tuple-src", maskFlag: "mask-src" }],
  [ch("]"), { flag: "tuple-dst", maskFlag: "mask-dst" }],
  [ch("{"), { flag: "mask-src", maskFlag: null }],
  [ch("}"), { flag: "mask-dst", maskFlag: null }],
  [ch("n"), { flag: "src-nat", maskFlag: null }],
  [ch("g"), { flag: "dst-nat", maskFlag: null }],
  [ch("j"), { flag: "any-nat", maskFlag: null }],
]);

const NUMERIC_OPTIONS: ReadonlyMap<number, OptionFlag> = new Map([
  [ch("w"), "zone"], [ch("("), "orig-zone"], [ch(")"), "reply-zone"], [ch("i"), "id"], [ch("c"), "secmark"],
]);

const LABEL_OPTIONS: ReadonlyMap<number, OptionFlag> = new Map([
  [ch("l"), "label"], [ch("<"), "label-add"], [ch(">"), "label-del"],
]);

interface MergedProto {
  readonly handler: ProtoHandler;
  readonly offset: number;
}

/** Mutable state of one parse (conntrack's locals and template objects). */
class ParseState {
  stderr = "";
  commandBit = -1;
  table: TableName = "conntrack";
  options = 0;
  family: FamilyName = "unspec";
  longOptions: LongOption[] = [...LONG_OPTIONS];
  mergeOffset = 0;
  proto: MergedProto | null = null;
  protonum = 0;
  l4: L4Options = {};
  l4Flags = 0;
  orig: { src?: AddressOption; dst?: AddressOption } = {};
  reply: { src?: Address; dst?: Address } = {};
  tuple: { src?: AddressOption; dst?: AddressOption } = {};
  mask: { src?: Address; dst?: Address } = {};
  nat: { src?: NatTarget; dst?: NatTarget; any?: NatTarget } = {};
  timeout?: number;
  status?: { set: number; unset: number };
  mark?: { value: number; mask: number };
  numbers: Partial<Record<OptionFlag, number>> = {};
  labels?: Set<number>;
  labelAdd?: Set<number>;
  labelDel?: Set<number>;
  eventMask?: number;
  outputMask = 0;
  bufferSize?: number;
  labelMap: LabelMap | null = null;
  netns?: string;
  allNetns = false;
  replay?: string;
  record?: string;
  recordOverwrite = false;
  resync = false;
  labelMapPath?: string;

  has(flag: OptionFlag): boolean {
    return (this.options & bitOf(flag)) !== 0;
  }
  set(flag: OptionFlag): void {
    this.options |= bitOf(flag);
  }
}

export function parseArgs(args: readonly string[], env: ParseEnv = {}): ParseResult {
  const identity: Identity = {
    programName: env.programName ?? CONNTRACK_IDENTITY.programName,
    version: env.version ?? CONNTRACK_IDENTITY.version,
    packageName: env.packageName ?? CONNTRACK_IDENTITY.packageName,
  };
  const state = new ParseState();
  try {
    if (args.length >= 2 && (args[0] === "-R" || args[0] === "--load-file")) {
      return loadFileCommand(args, env, identity, state);
    }
    return new Parser(args, env, identity, state).run();
  } catch (error) {
    if (isArgsError(error)) return failure(error.message, error.exitCode, identity, state.stderr);
    throw error;
  }
}

class Parser {
  private readonly argv: string[];
  private readonly getopt: Getopt;
  private readonly protocols: ProtocolDatabase;

  private readonly env: ParseEnv;
  private readonly identity: Identity;
  private readonly state: ParseState;

  constructor(args: readonly string[], env: ParseEnv, identity: Identity, state: ParseState) {
    this.env = env;
    this.identity = identity;
    this.state = state;
    this.argv = [env.argv0 ?? identity.programName, ...args];
    this.getopt = new Getopt(this.argv, OPTSTRING, state.longOptions, EXTENSION_OPTIONS, env.posixlyCorrect ?? false);
    this.protocols = env.protocols ?? EMPTY_PROTOCOL_DATABASE;
    // The map loads when the first label option is parsed (1.4.7's timing), so its path must be known
    // before that wherever --labelmap stands (1.4.9 reads labels after all arguments).
    const labelMapPath = findLabelMapPath(args);
    if (labelMapPath !== undefined) state.labelMapPath = labelMapPath;
  }

  run(): ParsedCommand {
    for (;;) {
      const { code, optarg } = this.getopt.next();
      if (code === GETOPT_END) break;
      this.option(code, optarg);
    }
    return this.finish();
  }

  /** argv[optind - 1], the word conntrack quotes in "unknown option" and "requires an argument". */
  private lastWord(): string {
    return this.argv[this.getopt.optind - 1]!;
  }

  /**
   * An optional argument: attached (`-n1.2.3.4`, `--label-del=x`), else the next word unless it starts with
   * '-' or '!'. 1.4.7 drops attached arguments; we keep them (DEVIATIONS.md).
   */
  private optionalArgument(optarg: string | null): string | null {
    if (optarg !== null) return optarg;
    const next = this.argv[this.getopt.optind];
    if (next !== undefined && !next.startsWith("-") && !next.startsWith("!")) {
      this.getopt.optind++;
      return next;
    }
    return null;
  }

  private option(code: number, optarg: string | null): void {
    const state = this.state;
    const commands = COMMAND_LETTERS.get(code);
    if (commands !== undefined) return this.command(code, optarg, commands);
    const address = ADDRESS_OPTIONS.get(code);
    if (address !== undefined && code !== ch("n") && code !== ch("g") && code !== ch("j")) {
      return this.addressOption(code, optarg!);
    }
    const numeric = NUMERIC_OPTIONS.get(code);
    if (numeric === "id") {
      // 1.4.7 takes strtoul's value modulo 2^32, so `--id abc` is 0 and a typo deletes another entry.
      const id = strictU32(optarg!);
      if (id === undefined) throw new ArgsError(`Bad parameter \`${optarg}'`, 2);
      state.set(numeric);
      state.numbers[numeric] = id;
      return;
    }
    if (numeric !== undefined) {
      state.set(numeric);
      state.numbers[numeric] = strtoulAs(optarg!, numeric === "secmark" ? 32 : 16);
      return;
    }
    const label = LABEL_OPTIONS.get(code);
    if (label !== undefined) return this.labelOption(label, optarg);
    const warn = (line: string): void => void (state.stderr += line);
    switch (code) {
      case ch("n"):
      case ch("g"):
      case ch("j"):
        return this.natOption(code, optarg);
      case ch("p"):
        return this.protoOption(optarg!);
      case ch("t"):
        state.set("timeout");
        state.timeout = toUnsigned(atol(optarg!), 32);
        return;
      case ch("u"): {
        state.set("status");
        const parsed = parseStatusList(optarg!, warn);
        state.status = {
          set: (state.status?.set ?? 0) | parsed.set,
          unset: (state.status?.unset ?? 0) | parsed.unset,
        };
        return;
      }
      case ch("e"):
        state.set("event-mask");
        state.eventMask = (state.eventMask ?? 0) | parseEventList(optarg!, warn);
        return;
      case ch("o"):
        return this.outputOption(optarg!, warn);
      case ch("z"):
        state.set("zero");
        return;
      case ch("m"): {
        state.set("mark");
        const value = strtoul(optarg!, 0);
        const mask = optarg![value.end] === "/" ? strtoul(optarg!.slice(value.end + 1), 0).value : 0xffffffffn;
        state.mark = { value: toUnsigned(value.value, 32), mask: toUnsigned(mask, 32) };
        return;
      }
      case ch("a"):
        state.stderr += "WARNING: ignoring -a, deprecated option.\n";
        return;
      case ch("f"):
        state.set("family");
        if (optarg!.startsWith("ipv4")) return this.setFamily("ipv4");
        if (optarg!.startsWith("ipv6")) return this.setFamily("ipv6");
        throw new ArgsError(`\`${optarg}' unsupported protocol`, 2);
      case ch("b"):
        state.set("buffer-size");
        // conntrack hands setsockopt a size_t; the kernel reads the int in its low 32 bits.
        state.bufferSize = Number(BigInt.asIntN(32, atol(optarg!)));
        return;
      case CODE_MISSING_ARG:
        throw new ArgsError(`option \`${this.lastWord()}' requires an argument`, 2);
      case CODE_UNKNOWN:
        throw new ArgsError(`unknown option \`${this.lastWord()}'`, 2);
      case EXT.netns:
        state.netns = optarg!;
        return;
      case EXT.allNetns:
        state.allNetns = true;
        return;
      case EXT.replay:
        state.replay = optarg!;
        return;
      case EXT.record:
      case EXT.recordForce:
        state.record = optarg!;
        state.recordOverwrite = code === EXT.recordForce;
        return;
      case EXT.resync:
        state.resync = true;
        return;
      case EXT.labelMap:
        state.labelMapPath = optarg!;
        return;
      default:
        return this.protoSpecificOption(code, optarg!);
    }
  }

  private command(code: number, optarg: string | null, bits: readonly [number, number]): void {
    const state = this.state;
    const table = this.tableArgument(optarg);
    let bit: number;
    if (code === ch("L")) {
      bit = table === "expect" ? bits[1] : bits[0];
    } else {
      if (table === "dying" || table === "unconfirmed") {
        throw new ArgsError("Can't do that command with tables `dying' and `unconfirmed'", 2);
      }
      bit = table === "expect" ? bits[1] : bits[0];
      if (bit < 0) {
        throw new ArgsError(`Can't do --${longNameOf(code)} on ${table === "conntrack" ? "conntrack" : "expectations"}`, 2);
      }
    }
    if (state.commandBit >= 0) throw new ArgsError("Invalid commands combination", 2);
    state.commandBit = bit;
    state.table = table;
  }

  /**
   * check_type(): the table from the next word (or, in our version, an attached argument that names a
   * table; 1.4.7 ignores attached arguments, so `-Dexpect` deleted conntrack entries).
   */
  private tableArgument(optarg: string | null): TableName {
    let word: string | null;
    if (optarg !== null) {
      word = optarg !== "" && TABLES.some((table) => table.startsWith(optarg)) ? optarg : null;
    } else {
      word = this.optionalArgument(null);
    }
    if (word === null) return "conntrack";
    const table = TABLES.find((name) => name.startsWith(word));
    if (table === undefined) throw new ArgsError(`unknown type \`${word}'`, 2);
    return table;
  }

  private setFamily(family: "ipv4" | "ipv6"): void {
    if (this.state.family === "unspec") this.state.family = family;
    else if (this.state.family !== family) throw new ArgsError("mismatched address family", 2);
  }

  /** nfct_parse_addr_from_opt(): address, family, CIDR checks in conntrack's order. */
  private parseAddress(code: number, arg: string): { address: Address; mask: Address | null; prefix: number } {
    const { flag, maskFlag } = ADDRESS_OPTIONS.get(code)!;
    const parsed = parseAddressText(arg);
    if (parsed.address === null) throw new ArgsError(`Invalid IP address \`${arg}'`, 2);
    this.setFamily(parsed.address.family);
    if (parsed.prefix !== -1 && maskFlag === null) {
      throw new ArgsError(`CIDR notation unavailable for \`--${longNameOf(code)}'`, 2);
    }
    if (parsed.prefix === -2) throw new ArgsError("Invalid netmask", 2);
    this.state.set(flag);
    const mask = maskFlag === null ? null : cidrMask(parsed.address, parsed.prefix);
    if (mask !== null) this.state.set(maskFlag!);
    return { address: parsed.address, mask, prefix: parsed.prefix };
  }

  private addressOption(code: number, arg: string): void {
    const state = this.state;
    const { address, mask, prefix } = this.parseAddress(code, arg);
    const withPrefix: AddressOption = mask === null ? address : { ...address, prefixLength: prefix };
    switch (String.fromCharCode(code)) {
      case "s": state.orig.src = withPrefix; break;
      case "d": state.orig.dst = withPrefix; break;
      case "r": state.reply.src = address; break;
      case "q": state.reply.dst = address; break;
      case "[": state.tuple.src = withPrefix; break;
      case "]": state.tuple.dst = withPrefix; break;
      case "{": state.mask.src = address; break;
      case "}": state.mask.dst = address; break;
    }
    if (mask !== null) {
      if (code === ch("s") || code === ch("[")) state.mask.src = mask;
      else state.mask.dst = mask;
    }
  }

  private natOption(code: number, optarg: string | null): void {
    const state = this.state;
    const flag = ADDRESS_OPTIONS.get(code)!.flag;
    state.set(flag);
    const arg = this.optionalArgument(optarg);
    let target: NatTarget = {};
    if (arg !== null) {
      const split = splitNatArgument(arg);
      const { address } = this.parseAddress(code, split.address);
      target = split.port === undefined ? { address } : { address, port: Number(split.port) };
    }
    if (code === ch("n")) state.nat.src = target;
    else if (code === ch("g")) state.nat.dst = target;
    else state.nat.any = target;
  }

  private protoOption(name: string): void {
    const state = this.state;
    state.set("protonum");
    const found = this.findProto(name);
    if (found === null) throw new ArgsError(`\`${name}' unsupported protocol`, 2);
    state.mergeOffset += 256;
    for (const option of found.handler.options) {
      state.longOptions.push({ name: option.name, hasArg: 1, val: state.mergeOffset + option.code });
    }
    state.proto = { handler: found.handler, offset: state.mergeOffset };
    state.protonum = found.protonum;
  }

  /** findproto(): extension name (any case), then /etc/protocols, then a number 0..255. */
  private findProto(name: string): { handler: ProtoHandler; protonum: number } | null {
    const lower = name.toLowerCase();
    const byExtension = PROTO_HANDLERS.find((handler) => handler.name === lower);
    if (byExtension !== undefined) return { handler: byExtension, protonum: byExtension.protonum };
    const byName = this.protocols.byName(name);
    if (byName !== undefined) return { handler: UNKNOWN_HANDLER, protonum: byName };
    const { value, end } = strtoul(name, 0);
    if (value > 255n || end === 0 || end !== name.length) return null;
    const protonum = Number(value);
    const handler = PROTO_HANDLERS.find((candidate) => candidate.protonum === protonum) ?? UNKNOWN_HANDLER;
    return { handler, protonum };
  }

  /**
   * An option merged in by -p. conntrack hands `code - offset of the LAST -p` to the last protocol's parser
   * as a char; after `-p tcp -p udp`, tcp's --sport arrives at udp's parser as its own '1'.
   */
  private protoSpecificOption(code: number, optarg: string): void {
    const state = this.state;
    const merged = state.proto;
    if (merged === null || merged.handler === UNKNOWN_HANDLER) return;
    const local = (((code - merged.offset) % 256) + 256) % 256;
    const entry = merged.handler.actions.get(local);
    if (entry === undefined) return;
    const [bit, action] = entry;
    const error = applyL4Action(merged.handler, action, optarg, state.l4);
    if (error !== null) throw new ArgsError(error, 2);
    state.l4Flags |= 1 << bit;
  }

  private outputOption(arg: string, warn: (line: string) => void): void {
    const state = this.state;
    state.set("output");
    state.outputMask |= parseOutputList(arg, warn);
    if (state.outputMask & OUTPUT_BIT.labels) this.loadLabelMap();
    const others = OUTPUT_BIT.extended | OUTPUT_BIT.timestamp | OUTPUT_BIT.id | OUTPUT_BIT.ktimestamp | OUTPUT_BIT.labels | OUTPUT_BIT.xml;
    if (state.outputMask & OUTPUT_BIT.save && state.outputMask & others) {
      throw new ArgsError("cannot combine save output with any other output type, use -o save only", 1);
    }
    const formats = [OUTPUT_BIT.json, OUTPUT_BIT.ndjson, OUTPUT_BIT.xml, OUTPUT_BIT.save]
      .filter((bit) => state.outputMask & bit);
    if (formats.length > 1 && (state.outputMask & (OUTPUT_BIT.json | OUTPUT_BIT.ndjson)) !== 0) {
      throw new ArgsError("cannot combine json or ndjson output with another output format", 1);
    }
  }

  /** labelmap_init(): load once; a failure prints perror() and is retried at the next label option. */
  private loadLabelMap(): void {
    const state = this.state;
    if (state.labelMap !== null) return;
    const result = this.env.loadLabelMap?.(state.labelMapPath) ?? { error: "No such file or directory" };
    if ("map" in result) state.labelMap = result.map;
    else state.stderr += `nfct_labelmap_new: ${result.error}\n`;
  }

  private labelOption(flag: OptionFlag, optarg: string | null): void {
    const state = this.state;
    state.set(flag);
    this.loadLabelMap();
    if (state.has("label-add") && state.has("label-del")) {
      throw new ArgsError("cannot use --label-add and --label-del at the same time", 1);
    }
    const text = flag === "label-del" ? this.optionalArgument(optarg) : optarg!;
    if (text === null) return; // --label-del without names: delete all labels
    const bits = text.split(",").map((name) => {
      const bit = state.labelMap?.get(name);
      if (bit === undefined) throw new ArgsError(`unknown label '${name}'`, 2);
      return bit;
    });
    const target = flag === "label" ? (state.labels ??= new Set()) : flag === "label-add" ? (state.labelAdd ??= new Set()) : (state.labelDel ??= new Set());
    for (const bit of bits) target.add(bit);
  }

  private finish(): ParsedCommand {
    const state = this.state;
    const commandBit = state.commandBit < 0 ? CMD_BIT.none : state.commandBit;
    const familyGiven = state.family !== "unspec";
    if (!familyGiven && !(state.table !== "expect" && UNSPEC_FAMILY_COMMANDS.has(commandBit))) state.family = "ipv4";
    if (state.has("any-nat") && (state.has("src-nat") || state.has("dst-nat"))) {
      throw new ArgsError("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'", 2);
    }
    const options = this.matrixOptions(commandBit);
    const filteredCount = commandBit === CMD_BIT.count && state.table === "conntrack" && options !== 0;
    // Filtered -C takes -L's filters (and protocol options); any other option is refused with 1.4.7's message.
    const rowBit = filteredCount ? CMD_BIT.list : commandBit;
    const genericRow = filteredCount ? FILTERED_COUNT_ROW : OPTION_MATRIX.get(commandBit)!;
    const genericCheck = (row: string): void =>
      checkMatrix(options, row, OPTION_FLAGS.length, OPTION_FLAGS, [
        "you have to specify `--src' and `--dst'",
        "you have to specify `--reply-src' and `--reply-dst'",
      ], [bitOf("src") | bitOf("dst"), bitOf("reply-src") | bitOf("reply-dst")]);
    try {
      genericCheck(genericRow);
      const handler = state.proto?.handler;
      if (handler !== undefined && commandBit !== CMD_BIT.help) {
        checkMatrix(state.l4Flags, handler.rows[rowBit] ?? "", handler.columns, handler.flagNames, handler.pairMessages, [0b11, 0b1100]);
      }
      this.commandTimeChecks(rowBit);
    } catch (error) {
      // A -C line the extension refuses fails as in 1.4.7, whose -C row refuses every option.
      if (filteredCount) genericCheck(OPTION_MATRIX.get(commandBit)!);
      throw error;
    }
    this.extensionChecks(commandBit);
    return this.result(commandBit, familyGiven);
  }

  /**
   * The options conntrack's matrix judges: all of them, except `-o` on -C and -S (and their expect
   * forms) when it asks only for our JSON, an extension 1.4.7 refuses with "Illegal option `--output'".
   */
  private matrixOptions(commandBit: number): number {
    const state = this.state;
    const counts = commandBit === CMD_BIT.count || commandBit === CMD_BIT.expCount || commandBit === CMD_BIT.stats || commandBit === CMD_BIT.expStats;
    const jsonOnly = state.outputMask !== 0 && (state.outputMask & ~(OUTPUT_BIT.json | OUTPUT_BIT.ndjson)) === 0;
    return counts && jsonOnly ? state.options & ~bitOf("output") : state.options;
  }

  /** What conntrack checks when the command starts (do_command_ct / nfct_filter_init). */
  private commandTimeChecks(commandBit: number): void {
    const state = this.state;
    const plainConntrackList = commandBit === CMD_BIT.list && state.table === "conntrack";
    if (plainConntrackList && state.has("zero") && COMPARISON_FLAGS.some((flag) => state.has(flag))) {
      throw new ArgsError("Can't use -z with filtering parameters", 2);
    }
    const filters = plainConntrackList || commandBit === CMD_BIT.update || commandBit === CMD_BIT.delete || commandBit === CMD_BIT.event;
    if (!filters) return;
    if (state.has("mask-src") && !state.has("src")) throw new ArgsError("Can't use --mask-src without --src", 2);
    if (state.has("mask-dst") && !state.has("dst")) throw new ArgsError("Can't use --mask-dst without --dst", 2);
  }

  private extensionChecks(commandBit: number): void {
    const state = this.state;
    if (state.resync && commandBit !== CMD_BIT.event) throw new ArgsError("Illegal option `--resync' with this command", 2);
    const readOnly = new Set<number>([CMD_BIT.list, CMD_BIT.expList, CMD_BIT.event, CMD_BIT.expEvent, CMD_BIT.count, CMD_BIT.expCount, CMD_BIT.stats, CMD_BIT.expStats]);
    if (state.allNetns && !readOnly.has(commandBit)) throw new ArgsError("Illegal option `--all-netns' with this command", 2);
    if (state.allNetns && state.netns !== undefined) throw new ArgsError("cannot use --netns and --all-netns at the same time", 2);
    if (state.replay !== undefined && state.record !== undefined) throw new ArgsError("cannot use --replay and --record at the same time", 2);
  }

  private stdoutFor(commandBit: number): string {
    const state = this.state;
    const argv0 = this.argv[0]!;
    if (commandBit === CMD_BIT.version) {
      const { programName, version, packageName } = this.identity;
      return `${this.env.versionLine ?? `${programName} v${version} (${packageName})`}\n`;
    }
    if (commandBit === CMD_BIT.none) return usageText(argv0, this.identity.version);
    if (commandBit !== CMD_BIT.help) return "";
    let text = usageText(argv0, this.identity.version);
    if (state.has("protonum") && state.proto !== null) {
      const handler = state.proto.handler;
      const name = handler === UNKNOWN_HANDLER ? (this.protocols.byNumber(state.protonum) ?? "unknown") : handler.name;
      text += protoHelpText(handler.name, name);
    }
    return text;
  }

  private result(commandBit: number, familyGiven: boolean): ParsedCommand {
    const state = this.state;
    const flags = new Set(OPTION_FLAGS.filter((flag) => state.has(flag)));
    const l4Names = state.proto?.handler.flagNames ?? [];
    const eventMask = state.eventMask;
    const output = state.outputMask;
    const sorted = (set: Set<number> | undefined): number[] | undefined => (set === undefined ? undefined : [...set].sort((a, b) => a - b));
    return {
      ok: true,
      command: COMMAND_NAMES[commandBit]!,
      table: state.table,
      family: state.family,
      familyGiven,
      options: flags,
      orig: state.orig,
      reply: state.reply,
      tuple: state.tuple,
      mask: state.mask,
      ...(state.proto !== null ? { proto: { handler: state.proto.handler.name, protonum: state.protonum } } : {}),
      l4: state.l4,
      l4Options: new Set(l4Names.filter((_, bit) => state.l4Flags & (1 << bit))),
      ...(state.timeout !== undefined ? { timeout: state.timeout } : {}),
      ...(state.status !== undefined ? { status: state.status } : {}),
      ...(state.mark !== undefined ? { mark: state.mark } : {}),
      ...(state.numbers.secmark !== undefined ? { secmark: state.numbers.secmark } : {}),
      ...(state.numbers.id !== undefined ? { id: state.numbers.id } : {}),
      ...(state.numbers.zone !== undefined ? { zone: state.numbers.zone } : {}),
      ...(state.numbers["orig-zone"] !== undefined ? { origZone: state.numbers["orig-zone"] } : {}),
      ...(state.numbers["reply-zone"] !== undefined ? { replyZone: state.numbers["reply-zone"] } : {}),
      ...(state.has("label") ? { labels: sorted(state.labels) ?? [] } : {}),
      ...(state.has("label-add") ? { labelAdd: sorted(state.labelAdd) ?? [] } : {}),
      ...(state.has("label-del") ? { labelDel: sorted(state.labelDel) ?? "all" } : {}),
      ...(state.nat.src !== undefined ? { srcNat: state.nat.src } : {}),
      ...(state.nat.dst !== undefined ? { dstNat: state.nat.dst } : {}),
      ...(state.nat.any !== undefined ? { anyNat: state.nat.any } : {}),
      ...(eventMask !== undefined
        ? { eventMask: { new: (eventMask & EVENT_BIT.new) !== 0, update: (eventMask & EVENT_BIT.update) !== 0, destroy: (eventMask & EVENT_BIT.destroy) !== 0 } }
        : {}),
      ...(state.bufferSize !== undefined ? { bufferSize: state.bufferSize } : {}),
      zero: state.has("zero"),
      output: {
        xml: (output & OUTPUT_BIT.xml) !== 0,
        extended: (output & OUTPUT_BIT.extended) !== 0,
        timestamp: (output & OUTPUT_BIT.timestamp) !== 0,
        id: (output & OUTPUT_BIT.id) !== 0,
        ktimestamp: (output & OUTPUT_BIT.ktimestamp) !== 0,
        labels: (output & OUTPUT_BIT.labels) !== 0,
        userspace: false,
        save: (output & OUTPUT_BIT.save) !== 0,
        json: (output & OUTPUT_BIT.json) !== 0,
        ndjson: (output & OUTPUT_BIT.ndjson) !== 0,
      },
      extensions: extensionsOf(state),
      stdout: this.stdoutFor(commandBit),
      stderr: state.stderr,
    };
  }
}

/**
 * generic_opt_check(): flags in bit order; the first missing required (1) or illegal (0) one fails. When
 * the row has a 3 ("pair"), one of `pairs` must be complete, else the message of the first partly given
 * pair (or the first message) is the error. `pairMessages` null: no pair check.
 */
function checkMatrix(
  given: number,
  row: string,
  columns: number,
  names: readonly string[],
  pairMessages: readonly [string, string] | null,
  pairs: readonly [number, number],
): void {
  let pairRule = false;
  for (let bit = 0; bit < columns; bit++) {
    const rule = row[bit] ?? "0";
    const isGiven = (given & (1 << bit)) !== 0;
    if (!isGiven && rule === "1") throw new ArgsError(`You need to supply the \`--${names[bit]}' option for this command`, 2);
    if (isGiven && rule === "0") throw new ArgsError(`Illegal option \`--${names[bit]}' with this command`, 2);
    if (rule === "3") pairRule = true;
  }
  if (!pairRule || pairMessages === null) return;
  if (pairs.some((pair) => (given & pair) === pair)) return;
  const partial = pairs.findIndex((pair) => (given & pair) !== 0);
  throw new ArgsError(pairMessages[partial === 1 ? 1 : 0], 2);
}

/** Our options as the command sees them (a -R file's command takes only the ones its loop reads). */
function extensionsOf(state: ParseState): ParsedCommand["extensions"] {
  return {
    ...(state.netns !== undefined ? { netns: state.netns } : {}),
    allNetns: state.allNetns,
    ...(state.replay !== undefined ? { replay: state.replay } : {}),
    ...(state.record !== undefined ? { record: state.record, recordOverwrite: state.recordOverwrite } : {}),
    resync: state.resync,
    ...(state.labelMapPath !== undefined ? { labelMap: state.labelMapPath } : {}),
  };
}

/** `-R FILE` / `--load-file FILE` as the first argument; the rest of argv is ignored except our options. */
function loadFileCommand(args: readonly string[], env: ParseEnv, identity: Identity, state: ParseState): ParsedCommand {
  const rest = new Getopt([env.argv0 ?? identity.programName, ...args.slice(2)], ":", [], EXTENSION_OPTIONS);
  for (let next = rest.next(); next.code !== GETOPT_END; next = rest.next()) {
    if (next.code === EXT.netns) state.netns = next.optarg!;
    if (next.code === EXT.replay) state.replay = next.optarg!;
    if (next.code === EXT.record || next.code === EXT.recordForce) {
      state.record = next.optarg!;
      state.recordOverwrite = next.code === EXT.recordForce;
    }
    if (next.code === EXT.labelMap) state.labelMapPath = next.optarg!;
  }
  return {
    ok: true,
    command: "load-file",
    table: "conntrack",
    family: "unspec",
    familyGiven: false,
    options: new Set(),
    orig: {},
    reply: {},
    tuple: {},
    mask: {},
    l4: {},
    l4Options: new Set(),
    zero: false,
    output: { xml: false, extended: false, timestamp: false, id: false, ktimestamp: false, labels: false, userspace: false, save: false, json: false, ndjson: false },
    loadFile: args[1]!,
    extensions: extensionsOf(state),
    stdout: "",
    stderr: "",
  };
}

/**
 * The `--labelmap` argument, looked up before parsing: `--labelmap PATH`, `--labelmap=PATH` or an
 * abbreviation down to `--labelm` (shorter ones are conntrack's `--label`); the last one wins.
 */
function findLabelMapPath(args: readonly string[]): string | undefined {
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--") break;
    const equals = word.indexOf("=");
    const name = equals < 0 ? word : word.slice(0, equals);
    if (name.length < "--labelm".length || !"--labelmap".startsWith(name)) continue;
    if (equals >= 0) path = word.slice(equals + 1);
    else if (i + 1 < args.length) path = args[++i]!;
  }
  return path;
}
