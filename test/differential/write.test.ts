// Write commands on twin tables: the same entries in two private namespaces, conntrack 1.4.7 in one
// and tsconntrack in the other. What each printed and the tables afterwards must match, apart from
// entry ids and hash order (which differ between namespaces) and timers one second apart.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNetns, destroyNetns } from "../support/netns.js";
import { type Expected, WRITE_CASES, type WriteCase, writeTitle } from "./cases-write.js";
import { KNOWN_DIFFERENCES } from "./known-differences.js";
import { differences, outputDifferences } from "./normalise.js";
import { removeOutputFiles } from "./run.js";
import { asConntrackRun, openSession, type Session, skipReason } from "./session.js";
import { fillTwin, prepareTwin, TABLE_LINES } from "./tables.js";
import { twinSide } from "./twin.js";

const reason = skipReason();
if (reason !== null) console.log(`skipping the differential write suite: ${reason}`);

/** Twins list in different hash orders with different ids, and were filled moments apart. */
const TWIN = { sortLines: true, ignoreIds: true, timerTolerance: 10 } as const;
/** Twin pairs working through the cases side by side. */
const PAIRS = 4;

describe.skipIf(reason !== null)("tsconntrack vs conntrack 1.4.7 on twin tables (write commands)", () => {
  const names: string[] = [];
  let session: Session | undefined;
  const outcomes = new Map<string, string[]>();

  async function compare(live: Session, theirsNs: string, oursNs: string, testCase: WriteCase): Promise<string[]> {
    const traffic = testCase.traffic ?? false;
    const lines = testCase.smallTable ? [] : TABLE_LINES;
    await Promise.all([fillTwin(live.labelled, theirsNs, traffic, lines), fillTwin(live.labelled, oursNs, traffic, lines)]);
    const theirs = twinSide(live.labelled, theirsNs, testCase.files);
    const ours = twinSide(live.labelled, oursNs, testCase.files);
    try {
      const messagePrefix = `${live.conntrack.name} v${live.conntrack.version} (${live.conntrack.packageName}): `;
      const reference =
        testCase.reference ??
        (async (): Promise<Expected> => ({ printed: await theirs.run("conntrack", testCase.args), table: await theirs.list() }));
      const [expected, printed] = await Promise.all([
        reference({ side: theirs, messagePrefix }),
        ours.run("tsconntrack", testCase.args),
      ]);
      const table = await ours.list();
      return [
        ...differences(expected.printed, asConntrackRun(live, printed), TWIN),
        ...outputDifferences(expected.table, table, TWIN).map((problem) => `table afterwards: ${problem}`),
      ];
    } finally {
      theirs.cleanup();
      ours.cleanup();
    }
  }

  beforeAll(async () => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < PAIRS; i++) {
      const pair: [string, string] = [createNetns("diff-wa"), createNetns("diff-wb")];
      names.push(...pair);
      pair.forEach(prepareTwin);
      pairs.push(pair);
    }
    session = await openSession(pairs[0]![0]);
    const live = session;
    let next = 0;
    await Promise.all(
      pairs.map(async ([theirsNs, oursNs]) => {
        while (next < WRITE_CASES.length) {
          const testCase = WRITE_CASES[next++]!;
          outcomes.set(writeTitle(testCase), await compare(live, theirsNs, oursNs, testCase));
        }
      }),
    );
  }, 600_000);

  afterAll(() => {
    removeOutputFiles();
    session?.close();
    for (const name of names) destroyNetns(name);
  });

  for (const testCase of WRITE_CASES) {
    const title = writeTitle(testCase);
    const known = KNOWN_DIFFERENCES[title];
    const test = known === undefined ? it : it.fails;
    test(known === undefined ? title : `${title} [known difference: ${known}]`, () => {
      expect(outcomes.get(title)?.join("\n") ?? "not run").toBe("");
    });
  }
});
