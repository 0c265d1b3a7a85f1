// Opens the conntrack API for a command line: inside --netns, recording to --record, or answering
// from --replay (no root needed). Replays compare only message counts: captures of conntrack 1.4.7
// carry its requests, and ours push more filters to the kernel.

import { Conntrack } from "@tsconntrack/conntrack";
import type { ParsedCommand } from "../args/types.js";

export function openConntrack(cmd: Pick<ParsedCommand, "extensions">): Conntrack {
  const { netns, record, replay } = cmd.extensions;
  return Conntrack.open({
    ...(netns !== undefined ? { netns } : {}),
    ...(record !== undefined ? { record } : {}),
    ...(replay !== undefined ? { replay, replayStrict: false } : {}),
  });
}
