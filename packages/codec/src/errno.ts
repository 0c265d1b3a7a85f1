import { ERRNO_TABLE, KERNEL_INTERNAL_ERRNOS } from "./errno-table.js";

const names = new Map<number, string>();
const texts = new Map<number, string>();
for (const [n, name, text] of ERRNO_TABLE) {
  if (name !== undefined) names.set(n, name);
  texts.set(n, text);
}
for (const [n, name] of KERNEL_INTERNAL_ERRNOS) names.set(n, name);
const numbers = new Map<string, number>([...names].map(([n, name]) => [name, n]));
// Aliases glibc defines with the same number.
numbers.set("EWOULDBLOCK", 11).set("EDEADLOCK", 35).set("ENOTSUP", 95);

/** C name of an errno ("ENOENT"); accepts the negative form netlink carries. Undefined if unknown. */
export function errnoName(errno: number): string | undefined {
  return names.get(Math.abs(errno));
}

/** Number of a C errno name ("ENOENT" → 2). */
export function errnoNumber(name: string): number | undefined {
  return numbers.get(name);
}

/** glibc's strerror() text for an errno (sign ignored); "Unknown error N" like glibc otherwise. */
export function strerror(errno: number): string {
  const n = Math.abs(errno);
  if (n === 0) return "Success";
  return texts.get(n) ?? `Unknown error ${n}`;
}
