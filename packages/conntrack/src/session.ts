// The conntrack API's sockets: @tsconntrack/socket's NetlinkSession, reporting bad options as
// ConntrackArgumentError as it always has.
import { NetlinkSession, type SessionOptions } from "@tsconntrack/socket";
import { ConntrackArgumentError } from "./errors.js";

export type { SessionOptions, EventSocketOptions } from "@tsconntrack/socket";

export class Session extends NetlinkSession {
  constructor(options: SessionOptions) {
    super(options, (field, message) => new ConntrackArgumentError(field, message), "Conntrack");
  }
}
