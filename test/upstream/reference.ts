// Where conntrack-tools' own testsuites live: <repo>/../shared/reference/conntrack-tools-1.4.7/tests
// (GPL, never copied into this repository). TSCONNTRACK_REFERENCE points elsewhere. When the files are
// absent the suites skip with the reason, unless TSCONNTRACK_REQUIRE_REFERENCE=1 (CI), where that is a failure.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The folder holding conntrack-tools 1.4.7's tests/ and doc/. */
export const CONNTRACK_TOOLS_REFERENCE =
  process.env["TSCONNTRACK_REFERENCE"] ?? join(REPO, "..", "shared", "reference", "conntrack-tools-1.4.7");

/** The path of `relative` under the reference, or a skip reason; throws when CI requires the reference. */
export function referencePath(relative: string): { path: string } | { skip: string } {
  const path = join(CONNTRACK_TOOLS_REFERENCE, relative);
  if (existsSync(path)) return { path };
  const reason = `${path} is absent (conntrack-tools' testsuites live outside the repository, see test/upstream/reference.ts)`;
  if (process.env["TSCONNTRACK_REQUIRE_REFERENCE"] === "1") throw new Error(`${reason}, and TSCONNTRACK_REQUIRE_REFERENCE=1`);
  return { skip: reason };
}
