// The specs this repository compiles, relative to packages/codec.

export interface Target {
  readonly spec: string;
  readonly out: string;
}

export const TARGETS: readonly Target[] = [
  { spec: "spec/conntrack.yaml", out: "src/gen/conntrack.ts" },
  { spec: "spec/cttimeout.yaml", out: "src/gen/cttimeout.ts" },
  { spec: "spec/cthelper.yaml", out: "src/gen/cthelper.ts" },
];
