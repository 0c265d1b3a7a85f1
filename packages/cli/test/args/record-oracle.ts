// Regenerates oracle-1.4.7.json: what conntrack 1.4.7 prints (stderr, stdout) and exits with for every case
// in cases.ts. Root only; runs in a private netns that is deleted afterwards.
//   pnpm exec tsx packages/cli/test/args/record-oracle.ts

import { writeFileSync } from "node:fs";
import { CASES } from "./cases.js";
import { createNetns, deleteNetns, LOAD_FILE_MISSING, ORACLE_FILE, oracleUnavailableReason, runConntrack, type OracleRun } from "./oracle.js";

const reason = oracleUnavailableReason();
if (reason !== null) {
  console.error(`cannot record: ${reason}`);
  process.exit(1);
}
const netns = createNetns("args-rec-");
try {
  const recorded: Record<string, OracleRun> = {};
  for (const testCase of CASES) {
    if (testCase.noRun) continue;
    recorded[JSON.stringify(testCase.args)] = runConntrack(netns, testCase.args);
  }
  recorded[JSON.stringify(LOAD_FILE_MISSING)] = runConntrack(netns, LOAD_FILE_MISSING);
  writeFileSync(ORACLE_FILE, JSON.stringify(recorded, null, 1) + "\n");
  console.log(`recorded ${Object.keys(recorded).length} runs in ${ORACLE_FILE}`);
} finally {
  deleteNetns(netns);
}
