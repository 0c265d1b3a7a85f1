// The specs this repository compiles, relative to packages/codec.

export interface Target {
  readonly spec: string;
  readonly out: string;
}

export const TARGETS: readonly Target[] = [{ spec: "spec/conntrack.yaml", out: "src/gen/conntrack.ts" }];
