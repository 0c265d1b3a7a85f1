// Entries the kernel sent that cannot be decoded (a malformed attribute): each is reported on stderr
// as it is met and skipped, the rest of the listing goes on, and the command fails at the end.

import type { NetlinkDecodeError } from "@tsconntrack/codec";
import { MESSAGE_PREFIX } from "../io/identity.js";
import { writeStderr } from "../io/output.js";

export class UndecodableEntries {
  count = 0;

  /** Reports one entry or event (a ListOptions.onUndecodable callback). */
  readonly report = (error: NetlinkDecodeError): void => {
    this.count++;
    writeStderr(`${MESSAGE_PREFIX}skipped an entry that cannot be decoded: ${error.message}\n`);
  };

  /** The command's status after its summary: failed when anything was skipped. */
  status(otherwise: number): number {
    return this.count > 0 ? 1 : otherwise;
  }
}
