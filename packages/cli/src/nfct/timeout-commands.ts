// nfct 1.4.7's timeout subsystem (src/nfct-extensions/timeout.c): argument checks and messages in
// its order, the request it builds, and the output of its callback.

import type { CttimeoutAttrs } from "@tsconntrack/nfct";
import type { ProtocolDatabase } from "../args/protocol-db.js";
import { atoi, truncateBytes } from "./c-text.js";
import { timeoutJson, timeoutText } from "./format.js";
import { NFCT_PROGRAM, NFCT_VERSION } from "./identity.js";
import { l3protoOf, l4protoOf } from "./protocols.js";
import type { CommandStatus, NfctRun } from "./run.js";
import { protocolStates, sameIgnoringAsciiCase } from "./states.js";
import type { NfctCommand } from "./command-line.js";

const FAILED: CommandStatus = { ok: false };

function usage(run: NfctRun): CommandStatus {
  run.error(`Missing command\n${NFCT_PROGRAM} <list|add|delete|get|default-set|default-get|flush> timeout [<parameters>, ...]`);
  return FAILED;
}

function printPolicy(run: NfctRun, policy: CttimeoutAttrs): void {
  run.print(timeoutText(policy), timeoutJson(policy));
}

/**
 * nfct_cmd_timeout_parse(): FAMILY PROTOCOL [STATE VALUE]... into CTA_TIMEOUT_L3PROTO, L4PROTO and
 * DATA (the states in attribute order, the last value given for a state winning, values as atoi()).
 */
function parsePolicy(run: NfctRun, words: readonly string[], protocols: ProtocolDatabase): Pick<CttimeoutAttrs, "l3proto" | "l4proto" | "data"> | undefined {
  const l3proto = l3protoOf(words[0]);
  if (l3proto === undefined) {
    run.error("unknown layer 3 protocol");
    return undefined;
  }
  const protoName = words[1]!;
  const l4proto = l4protoOf(protoName, protocols);
  if (l4proto === undefined) {
    run.error("unknown layer 4 protocol");
    return undefined;
  }
  const states = protocolStates(l4proto)?.states ?? [];
  const values = new Map<number, number>();
  let i = 2;
  for (; words.length - i > 1; i += 2) {
    const index = states.findIndex((s) => sameIgnoringAsciiCase(words[i]!, s.name));
    if (index < 0) {
      run.error(`Wrong state name: \`${words[i]}' for protocol \`${protoName}'`);
      return undefined;
    }
    values.set(index, atoi(words[i + 1]!) >>> 0);
  }
  if (words.length - i > 0) {
    run.error("missing value for this timeout");
    return undefined;
  }
  // nfct stores the number in a u8: /etc/protocols' mptcp (262) goes out as 6.
  const policy: Pick<CttimeoutAttrs, "l3proto" | "l4proto" | "data"> = { l3proto, l4proto: l4proto & 0xff };
  if (values.size > 0) {
    const data: Record<string, number> = {};
    states.forEach((s, index) => {
      const value = values.get(index);
      if (value !== undefined) data[s.key] = value;
    });
    policy.data = data as CttimeoutAttrs["data"];
  }
  return policy;
}

/** CTA_TIMEOUT_NAME as libnetfilter_cttimeout keeps it (32 bytes with the NUL). */
const policyName = (word: string): string => truncateBytes(word, 32);

function list(run: NfctRun): CommandStatus {
  if (run.argc > 3) {
    run.error("too many arguments");
    return FAILED;
  }
  return run.talk(() => {
    for (const policy of run.nfct().timeout.listSync()) printPolicy(run, policy);
  });
}

function add(run: NfctRun, protocols: ProtocolDatabase): CommandStatus {
  if (run.argc < 6) {
    run.error("missing parameters\nsyntax: nfct add timeout name family protocol state1 timeout1 ...".replace("nfct", NFCT_PROGRAM));
    return FAILED;
  }
  const parsed = parsePolicy(run, run.argv.slice(4), protocols);
  if (parsed === undefined) return FAILED;
  return run.talk(() => run.nfct().timeout.addSync({ name: policyName(run.argv[3]!), ...parsed }));
}

function byName(run: NfctRun, work: (name: string) => void): CommandStatus {
  if (run.argc < 4) {
    run.error("missing timeout policy name");
    return FAILED;
  }
  if (run.argc > 4) {
    run.error("too many arguments");
    return FAILED;
  }
  return run.talk(() => work(policyName(run.argv[3]!)));
}

function flush(run: NfctRun): CommandStatus {
  if (run.argc > 3) {
    run.error("too many arguments");
    return FAILED;
  }
  return run.talk(() => run.nfct().timeout.flushSync());
}

function defaultSet(run: NfctRun, protocols: ProtocolDatabase): CommandStatus {
  if (run.argc < 6) {
    run.error(`missing parameters\nsyntax: ${NFCT_PROGRAM} default-set timeout family protocol state1 timeout1...`);
    return FAILED;
  }
  const parsed = parsePolicy(run, run.argv.slice(3), protocols);
  if (parsed === undefined) return FAILED;
  return run.talk(() => run.nfct().timeout.setDefaultSync(parsed));
}

function defaultGet(run: NfctRun, protocols: ProtocolDatabase): CommandStatus {
  if (run.argc < 5) {
    run.error(`missing parameters\nsyntax: ${NFCT_PROGRAM} default-get timeout family protocol`);
    return FAILED;
  }
  const l3proto = l3protoOf(run.argv[3]);
  if (l3proto === undefined) {
    run.error("unknown layer 3 protocol");
    return FAILED;
  }
  const l4proto = l4protoOf(run.argv[4]!, protocols);
  if (l4proto === undefined) {
    run.error("unknown layer 4 protocol");
    return FAILED;
  }
  return run.talk(() => printPolicy(run, run.nfct().timeout.getDefaultSync(l3proto, l4proto & 0xff)));
}

/** nfct_timeout_parse_params(). */
export function runTimeoutCommand(run: NfctRun, command: NfctCommand, protocols: ProtocolDatabase): CommandStatus {
  switch (command) {
    case "list": return list(run);
    case "add": return add(run, protocols);
    case "delete": return byName(run, (name) => run.nfct().timeout.deleteSync(name));
    case "get": return byName(run, (name) => printPolicy(run, run.nfct().timeout.getSync(name)));
    case "flush": return flush(run);
    case "default-set": return defaultSet(run, protocols);
    case "default-get": return defaultGet(run, protocols);
    case "disable": return usage(run);
  }
}

/** Which commands print objects (for the JSON document). */
export const TIMEOUT_PRINTS: ReadonlySet<NfctCommand> = new Set(["list", "get", "default-get"]);

export const NFCT_IDENTITY = `${NFCT_PROGRAM} v${NFCT_VERSION}`;
