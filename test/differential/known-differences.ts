// Argument lists where tsconntrack still differs from conntrack 1.4.7, each with its cause. Their
// tests are `it.fails`: they pass while the difference remains and fail once it is fixed, so a fix
// must also delete its line here. Keys are test titles (case.ts caseTitle, cases-write.ts writeTitle).
// A difference is either fixed or made a deliberate deviation (packages/cli/DEVIATIONS.md, with a case
// that asserts the correct result by name); none is left open at the moment.

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};
