// Who tsnfct says it is. Only the program name and version differ from nfct 1.4.7's texts.

import { PROGRAM_VERSION } from "../io/identity.js";

export const NFCT_PROGRAM = "tsnfct";
export const NFCT_VERSION = PROGRAM_VERSION;

/** nfct_perror(): "tsnfct v0.1.0: MESSAGE\n" (errno is never set where tsnfct prints one). */
export function perror(message: string): string {
  return `${NFCT_PROGRAM} v${NFCT_VERSION}: ${message}\n`;
}

/** nfct_perror() with errno set: "tsnfct v0.1.0: MESSAGE: strerror(errno)\n". */
export function perrorWith(message: string, errorText: string): string {
  return `${NFCT_PROGRAM} v${NFCT_VERSION}: ${message}: ${errorText}\n`;
}

/** usage() of nfct.c. */
export function usage(): string {
  return `Usage: ${NFCT_PROGRAM} command subsystem [parameters]...\n`;
}

/** `nfct version` (nfct.c's version_msg, with our name and version). */
export function versionText(): string {
  return (
    `${NFCT_PROGRAM} v${NFCT_VERSION}: utility for the Netfilter's Connection Tracking System\n` +
    "Copyright (C) 2012 Pablo Neira Ayuso <pablo@netfilter.org>\n" +
    "This program comes with ABSOLUTELY NO WARRANTY.\n" +
    "This is free software, and you are welcome to redistribute it under certain \n" +
    "conditions; see LICENSE file distributed in this package for details.\n"
  );
}

/** `nfct help`, which nfct 1.4.7 can never print: every prefix of "help" names "helper" first. */
export function helpText(): string {
  return (
    `${NFCT_PROGRAM} v${NFCT_VERSION}: utility for the Netfilter's Connection Tracking System\n` +
    `Usage: ${NFCT_PROGRAM} command [parameters]...\n\n` +
    "Subsystem:\n" +
    "  helper\t\tAllows to configure user-space helper\n" +
    "  timeout\t\tAllows definition of fine-grain timeout policies\n" +
    "  version\t\tDisplay version and disclaimer\n" +
    "  help\t\t\tDisplay this help message\n" +
    "Commands:\n" +
    "  list [reset]\t\tList the accounting object table (and reset)\n" +
    "  add object-name\tAdd new accounting object to table\n" +
    "  delete object-name\tDelete existing accounting object\n" +
    "  get object-name\tGet existing accounting object\n" +
    "  disable\t\tDisable queueing packets to userspace for helper inspection\n" +
    "  default-set\t\tSet default timeouts\n" +
    "  default-get\t\tGet default timeouts\n" +
    "  flush\t\t\tFlush accounting object table\n"
  );
}
