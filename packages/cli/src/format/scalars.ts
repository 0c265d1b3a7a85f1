// CTA_SECMARK as a number: the conntrack API's reading of its bytes.
export { secmarkValue as secmarkNumber } from "@tsconntrack/conntrack";
