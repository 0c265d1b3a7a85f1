// -E [expect]: print events as they come (flushed per line), filtered like -L in user space. ENOBUFS
// prints conntrack's three-line warning and the loop goes on. SIGINT/SIGTERM end it cleanly: XML footer,
// then "N flow events have been shown." on stderr, exit 0.

import type { EventGroup } from "@tsconntrack/conntrack";
import { nowMillis, nowSeconds } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { userspaceTag } from "../format/conntrack-text.js";
import { EXPECT_XML_FOOTER, EXPECT_XML_HEADER, formatExpectText, formatExpectXml } from "../format/expect-text.js";
import { formatExpectEventJson, formatOverrunJson } from "../format/json.js";
import { bufferSizeNotice, ENOBUFS_WARNING_LINES, summaryLine } from "../format/summary.js";
import { eventTimePrefix, expectTimePrefix, timeValFromMillis } from "../format/time.js";
import { LazyXmlHeader } from "../format/xml-header.js";
import { createPainter } from "../io/color.js";
import { withOurPrefix } from "../io/identity.js";
import { writeStderr } from "../io/output.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { kernelErrno } from "./errors.js";
import { flowFilterFor } from "./flow-filter.js";
import { loadedLabelMap } from "./labels.js";
import { EntryPrinter } from "./printer.js";
import { processNameOfPort } from "./progname.js";

const DEFAULT_BUFFER = 16 << 20;

function groupsFor(cmd: ParsedCommand): EventGroup[] {
  const mask = cmd.eventMask ?? { new: true, update: true, destroy: true };
  if (cmd.table === "expect") {
    return [...(mask.new ? (["exp-new"] as const) : []), ...(mask.destroy ? (["exp-destroy"] as const) : [])];
  }
  return [...(mask.new ? (["new"] as const) : []), ...(mask.update ? (["update"] as const) : []), ...(mask.destroy ? (["destroy"] as const) : [])];
}

export async function run(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const expectTable = cmd.table === "expect";
  const replaying = cmd.extensions.replay !== undefined;
  const painter = await createPainter(cli.color && !cmd.output.xml && !cmd.output.save);
  const printer = new EntryPrinter(cmd, "event", loadedLabelMap(cmd));
  const expectXml = expectTable && cmd.output.xml ? new LazyXmlHeader(EXPECT_XML_HEADER, EXPECT_XML_FOOTER) : null;
  const json = cmd.output.json || cmd.output.ndjson;
  const ct = openConntrack(cmd);
  let count = 0;
  let stopped = false;
  const events = ct.events({
    groups: groupsFor(cmd),
    receiveBufferSize: cmd.bufferSize ?? DEFAULT_BUFFER,
    ...(expectTable ? {} : { filter: flowFilterFor(cmd, "event") }),
  });
  if (cmd.bufferSize !== undefined) writeStderr(bufferSizeNotice(events.receiveBufferSize) + "\n");
  const stop = (): void => {
    stopped = true;
    events.close();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    for await (const event of events) {
      const now = nowMillis();
      const time = timeValFromMillis(now);
      const nowSec = Math.floor(now / 1000);
      if (event.kind === "overrun") {
        if (json) cli.out.write(formatOverrunJson(time) + "\n");
        cli.out.flush();
        writeStderr(ENOBUFS_WARNING_LINES.join("\n") + "\n");
        continue;
      }
      const pid = event.header.pid;
      let tag = "";
      if (pid !== 0 && !json) tag = userspaceTag(pid, replaying ? undefined : processNameOfPort(pid));
      let text: string;
      if (event.kind === "exp-new" || event.kind === "exp-destroy") {
        const ctx = { family: event.family, event: event.kind === "exp-new" ? ("new" as const) : ("destroy" as const) };
        if (json) text = formatExpectEventJson(event.expect, ctx, time) + "\n";
        else if (expectXml !== null) text = expectXml.beforeFlow() + formatExpectXml(event.expect, ctx, { nowSec, when: cmd.output.timestamp }) + tag + "\n";
        else text = (cmd.output.timestamp ? expectTimePrefix(time) : "") + formatExpectText(event.expect, ctx) + tag + "\n";
      } else if (event.kind === "new" || event.kind === "update" || event.kind === "destroy") {
        const printed = printer.entry(event.flow, event.family, nowSec, event.kind, time);
        if (printed.stderr !== "") writeStderr(printed.stderr);
        let line = printed.stdout.slice(0, -1);
        if (painter.enabled && !json) {
          const prefixLength = 10;
          line = painter.event(event.kind, line.slice(0, prefixLength)) + line.slice(prefixLength);
        }
        const prefix = cmd.output.timestamp && !cmd.output.xml && !json ? eventTimePrefix(time) : "";
        text = prefix + line + tag + "\n";
      } else {
        continue;
      }
      cli.out.write(text);
      cli.out.flush();
      count++;
    }
  } catch (error) {
    if (!stopped) {
      const errno = kernelErrno(error);
      if (errno === undefined) throw error;
      cli.out.flush();
      writeStderr(`failed to received netlink event: ${(error as Error).message}\n`);
      return 1;
    }
  } finally {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
    events.close();
    ct.close();
  }
  cli.out.write(expectXml !== null ? expectXml.end() : printer.end());
  cli.out.flush();
  writeStderr(withOurPrefix(summaryLine(expectTable ? "expect-events" : "events", count)) + "\n");
  return 0;
}
