// Argument lists where tsconntrack still differs from conntrack 1.4.7, each with its cause. Their
// tests are `it.fails`: they pass while the difference remains and fail once it is fixed, so a fix
// must also delete its line here. Keys are test titles (case.ts caseTitle, cases-write.ts writeTitle).

const GRE_KEYS = "1.4.7 does not filter -L on GRE keys (every gre entry is listed); tsconntrack filters on them";
const STATUS_MASK_ZERO =
  "1.4.7 sends CTA_STATUS with a zero mask and the kernel answers EINVAL (`Operation failed: invalid parameters`, exit 1); tsconntrack lists everything";
const GET_FILTERED_OUT =
  "-G whose answer the userspace filter drops: 1.4.7 prints `0 flow entries have been shown.` and exits 1, tsconntrack exits 0";
const UPDATE_ECHO =
  "-U on several entries: 1.4.7 prints the follow-up GET answer of only some updated entries (GET sent with NLM_F_ACK, fixed in 1.4.8); tsconntrack prints each";

const PIPE =
  "tsconntrack bug: with stdout on a pipe, loading the netlink stack fails (`Cannot find module '@yuuang/ffi-rs-linux-x64-gnu'`, ffi-rs/index.js resolved through packages/socket/node_modules without realpath); works with a file, or when NODE_PATH has node_modules/.pnpm/node_modules";

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  "-L (stdout on a pipe)": PIPE,
  "-L -o xml (stdout on a pipe)": PIPE,
  // Read-only lists (read.test.ts)
  "-L -p gre --srckey 0x1234": GRE_KEYS,
  "-L -p gre --dstkey 65535": GRE_KEYS,
  "-L -p gre --reply-key-src 0x5678": GRE_KEYS,
  "-L -u UNSET": STATUS_MASK_ZERO,
  "-L -u S (no label map)": STATUS_MASK_ZERO,
  "-G -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 12345 --dport 80 -i 1": GET_FILTERED_OUT,
  "-G -s 10.0.0.1 -d 10.0.0.2 -p dccp --sport 7 --dport 8": GET_FILTERED_OUT,
  "-G -r 3.3.3.3 -q 1.1.1.1 -p tcp --reply-port-src 8080 --reply-port-dst 10":
    "-G by reply tuple only: 1.4.7 gets `Operation failed: invalid parameters` (exit 1) from the kernel; tsconntrack finds the entry",

  // Write commands on twin tables (write.test.ts)
  "-U -s 10.0.0.1 -p tcp --dport 80 -m 42": UPDATE_ECHO,
  "-U -s 10.0.0.5 -t 1234":
    "-U on zoned entries: 1.4.7 sends the update without the zone, prints an unprefixed `Operation failed: No such file or directory` and leaves them unchanged; tsconntrack updates them",
  "-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100 --orig-zone 4":
    "tsconntrack bug: -I --orig-zone fails with `Operation failed: invalid parameters` (conntrack creates zone-orig=4)",
  "-I -p tcp -s 10.5.0.1 -d 10.5.0.2 --sport 1 --dport 2 --state ESTABLISHED -t 100 --reply-zone 5":
    "tsconntrack bug: -I --reply-zone is dropped (entry created without zone-reply=5)",
  "-A -s 2001:db8:5::1 -d 2001:db8:5::2 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 -t 30":
    "tsconntrack bug: -A icmpv6 without --icmpv6-id fails with `Operation failed: Invalid argument` (conntrack adds it)",
  "-R {FILE:delete.txt}": "-R with -D lines: conntrack prints each deleted entry on stdout, tsconntrack prints nothing",
  "-R {FILE:update.txt}":
    "-R with a -U line: 1.4.7 leaves the entry unchanged (mark stays 0, nothing printed); tsconntrack updates it",
  "-R {FILE:refused.txt}":
    "-R with a refused line (-L): 1.4.7 parses every line before running any, so nothing runs; tsconntrack runs the lines before it (the gre entries are gone)",
};
