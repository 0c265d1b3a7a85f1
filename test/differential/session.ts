// What every differential test file needs: whether it can run at all, the two /etc views, both
// tools' identities, and one compared run of an argument list.

import { canRunKernelTests } from "../support/netns.js";
import { type DiffCase, parseSingleId, resolveIds } from "./case.js";
import { type EtcView, LABEL_MAP, openEtcView } from "./etc-view.js";
import { asConntrack, type Identity, parseIdentity } from "./normalise.js";
import { runTool, type ToolRun, tsconntrackMissingReason } from "./run.js";
import { tableToolsMissingReason } from "./tables.js";

/** Why the differential suite cannot run here (printed when it skips), or null. */
export function skipReason(): string | null {
  const kernel = canRunKernelTests();
  if (!kernel.ok) return kernel.reason;
  return tableToolsMissingReason() ?? tsconntrackMissingReason();
}

export interface Session {
  /** /etc with LABEL_MAP as connlabel.conf. */
  readonly labelled: EtcView;
  /** /etc without any connlabel.conf. */
  readonly unlabelled: EtcView;
  readonly conntrack: Identity;
  readonly tsconntrack: Identity;
  close(): void;
}

/** Opens both views and reads both tools' `-V` (in `ns`, any namespace will do). */
export async function openSession(ns: string): Promise<Session> {
  const labelled = await openEtcView(LABEL_MAP);
  const unlabelled = await openEtcView(null).catch((error: unknown) => {
    labelled.close();
    throw error;
  });
  const close = (): void => {
    labelled.close();
    unlabelled.close();
  };
  try {
    const identity = async (tool: "conntrack" | "tsconntrack"): Promise<Identity> => {
      const run = await runTool(unlabelled, ns, tool, ["-V"]);
      if (run.status !== 0) throw new Error(`${tool} -V exited ${run.status}: ${run.stderr}`);
      return parseIdentity(run.stdout);
    };
    return { labelled, unlabelled, conntrack: await identity("conntrack"), tsconntrack: await identity("tsconntrack"), close };
  } catch (error) {
    close();
    throw error;
  }
}

export function viewFor(session: Session, testCase: DiffCase): EtcView {
  return testCase.noLabelMap ? session.unlabelled : session.labelled;
}

/** tsconntrack's run as conntrack would have printed it (program name and version swapped). */
export function asConntrackRun(session: Session, run: ToolRun): ToolRun {
  return {
    status: run.status,
    stdout: asConntrack(run.stdout, session.tsconntrack, session.conntrack),
    stderr: asConntrack(run.stderr, session.tsconntrack, session.conntrack),
  };
}

/** Resolves a case's `{ID:...}` placeholders against the table in `ns`. */
export function caseArgs(session: Session, ns: string, testCase: DiffCase): Promise<{ ours: string[]; theirs: string[] }> {
  const lookup = async (filter: readonly string[]): Promise<string> => {
    const listed = await runTool(session.labelled, ns, "conntrack", ["-L", "-o", "id", ...filter]);
    return parseSingleId(listed.stdout, filter);
  };
  return Promise.all([resolveIds(testCase.args, lookup), resolveIds(testCase.conntrackArgs ?? testCase.args, lookup)]).then(
    ([ours, theirs]) => ({ ours, theirs }),
  );
}
