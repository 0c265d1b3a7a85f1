// Opens the nfct API for a command line: inside --netns, recording to --record, or answering from
// --replay (no root needed). Replays are strict: tsnfct sends the bytes nfct 1.4.7 sends, so a
// capture of nfct answers exactly the requests it holds.

import { Nfct } from "@tsconntrack/nfct";
import type { NfctExtensions } from "./command-line.js";

export function openNfct(extensions: NfctExtensions): Nfct {
  const { netns, record, replay } = extensions;
  return Nfct.open({
    ...(netns !== undefined ? { netns } : {}),
    ...(record !== undefined ? { record } : {}),
    ...(replay !== undefined ? { replay, replayStrict: true } : {}),
  });
}
