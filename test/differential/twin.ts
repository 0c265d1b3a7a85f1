// One side of a twin pair: a namespace holding the twin table, and the runs a write case needs there.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSingleId, resolveIds } from "./case.js";
import type { EtcView } from "./etc-view.js";
import { runTool, type Tool, type ToolRun } from "./run.js";

export interface TwinSide {
  readonly ns: string;
  /** Runs a tool with `{ID:filter}` and `{FILE:name}` placeholders resolved in this namespace. */
  run(tool: Tool, args: readonly string[]): Promise<ToolRun>;
  /** The table as conntrack lists it (labels shown, no ids: they differ between twins). */
  list(filter?: readonly string[]): Promise<string>;
}

const FILE_PLACEHOLDER = /\{FILE:([^}]*)\}/;

/** `files` are written to a temporary directory for `{FILE:name}`; call the returned cleanup afterwards. */
export function twinSide(view: EtcView, ns: string, files: Readonly<Record<string, string>> = {}): TwinSide & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "diff-twin-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const lookup = async (filter: readonly string[]): Promise<string> => {
    const listed = await runTool(view, ns, "conntrack", ["-L", "-o", "id", ...filter]);
    return parseSingleId(listed.stdout, filter);
  };
  const resolve = async (args: readonly string[]): Promise<string[]> =>
    (await resolveIds(args, lookup)).map((arg) => arg.replace(FILE_PLACEHOLDER, (_all, name: string) => join(dir, name)));
  return {
    ns,
    run: async (tool, args) => runTool(view, ns, tool, await resolve(args)),
    list: async (filter = []) => (await runTool(view, ns, "conntrack", ["-L", "-o", "labels", ...filter])).stdout,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
