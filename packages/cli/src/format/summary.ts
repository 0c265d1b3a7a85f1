/** Texts conntrack 1.4.7 writes on stderr. Lines are returned without their newline. */

export const PROGRAM_PREFIX = "conntrack v1.4.7 (conntrack-tools): ";

/** Which counter message a command ends with (conntrack's exit_msg table). */
export type SummaryKind =
  | "list" // -L, -L dying, -L unconfirmed
  | "get" // -G
  | "create" // -I
  | "add" // -A
  | "update" // -U
  | "delete" // -D
  | "events" // -E
  | "expect-list" // -L expect
  | "expect-delete" // -D expect: reuses the "shown" text and never counts
  | "expect-events"; // -E expect

const SUMMARY_TEXT: Readonly<Record<SummaryKind, string>> = {
  list: "flow entries have been shown.",
  get: "flow entries have been shown.",
  create: "flow entries have been created.",
  add: "flow entries have been added.",
  update: "flow entries have been updated.",
  delete: "flow entries have been deleted.",
  events: "flow events have been shown.",
  "expect-list": "expectations have been shown.",
  "expect-delete": "expectations have been shown.",
  "expect-events": "expectation events have been shown.",
};

/** e.g. "conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown." (count printed with %d). */
export function summaryLine(kind: SummaryKind, count: number): string {
  return PROGRAM_PREFIX + (count | 0) + " " + SUMMARY_TEXT[kind];
}

/** -F: printed before the kernel's answer is checked, so it also precedes an EPERM error. */
export const FLUSH_CONNTRACK_LINE = PROGRAM_PREFIX + "connection tracking table has been emptied.";
export const FLUSH_EXPECT_LINE = PROGRAM_PREFIX + "expectation table has been emptied.";

/** `-V` (on stdout). */
export const VERSION_LINE = "conntrack v1.4.7 (conntrack-tools)";

/** -E on a socket overrun: printed on every ENOBUFS, and the loop continues. */
export const ENOBUFS_WARNING_LINES: readonly string[] = [
  "WARNING: We have hit ENOBUFS! We are losing events.",
  "This message means that the current netlink socket buffer size is too small.",
  // conntrack points to conntrack(8); our -b (the event socket's buffer) is described in ours.
  "Please, check --buffer-size in tsconntrack(8) manpage.",
];

/** -b: the size read back with getsockopt (the kernel doubles the request). */
export function bufferSizeNotice(bytes: number): string {
  return "NOTICE: Netlink socket buffer size has been set to " + bytes + " bytes.";
}
