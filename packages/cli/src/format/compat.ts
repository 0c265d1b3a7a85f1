/**
 * Compile-time proof that values decoded by the generated codec types can be passed to the
 * formatters unchanged. Only one constant exists at run time.
 */
import type {
  ConntrackAttrs, ConntrackStatsAttrs, ExpStatsAttrs, ExpectAttrs, StatsGlobalAttrs,
} from "@tsconntrack/codec/conntrack";
import type { ConntrackValue, CpuStatsValue, ExpectCpuStatsValue, ExpectValue, GlobalStatsValue } from "./types.js";

type Assignable<From, To> = [From] extends [To] ? true : never;

export type GeneratedTypesFitFormatters = [
  Assignable<ConntrackAttrs, ConntrackValue>,
  Assignable<ExpectAttrs, ExpectValue>,
  Assignable<ConntrackStatsAttrs, CpuStatsValue>,
  Assignable<ExpStatsAttrs, ExpectCpuStatsValue>,
  Assignable<StatsGlobalAttrs, GlobalStatsValue>,
];
const proof: GeneratedTypesFitFormatters = [true, true, true, true, true];
void proof;
