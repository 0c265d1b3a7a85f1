// -E [expect]: print events as they come, filtered like -L (in the kernel by a BPF filter where it can,
// always in user space). Output is batched while the socket has more data and flushed as soon as it
// has none, so a storm costs few writes and a person at a terminal sees each line at once. ENOBUFS
// prints conntrack's three-line warning (JSON: an overrun record), the loop goes on, and --resync
// dumps the table. SIGINT/SIGTERM end it: XML footer, "N flow events have been shown.", exit 0.

import type { EventGroup } from "@tsconntrack/conntrack";
import { strerror } from "@tsconntrack/codec";
import { isNetlinkSocketError } from "@tsconntrack/socket";
import type { ParsedCommand } from "../args/types.js";
import { ENOBUFS_WARNING_LINES, summaryLine } from "../format/summary.js";
import { createPainter } from "../io/color.js";
import { MESSAGE_PREFIX, withOurPrefix } from "../io/identity.js";
import { onInterrupt } from "../io/interrupt.js";
import { writeStderr } from "../io/output.js";
import { buildEventFilter } from "../events/bpf.js";
import { bufferReport, DEFAULT_EVENT_BUFFER } from "../events/buffer-report.js";
import { EventLines } from "../events/event-lines.js";
import { eventClock } from "../events/clock.js";
import { openEventSource, type EventSource } from "../events/event-source.js";
import { eventFilterSpec } from "../events/kernel-filter.js";
import { ProcessNames } from "../events/progname.js";
import { resyncDump, resyncNotice } from "../events/resync.js";
import type { Cli } from "./cli.js";
import { kernelErrno } from "./errors.js";
import { flowFilterFor } from "./flow-filter.js";
import { UndecodableEntries } from "./undecodable.js";

const EPERM = 1;

function groupsFor(cmd: ParsedCommand): EventGroup[] {
  const mask = cmd.eventMask ?? { new: true, update: true, destroy: true };
  const groups: EventGroup[] = [];
  if (cmd.table === "expect") {
    if (mask.new) groups.push("exp-new");
    if (mask.destroy) groups.push("exp-destroy");
    return groups;
  }
  if (mask.new) groups.push("new");
  if (mask.update) groups.push("update");
  if (mask.destroy) groups.push("destroy");
  return groups;
}

function open(cmd: ParsedCommand): EventSource | { error: string } {
  const flows = cmd.table !== "expect";
  const replaying = cmd.extensions.replay !== undefined;
  try {
    return openEventSource(cmd, {
      groups: groupsFor(cmd),
      receiveBufferSize: cmd.bufferSize ?? DEFAULT_EVENT_BUFFER,
      program: flows && !replaying ? buildEventFilter(eventFilterSpec(cmd)) : null,
      filter: flows ? flowFilterFor(cmd, "event") : undefined,
    });
  } catch (error) {
    // conntrack: perror("mnl_socket_bind") then "Can't open netlink socket" (exit 1).
    if (isNetlinkSocketError(error) && error.errno === EPERM) {
      return { error: `mnl_socket_bind: ${strerror(EPERM)}\n${MESSAGE_PREFIX}Can't open netlink socket\n` };
    }
    throw error;
  }
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const expectTable = cmd.table === "expect";
  const json = cmd.output.json || cmd.output.ndjson;
  const painter = await createPainter(cli.color && !cmd.output.xml && !cmd.output.save && !json);
  const lines = new EventLines(cmd, painter);
  const source = open(cmd);
  if ("error" in source) {
    writeStderr(source.error);
    return 1;
  }
  if (source.live) writeStderr(bufferReport(cmd.bufferSize, source.receiveBufferSize));
  const names = source.live ? new ProcessNames(cmd.extensions.netns) : null;
  const resync = cmd.extensions.resync && source.live && !expectTable;
  const out = cli.out;
  const clock = eventClock();
  const skipped = new UndecodableEntries();
  let count = 0;
  let stopped = false;
  let writeError: unknown;
  const stop = (): void => {
    stopped = true;
    source.close();
  };
  // Runs once the loop waits for the socket (microtask-driven reads never let it run before).
  let flushQueued = false;
  const flushWhenIdle = (): void => {
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => {
      flushQueued = false;
      try {
        out.flush();
      } catch (error) {
        writeError ??= error;
        stop();
      }
    });
  };
  const stopWatching = onInterrupt(stop);
  try {
    for await (const event of source) {
      const time = clock("receivedAt" in event ? event.receivedAt : undefined);
      const nowSec = time.sec;
      const nowMs = time.sec * 1000 + time.usec / 1000;
      if (event.kind === "overrun") {
        if (json) out.write(lines.overrun(time, event.count));
        out.flush();
        writeStderr(ENOBUFS_WARNING_LINES.join("\n") + "\n");
        if (resync) {
          let stderr = "";
          const entries = resyncDump(cmd, (view, family) => {
            const printed = lines.resyncEntry(view, family, time, nowSec);
            out.write(printed.stdout);
            stderr += printed.stderr;
          });
          if (json) out.write(lines.resyncDone(time, entries));
          out.flush();
          writeStderr(stderr + (json ? "" : resyncNotice(entries)));
        }
        continue;
      }
      if (event.kind === "undecodable") {
        out.flush();
        skipped.report(event.error);
        continue;
      }
      const portId = event.header.pid >>> 0;
      const netnsId = event.netnsId;
      // A peer namespace's ports are not in our /proc/net/netlink.
      const progname = portId !== 0 && names !== null && netnsId === undefined ? names.lookup(portId, nowMs) : undefined;
      const printed = lines.event(event, { portId, progname, netnsId }, time, nowSec);
      if (printed.stderr !== "") {
        out.flush();
        writeStderr(printed.stderr);
      }
      out.write(printed.stdout);
      flushWhenIdle();
      count++;
    }
  } catch (error) {
    if (!stopped) {
      const errno = kernelErrno(error);
      if (errno === undefined) throw error;
      out.flush();
      writeStderr(`failed to received netlink event: ${strerror(errno)}\n`);
      return 1;
    }
  } finally {
    stopWatching();
    source.close();
  }
  if (writeError !== undefined) throw writeError;
  out.write(lines.end());
  out.flush();
  writeStderr(withOurPrefix(summaryLine(expectTable ? "expect-events" : "events", count)) + "\n");
  return skipped.status(0);
}
