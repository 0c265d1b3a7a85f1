// What -E says about its receive buffer. With -b: conntrack's NOTICE with the size granted (1.4.7
// prints it too, but sets the size on the wrong socket). Without -b we ask for a large buffer and
// speak up only when the kernel granted less (no CAP_NET_ADMIN: SO_RCVBUF is capped by rmem_max).

import { DEFAULT_EVENT_RECEIVE_BUFFER } from "@tsconntrack/socket";
import { bufferSizeNotice } from "../format/summary.js";

/** Asked for by default (the socket package's event default, which the kernel doubles). */
export const DEFAULT_EVENT_BUFFER = DEFAULT_EVENT_RECEIVE_BUFFER;

/** The stderr text (with newline) for a granted size, or "". */
export function bufferReport(requested: number | undefined, granted: number): string {
  if (requested !== undefined) return bufferSizeNotice(granted) + "\n";
  // The kernel doubles the request (for its bookkeeping), so a full grant reads back as 2x.
  if (granted >= DEFAULT_EVENT_BUFFER * 2) return "";
  return (
    `NOTICE: Netlink socket buffer size is ${granted} bytes, less than the ${DEFAULT_EVENT_BUFFER * 2} asked for ` +
    "(SO_RCVBUFFORCE needs CAP_NET_ADMIN; SO_RCVBUF is capped by net.core.rmem_max). Events may be lost under load.\n"
  );
}
