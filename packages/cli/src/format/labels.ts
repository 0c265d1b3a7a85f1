// CTA_LABELS bits and their names: the conntrack API's (one implementation).
export { labelBits, labelNames } from "@tsconntrack/conntrack";
