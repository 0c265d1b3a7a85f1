// -L expect: the expectation table. Without -f every family is shown (1.4.7 dumped only IPv4 and
// silently hid IPv6 expectations: DEVIATIONS.md); -f ipv4 / -f ipv6 show one family.

import { nowSeconds, nowTimeVal } from "../io/clock.js";
import type { ParsedCommand } from "../args/types.js";
import { viewFamily } from "@tsconntrack/conntrack";
import { EXPECT_XML_FOOTER, EXPECT_XML_HEADER, writeExpectText, writeExpectXml } from "../format/expect-text.js";
import { JsonListWriter, writeExpectJson } from "../format/json.js";
import { UndecodableEntries } from "./undecodable.js";
import { summaryLine } from "../format/summary.js";
import { expectTimePrefix } from "../format/time.js";
import { LazyXmlHeader } from "../format/xml-header.js";
import { withOurPrefix } from "../io/identity.js";
import { openConntrack } from "../io/session.js";
import type { Cli } from "./cli.js";
import { failOnKernelError } from "./errors.js";
import { familyNumber } from "./filter.js";

/** The family an expectation dump asks for: -f's, else all (AF_UNSPEC). */
export function expectFamilyFilter(cmd: Pick<ParsedCommand, "family" | "familyGiven">): number {
  return cmd.familyGiven ? familyNumber(cmd.family) : 0;
}

export async function listExpectations(cmd: ParsedCommand, cli: Cli): Promise<number> {
  const out = cli.out;
  const xml = cmd.output.xml ? new LazyXmlHeader(EXPECT_XML_HEADER, EXPECT_XML_FOOTER) : null;
  const jsonMode = cmd.output.json ? "json" : cmd.output.ndjson ? "ndjson" : null;
  const json = jsonMode === null ? null : new JsonListWriter(jsonMode);
  const nowSec = nowSeconds();
  let count = 0;
  const ct = openConntrack(cmd);
  const skipped = new UndecodableEntries();
  try {
    ct.listExpectViewsSync({ family: expectFamilyFilter(cmd), onUndecodable: skipped.report }, (view) => {
      count++;
      const ctx = { family: viewFamily(view) };
      if (json !== null) {
        out.text(json.before());
        writeExpectJson(out, view, ctx);
        out.text(json.after());
        return;
      }
      // -o timestamp prefixes expectation dumps too (space-padded on the right).
      if (xml !== null) {
        out.text(xml.beforeFlow());
        writeExpectXml(out, view, ctx, { nowSec, when: cmd.output.timestamp });
      } else {
        if (cmd.output.timestamp) out.text(expectTimePrefix(nowTimeVal()));
        writeExpectText(out, view, ctx);
      }
      out.byte(0x0a);
    });
  } catch (error) {
    return failOnKernelError(error, cmd, cli);
  } finally {
    ct.close();
  }
  const footer = json?.end() ?? xml?.end() ?? "";
  // conntrack fflush()es after </expect>: the summary always follows the whole document.
  if (footer !== "") {
    out.write(footer);
    out.flush();
  }
  out.finish(withOurPrefix(summaryLine("expect-list", count)) + "\n", cli.stdoutIsTty);
  return skipped.status(0);
}
