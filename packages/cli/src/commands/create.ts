// -I / -A: create one entry. -I fails on an existing entry; -A (1.4.7) counts it as 0 added, exit 0.

import type { ConntrackAttrs, TupleAttrs } from "@tsconntrack/codec/conntrack";
import { invertTuple } from "@tsconntrack/conntrack";
import type { NatTarget, ParsedCommand } from "../args/types.js";
import { summaryLine } from "../format/summary.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOperation } from "./errors.js";
import { labelBitmap, tupleFrom } from "./tuples.js";

const EEXIST = 17;
const IPS_CONFIRMED = 1 << 3;
const TCP_STATE_TIME_WAIT = 7;
const TCP_FLAG_SACK_PERM = 0x02;
const TCP_FLAG_CLOSE_INIT = 0x04;
const TCP_FLAG_BE_LIBERAL = 0x08;

function natAttrs(target: NatTarget): ConntrackAttrs["natSrc"] {
  const nat: NonNullable<ConntrackAttrs["natSrc"]> = {};
  const address = target.address;
  if (address !== undefined) {
    if (address.family === "ipv4") {
      nat.natV4Minip = address.text;
      nat.natV4Maxip = address.text;
    } else {
      nat.natV6Minip = address.text;
      nat.natV6Maxip = address.text;
    }
  }
  if (target.port !== undefined) nat.natProto = { natPortMin: target.port, natPortMax: target.port };
  return nat;
}

/**
 * An inverted tuple with this direction's zone instead of the other's: the kernel refuses a tuple zone
 * in both directions (EINVAL), and --reply-zone applies even when only -s/-d were given.
 */
function withZone(tuple: TupleAttrs, zone: number | undefined): TupleAttrs {
  delete tuple.tupleZone;
  if (zone !== undefined) tuple.tupleZone = zone;
  return tuple;
}

/** The entry -I describes: tuples (the missing one inverted), meta attributes, protocol state. */
export function flowFromCommand(cmd: ParsedCommand): ConntrackAttrs {
  const orig = tupleFrom(cmd, "orig");
  const reply = tupleFrom(cmd, "reply");
  const tupleOrig: TupleAttrs = orig ?? withZone(invertTuple(reply!), cmd.origZone);
  const tupleReply: TupleAttrs = reply ?? withZone(invertTuple(orig!), cmd.replyZone);
  const flow: ConntrackAttrs = { tupleOrig, tupleReply };
  const handler = cmd.proto?.handler;
  const state = cmd.l4.state;
  if (handler === "tcp" && state !== undefined) {
    const flags = TCP_FLAG_BE_LIBERAL | TCP_FLAG_SACK_PERM | (state.value >= TCP_STATE_TIME_WAIT ? TCP_FLAG_CLOSE_INIT : 0);
    flow.protoinfo = {
      protoinfoTcp: {
        tcpState: state.value,
        tcpFlagsOriginal: { flags, mask: flags },
        tcpFlagsReply: { flags, mask: flags },
      },
    };
  } else if (handler === "sctp") {
    flow.protoinfo = {
      protoinfoSctp: {
        ...(state !== undefined ? { sctpState: state.value } : {}),
        ...(cmd.l4.origVtag !== undefined ? { vtagOriginal: cmd.l4.origVtag } : {}),
        ...(cmd.l4.replyVtag !== undefined ? { vtagReply: cmd.l4.replyVtag } : {}),
      },
    };
  } else if (handler === "dccp") {
    flow.protoinfo = {
      protoinfoDccp: {
        ...(state !== undefined ? { dccpState: state.value } : {}),
        ...(cmd.l4.role !== undefined ? { dccpRole: cmd.l4.role.value } : {}),
      },
    };
  }
  if (cmd.timeout !== undefined) flow.timeout = cmd.timeout;
  // The kernel marks a ctnetlink-created entry CONFIRMED before it applies CTA_STATUS, and refuses
  // (EBUSY) a status that would clear that bit.
  if (cmd.status !== undefined) flow.status = (cmd.status.set | IPS_CONFIRMED) >>> 0;
  if (cmd.mark !== undefined) flow.mark = cmd.mark.value;
  if (cmd.zone !== undefined) flow.zone = cmd.zone;
  if (cmd.srcNat !== undefined && cmd.srcNat.address !== undefined) flow.natSrc = natAttrs(cmd.srcNat);
  if (cmd.dstNat !== undefined && cmd.dstNat.address !== undefined) flow.natDst = natAttrs(cmd.dstNat);
  if (cmd.labelAdd !== undefined && cmd.labelAdd.length > 0) {
    flow.labels = labelBitmap(cmd.labelAdd);
    flow.labelsMask = labelBitmap(cmd.labelAdd);
  }
  return flow;
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  if (cmd.table === "expect") return (await import("./expect-commands.js")).createExpectation(cmd, cli);
  const add = cmd.command === "add";
  const ct = openConntrack(cmd);
  let created = 0;
  try {
    const [result] = ct.createSync([flowFromCommand(cmd)]);
    if (result?.ok) created = 1;
    else if (result?.error !== undefined && !(add && result.error.errno === EEXIST)) {
      return failOperation(result.error.errno, cmd, cli);
    }
  } finally {
    ct.close();
  }
  cli.out.finish(withOurPrefix(summaryLine(add ? "add" : "create", created)) + "\n", cli.stdoutIsTty);
  return 0;
}
