import { isNetlinkSocketError } from "@tsconntrack/socket";
import { EEXIST, ENOENT } from "./constants.js";
import { errorGuard, FieldArgumentError } from "@tsconntrack/codec";

/** An argument the API cannot turn into a request (bad address, impossible filter); nothing was sent. */
export class ConntrackArgumentError extends FieldArgumentError {
  override readonly name = "ConntrackArgumentError";
}

export const isConntrackArgumentError = errorGuard<ConntrackArgumentError>("ConntrackArgumentError");

/** The kernel answered ENOENT (no such entry or expectation). */
export function isNotFoundError(value: unknown): boolean {
  return isNetlinkSocketError(value) && value.errno === ENOENT;
}

/** The kernel answered EEXIST (create of an entry that exists). */
export function isExistsError(value: unknown): boolean {
  return isNetlinkSocketError(value) && value.errno === EEXIST;
}
