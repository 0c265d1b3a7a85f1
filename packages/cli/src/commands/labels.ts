// The label map a command prints with: loaded when -o labels, -l or --label-* asked for it.

import type { ParsedCommand } from "../args/types.js";
import type { LabelMap } from "../format/types.js";
import { labelNames } from "../args/label-map.js";
import { loadLabelMap } from "../io/system-files.js";

export function loadedLabelMap(cmd: ParsedCommand): LabelMap | undefined {
  const wanted = cmd.output.labels || cmd.labels !== undefined || cmd.labelAdd !== undefined || cmd.labelDel !== undefined;
  if (!wanted) return undefined;
  const load = loadLabelMap(cmd.extensions.labelMap);
  return "map" in load ? labelNames(load.map) : undefined;
}
