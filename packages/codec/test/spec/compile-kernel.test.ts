// (c) The compiler is generic: it compiles the kernel's own conntrack specs too, and the result is
// a consistent descriptor whose module type-checks. The same program checks that our generated
// types follow the codec's value conventions.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { isSpecError } from "../../compiler/errors.js";
import { descriptorProblems } from "./descriptor-check.js";
import { KERNEL_SPECS, missingReference, OUR_SPEC } from "./paths.js";
import { typeCheck } from "./typecheck.js";

// Uses the generated conntrack module the way the layers above do; any drift from the value
// conventions (bigint counters, string addresses, struct objects, $unknown) is a type error.
const USAGE = `
import { conntrackFamily, NfCtStatus, ConntrackRequest, ConntrackMcastGroup } from "./conntrack.js";
import type { ConntrackAttrs, ExpectAttrs, StatsGlobalAttrs } from "./conntrack.js";

const entry: ConntrackAttrs = {
  tupleOrig: {
    tupleIp: { ipV4Src: "10.0.0.1", ipV6Dst: "2001:db8::1" },
    tupleProto: { protoNum: 6, protoSrcPort: 1234 },
    tupleZone: 0,
  },
  status: NfCtStatus.assured | NfCtStatus.seenReply,
  countersOrig: { packets: 1n, bytes: 60n },
  protoinfo: { protoinfoTcp: { tcpState: 3, tcpFlagsOriginal: { flags: 0x8, mask: 0x8 } } },
  timestamp: { start: 1n },
  labels: new Uint8Array(16),
  filter: { origFlags: 0xfff },
  $unknown: [{ type: 99, flags: 0, data: new Uint8Array(4), index: 0 }],
};
const exp: ExpectAttrs = { expectHelpName: "ftp", expectNat: { dir: 1, tuple: {} } };
const stats: StatsGlobalAttrs = { entries: 1, maxEntries: 2 };
const t: 0x101 = ConntrackRequest.get;
const g: 3 = ConntrackMcastGroup.conntrackDestroy;
const n: 12 = conntrackFamily.protonum;
// @ts-expect-error counters are bigint
const bad: ConntrackAttrs = { countersOrig: { packets: 1 } };
export { entry, exp, stats, t, g, n, bad };
`;

const ours = compileSpec(readFileSync(OUR_SPEC, "utf8"), { specPath: "spec/conntrack.yaml" });

describe("compiling specs", () => {
  it("gives a consistent descriptor for our spec", () => {
    expect(descriptorProblems(ours.model.descriptor)).toEqual([]);
  });

  it.skipIf(missingReference(KERNEL_SPECS.newest) !== undefined)(
    "compiles the kernel's conntrack.yaml to a consistent descriptor, and both modules type-check",
    () => {
      const kernel = compileSpec(readFileSync(KERNEL_SPECS.newest, "utf8"), { specPath: "kernel/conntrack.yaml" });
      expect(descriptorProblems(kernel.model.descriptor)).toEqual([]);
      const get = kernel.model.descriptor.operations.find((o) => o.name === "get");
      expect([get?.do?.requestValue, get?.do?.replyValue]).toEqual([0x101, 0x100]);
      const diagnostics = typeCheck({
        "kernel-conntrack.ts": kernel.source,
        "conntrack.ts": ours.source,
        "usage-check.ts": USAGE,
      });
      expect(diagnostics).toEqual([]);
    },
  );

  it.skipIf(missingReference(KERNEL_SPECS.mainline) !== undefined)(
    "rejects the mainline spec's 'labels mask' in strict mode and compiles it leniently",
    () => {
      const text = readFileSync(KERNEL_SPECS.mainline, "utf8");
      let error: unknown;
      try {
        compileSpec(text, { specPath: "mainline.yaml" });
      } catch (e) {
        error = e;
      }
      expect(isSpecError(error)).toBe(true);
      expect((error as Error).message).toContain('"labels mask"');
      const lenient = compileSpec(text, { specPath: "mainline.yaml", strictNames: false });
      expect(descriptorProblems(lenient.model.descriptor)).toEqual([]);
      const labelsMask = lenient.model.descriptor.attributeSets["conntrack-attrs"]?.attrs.find((a) => a.value === 23);
      expect(labelsMask?.key).toBe("labelsMask");
    },
  );
});
