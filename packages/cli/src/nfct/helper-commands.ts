// nfct 1.4.7's helper subsystem (src/nfct-extensions/helper.c): argument checks and messages in its
// order, the requests libnetfilter_cthelper builds, and the output of its callback.

import { findUserspaceHelper, helperAttrs, IpProto, type CthelperAttrs, type HelperKey } from "@tsconntrack/nfct";
import type { NfctCommand } from "./command-line.js";
import { truncateBytes } from "./c-text.js";
import { helperComplete, helperJson, helperText } from "./format.js";
import { NFCT_PROGRAM, perror } from "./identity.js";
import { l3protoOf } from "./protocols.js";
import type { CommandStatus, NfctRun } from "./run.js";

const FAILED: CommandStatus = { ok: false };

function usage(): string {
  return perror(`Missing command\n${NFCT_PROGRAM} helper list|add|delete|disable|get|flush [parameters...]`);
}

/** nfct takes exactly "tcp" or "udp" here (not /etc/protocols). */
function l4protoOf(word: string | undefined): number | undefined {
  return word === "tcp" ? IpProto.tcp : word === "udp" ? IpProto.udp : undefined;
}

/** NFCTH_NAME as libnetfilter_cthelper keeps it (16 bytes with the NUL). */
const helperName = (word: string): string => truncateBytes(word, 16);

function printHelper(run: NfctRun, helper: CthelperAttrs): void {
  // The library refuses an answer without name, queue, tuple, policy or status.
  if (!helperComplete(helper)) run.error("nfct_helper_nlmsg_parse_payload");
  else run.print(helperText(helper), helperJson(helper));
}

function noArguments(run: NfctRun, work: () => void): CommandStatus {
  if (run.argc > 3) {
    run.error("too many arguments");
    return FAILED;
  }
  return run.talk(work);
}

/** add and disable: NAME FAMILY PROTOCOL, and the helper must be one conntrack-tools ships. */
function named(run: NfctRun, verb: "add" | "disable", work: (name: string, l3proto: number, l4proto: number) => void): CommandStatus {
  if (run.argc < 6) {
    run.error(`missing parameters\nsyntax: ${NFCT_PROGRAM} ${verb} helper name family protocol`);
    return FAILED;
  }
  const l3proto = l3protoOf(run.argv[4]);
  if (l3proto === undefined) {
    run.error("unknown layer 3 protocol");
    return FAILED;
  }
  const l4proto = l4protoOf(run.argv[5]);
  if (l4proto === undefined) {
    run.error("unsupported layer 4 protocol");
    return FAILED;
  }
  if (findUserspaceHelper(run.argv[3]!, l4proto) === undefined) {
    run.error("that helper is not supported");
    return FAILED;
  }
  return run.talk(() => work(helperName(run.argv[3]!), l3proto, l4proto));
}

/** get and delete: NAME [FAMILY [PROTOCOL]]; a family alone sends the tuple with protocol 0. */
function keyed(run: NfctRun, work: (key: HelperKey) => void): CommandStatus {
  if (run.argc < 4) {
    run.error("missing helper policy name");
    return FAILED;
  }
  if (run.argc > 6) {
    run.error("too many arguments");
    return FAILED;
  }
  const key: HelperKey = { name: helperName(run.argv[3]!) };
  if (run.argc >= 5) {
    const l3protonum = l3protoOf(run.argv[4]);
    if (l3protonum === undefined) {
      run.error("unknown layer 3 protocol");
      return FAILED;
    }
    key.tuple = { l3protonum, l4protonum: 0 };
  }
  if (run.argc === 6) {
    const l4protonum = l4protoOf(run.argv[5]);
    if (l4protonum === undefined) {
      run.error("unsupported layer 4 protocol");
      return FAILED;
    }
    key.tuple!.l4protonum = l4protonum;
  }
  return run.talk(() => work(key));
}

/** nfct_helper_parse_params(). */
export function runHelperCommand(run: NfctRun, command: NfctCommand): CommandStatus {
  const helper = () => run.nfct().helper;
  switch (command) {
    case "list":
      return noArguments(run, () => {
        for (const h of helper().listSync()) printHelper(run, h);
      });
    case "add":
      return named(run, "add", (name, l3proto, l4proto) => {
        const definition = findUserspaceHelper(name, l4proto)!;
        helper().addSync({ ...helperAttrs(definition, l3proto), name });
      });
    case "delete":
      return keyed(run, (key) => helper().deleteSync(key));
    case "get":
      return keyed(run, (key) => {
        for (const h of helper().getSync(key)) printHelper(run, h);
      });
    case "flush":
      return noArguments(run, () => helper().flushSync());
    case "disable":
      return named(run, "disable", (name, l3protonum, l4protonum) => helper().disableSync({ name, tuple: { l3protonum, l4protonum } }));
    default:
      // nfct names argv[2] here and exits at once.
      run.error(`Unknown command: ${run.argv[2]}`);
      run.stderr(usage());
      return { exit: 1 };
  }
}

export const HELPER_PRINTS: ReadonlySet<NfctCommand> = new Set(["list", "get"]);
