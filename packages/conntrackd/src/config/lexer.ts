/**
 * Tokenizer for conntrackd.conf with the token classes of conntrackd 1.4.7's flex scanner
 * (src/read_config_lex.l): the longest match wins, and of equally long matches the rule listed
 * first. That is why `on`/`yes` are booleans, `1234` is a number but `abcd` an IPv6 address,
 * `Syncx` a plain string and `/var/run/x.ctl` a path.
 */

export type TokenKind =
  | "keyword" // a reserved word such as `Sync`, `HashSize`, `Accept`
  | "on"
  | "off"
  | "number" // [0-9]+
  | "signed" // [-+][0-9]+
  | "ip" // IPv4 (optionally /cidr) or IPv6
  | "path" // /...
  | "mode" // ALARM, FTFW, NOTRACK (and the old names PERSISTENT, NACK)
  | "string" // [a-zA-Z][a-zA-Z0-9._-]*
  | "char" // any other single character: `{`, `}`
  | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** The text as written. For keywords the canonical keyword (aliases are resolved by the parser). */
  readonly text: string;
  /** 1-based line of the token's first character. */
  readonly line: number;
  /** For `mode`: "alarm" | "ftfw" | "notrack". */
  readonly mode?: "alarm" | "ftfw" | "notrack";
  /** For `mode`: the deprecated spelling that 1.4.7 warns about. */
  readonly deprecated?: "persistent" | "nack";
}

/** The reserved words of 1.4.7's scanner, matched case-sensitively. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "UNIX", "IPv4_address", "IPv6_address", "IPv4_Destination_Address", "IPv6_Destination_Address",
  "IPv4_interface", "IPv6_interface", "Interface", "Multicast", "UDP", "TCP", "HashSize", "RefreshTime",
  "CacheTimeout", "CommitTimeout", "HashLimit", "Path", "Backlog", "Group", "Port", "LogFile", "Syslog",
  "LockFile", "General", "Sync", "Stats", "SocketBufferSize", "SocketBufferSizeMaxGrown",
  "SocketBufferSizeMaxGrowth", "NetlinkBufferSize", "NetlinkBufferSizeMaxGrowth", "Mode", "ResendQueueSize",
  "Checksum", "ACKWindowSize", "for", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
  "LAST_ACK", "TIME_WAIT", "CLOSE", "CLOSED", "LISTEN", "SndSocketBuffer", "RcvSocketBuffer", "Filter",
  "Protocol", "Address", "State", "Accept", "Ignore", "PurgeTimeout", "From", "Userspace", "Kernelspace",
  "EventIterationLimit", "Default", "PollSecs", "NetlinkOverrunResync", "Nice", "Scheduler", "Type",
  "Priority", "NetlinkEventsReliable", "DisableInternalCache", "DisableExternalCache", "Options",
  "TCPWindowTracking", "ExpectationSync", "ErrorQueueLength", "Helper", "QueueNum", "QueueLen", "Policy",
  "ExpectMax", "ExpectTimeout", "Systemd", "StartupResync", "Setup",
]);

// The scanner's patterns, in rule order after the keywords (flex character classes such as
// [o|O] include a literal '|', kept here as 1.4.7 has them).
const IP4_PART = "[0-2]*[0-9]*[0-9]+";
const IP4 = `${IP4_PART}\\.${IP4_PART}\\.${IP4_PART}\\.${IP4_PART}(?:\\/[0-2]*[0-9]+)?`;
const HEX = "[0-9a-fA-F]{1,4}";
const IP6_PART = `${HEX}:?`;
const IP6_CIDR = "(?:\\/[0-1]*[0-9]*[0-9]+)?";
const IP6 = `(?:(?:${IP6_PART}){0,7}::(?:${IP6_PART}){0,7}${IP6_CIDR}|(?:${HEX}:){0,7}${HEX}${IP6_CIDR})`;

interface Rule {
  readonly kind: TokenKind;
  readonly re: RegExp;
  readonly mode?: "alarm" | "ftfw" | "notrack";
  readonly deprecated?: "persistent" | "nack";
}

const sticky = (source: string): RegExp => new RegExp(source, "y");

const RULES: readonly Rule[] = [
  { kind: "on", re: sticky("[o|O][n|N]|[y|Y][e|E][s|S]") },
  { kind: "off", re: sticky("[o|O][f|F][f|F]|[n|N][o|O]") },
  { kind: "number", re: sticky("[0-9]+") },
  { kind: "signed", re: sticky("[-+][0-9]+") },
  { kind: "ip", re: sticky(IP4) },
  { kind: "ip", re: sticky(IP6) },
  { kind: "path", re: sticky('\\/[^"\\n ]*') },
  { kind: "mode", re: sticky("[A|a][L|l][A|a][R|r][M|m]"), mode: "alarm" },
  {
    kind: "mode",
    re: sticky("[P|p][E|e][R|r][S|s][I|i][S|s][T|t][E|e][N|n][T|T]"),
    mode: "alarm",
    deprecated: "persistent",
  },
  { kind: "mode", re: sticky("[F|f][T|t][F|f][W|w]"), mode: "ftfw" },
  { kind: "mode", re: sticky("[N|n][A|a][C|c][K|k]"), mode: "ftfw", deprecated: "nack" },
  { kind: "mode", re: sticky("[N|n][O|o][T|t][R|r][A|a][C|c][K|k]"), mode: "notrack" },
  { kind: "string", re: sticky("[a-zA-Z][a-zA-Z0-9._-]*") },
];

const KEYWORD_RE = sticky("[A-Za-z0-9_]+");

/** Splits the file into tokens; never throws (unknown characters become `char` tokens). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n" || c === "\r") {
      if (c === "\n") line++;
      i++;
      continue;
    }
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "#") {
      // `#.*$`: the comment runs to the end of the line.
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    let best: { len: number; rule: Rule | undefined; keyword: boolean } = { len: 0, rule: undefined, keyword: false };
    // Keywords are listed first in the scanner, so they win ties.
    KEYWORD_RE.lastIndex = i;
    const kw = KEYWORD_RE.exec(text);
    if (kw !== null) {
      // A keyword is a literal: the longest keyword that is a prefix here.
      for (let len = kw[0].length; len > 0; len--) {
        if (KEYWORDS.has(text.slice(i, i + len))) {
          best = { len, rule: undefined, keyword: true };
          break;
        }
      }
    }
    for (const rule of RULES) {
      rule.re.lastIndex = i;
      const m = rule.re.exec(text);
      if (m !== null && m[0].length > best.len) best = { len: m[0].length, rule, keyword: false };
    }
    if (best.len === 0) {
      tokens.push({ kind: "char", text: c, line });
      i++;
      continue;
    }
    const lexeme = text.slice(i, i + best.len);
    if (best.keyword) tokens.push({ kind: "keyword", text: lexeme, line });
    else {
      const rule = best.rule!;
      const token: { -readonly [K in keyof Token]: Token[K] } = { kind: rule.kind, text: lexeme, line };
      if (rule.mode !== undefined) token.mode = rule.mode;
      if (rule.deprecated !== undefined) token.deprecated = rule.deprecated;
      tokens.push(token);
    }
    // A path may contain no newline, but count any that a match spans all the same.
    for (const ch of lexeme) if (ch === "\n") line++;
    i += best.len;
  }
  tokens.push({ kind: "eof", text: "", line });
  return tokens;
}
