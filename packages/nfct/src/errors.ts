import { isNetlinkSocketError } from "@tsconntrack/socket";
import { errorGuard } from "@tsconntrack/codec";

/** An argument the API cannot turn into a request (a policy without a protocol, say); nothing was sent. */
export class NfctArgumentError extends Error {
  override readonly name = "NfctArgumentError";
  /** The option or field at fault, e.g. "policy.l4proto". */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

export const isNfctArgumentError = errorGuard<NfctArgumentError>("NfctArgumentError");

const ENOENT = 2;

/** The kernel answered ENOENT (no such policy or helper). */
export function isNotFoundError(value: unknown): boolean {
  return isNetlinkSocketError(value) && value.errno === ENOENT;
}
