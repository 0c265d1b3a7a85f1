// Argument lists where tsconntrack still differs from conntrack 1.4.7, each with its cause. Their
// tests are `it.fails`: they pass while the difference remains and fail once it is fixed, so a fix
// must also delete its line here. Keys are case titles (case.ts caseTitle).

export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};
