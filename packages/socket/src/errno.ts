/** errno number → symbolic code and glibc text, for socket-level errors. */
import { errnoName, strerror } from "@tsconntrack/codec";

/** "EPERM" for 1; "E123" when unknown. */
export function errnoCode(errno: number): string {
  return errnoName(errno) ?? `E${Math.abs(errno)}`;
}

/** glibc's strerror() text, as conntrack prints it. */
export function errnoText(errno: number): string {
  return strerror(errno);
}
