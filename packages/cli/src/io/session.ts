// Opens the conntrack API for a command line: inside --netns, recording to --record, or answering
// from --replay (no root needed). Replays compare only message types: captures of conntrack 1.4.7
// carry its requests, and ours push more filters to the kernel.

import { Conntrack } from "@tsconntrack/conntrack";
import { PcapFileWriter, ReplayTransport } from "@tsconntrack/socket";
import type { ParsedCommand } from "../args/types.js";

/**
 * One replay per capture for the whole process: a capture holds everything one run sent and
 * received, so the commands of a -R file (each opening its own Conntrack) answer from it in turn.
 */
const replays = new Map<string, ReplayTransport>();

function sharedReplay(path: string): ReplayTransport {
  let replay = replays.get(path);
  if (replay === undefined) {
    replay = ReplayTransport.fromPcap(path, { strict: false });
    replays.set(path, replay);
  }
  return replay;
}

/** One capture file per process too: the commands of a -R file record into it one after another. */
const recorders = new Map<string, PcapFileWriter>();

function sharedRecorder(path: string, overwrite: boolean): PcapFileWriter {
  let writer = recorders.get(path);
  if (writer === undefined) {
    writer = new PcapFileWriter(path, { overwrite });
    recorders.set(path, writer);
  }
  return writer;
}

export function openConntrack(cmd: Pick<ParsedCommand, "extensions">): Conntrack {
  const { netns, record, recordOverwrite, replay } = cmd.extensions;
  if (replay !== undefined && netns === undefined && record === undefined) {
    const transport = sharedReplay(replay);
    return Conntrack.open({ transport, eventTransport: transport, ownTransport: false });
  }
  // Combinations with --replay are refused by Conntrack.open with its own message.
  return Conntrack.open({
    ...(netns !== undefined ? { netns } : {}),
    ...(record !== undefined ? { record: sharedRecorder(record, recordOverwrite ?? false) } : {}),
    ...(replay !== undefined ? { replay, replayStrict: false } : {}),
  });
}
