import { isNetlinkSocketError } from "@tsconntrack/socket";
import { errorGuard, FieldArgumentError } from "@tsconntrack/codec";

/** An argument the API cannot turn into a request (a policy without a protocol, say); nothing was sent. */
export class NfctArgumentError extends FieldArgumentError {
  override readonly name = "NfctArgumentError";
}

export const isNfctArgumentError = errorGuard<NfctArgumentError>("NfctArgumentError");

const ENOENT = 2;

/** The kernel answered ENOENT (no such policy or helper). */
export function isNotFoundError(value: unknown): boolean {
  return isNetlinkSocketError(value) && value.errno === ENOENT;
}
