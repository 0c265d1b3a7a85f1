// The compiler front to back on small specs held in memory: resolution, subsets, references, errors.

import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { isSpecError } from "../../compiler/errors.js";

const HEADER = "# SPDX-License-Identifier: MIT\n";

function spec(body: string): string {
  return `${HEADER}name: demo\nprotocol: netlink-raw\nprotonum: 99\ndoc: test family\n${body}`;
}

const BASE = spec(`
definitions:
  - name: hdr
    type: struct
    members:
      - { name: family, type: u8 }
      - { name: pad, type: pad, len: 1 }
      - { name: id, type: u16, byte-order: big-endian }
  - name: colour
    type: enum
    value-start: 2
    entries: [ red, { name: green, doc: "go" }, blue ]
  - name: bits
    type: flags
    entries: [ a, b, c ]
attribute-sets:
  - name: main
    name-prefix: demo-a-
    attributes:
      - { name: first, type: u32, byte-order: big-endian }
      - { name: inner, type: nest, nested-attributes: inner }
      - { name: colour, value: 10, type: u8, enum: colour }
      - { name: bits, type: u32, enum: bits, enum-as-flags: true }
      - { name: addr, type: u32, byte-order: big-endian, display-hint: ipv4 }
      - { name: big, type: u64, multi-attr: true }
      - { name: on, type: flag }
      - { name: pad, type: pad }
  - name: inner
    attributes:
      - { name: name, type: string }
      - { name: blob, type: binary, struct: hdr }
  - name: main-subset
    subset-of: main
    attributes:
      - { name: colour }
      - { name: first }
operations:
  enum-model: directional
  fixed-header: hdr
  list:
    - name: get
      doc: get
      attribute-set: main
      do:
        request: { value: 16, attributes: [ first ] }
        reply: { value: 17, attributes: [ first, inner ] }
    - name: changed
      doc: event
      attribute-set: main
      mcgrp: watch
      event: { attributes: [ first ] }
mcast-groups:
  list:
    - { name: watch, value: 3 }
`);

function specError(text: string): string {
  try {
    compileSpec(text, { specPath: "demo.yaml" });
  } catch (e) {
    if (isSpecError(e)) return e.message;
    throw e;
  }
  throw new Error("expected a SpecError");
}

describe("compiling a small spec", () => {
  const { model, source } = compileSpec(BASE, { specPath: "demo.yaml" });
  const f = model.descriptor;

  it("resolves attribute values, keys and C names", () => {
    expect(f.attributeSets.main!.attrs.map((a) => [a.key, a.value, a.cName])).toEqual([
      ["first", 1, "DEMO_A_FIRST"],
      ["inner", 2, "DEMO_A_INNER"],
      ["colour", 10, "DEMO_A_COLOUR"],
      ["bits", 11, "DEMO_A_BITS"],
      ["addr", 12, "DEMO_A_ADDR"],
      ["big", 13, "DEMO_A_BIG"],
      ["on", 14, "DEMO_A_ON"],
      ["pad", 15, "DEMO_A_PAD"],
    ]);
    // Without name-prefix, YNL's default prefix applies.
    expect(f.attributeSets.inner!.attrs[0]!.cName).toBe("DEMO_A_INNER_NAME");
  });

  it("gives subsets their parent's values", () => {
    expect(f.attributeSets["main-subset"]!.attrs.map((a) => [a.name, a.value, a.type, a.cName])).toEqual([
      ["colour", 10, "u8", "DEMO_A_COLOUR"],
      ["first", 1, "u32", "DEMO_A_FIRST"],
    ]);
  });

  it("resolves enums and flags", () => {
    expect(f.enums.colour!.entries.map((e) => e.value)).toEqual([2, 3, 4]);
    expect(f.enums.bits!.entries.map((e) => e.value)).toEqual([1, 2, 4]);
  });

  it("sizes structs", () => {
    expect(f.structs.hdr!.size).toBe(4);
    expect(f.structs.hdr!.members.map((m) => m.key)).toEqual(["family", "pad", "id"]);
  });

  it("resolves operations, events and groups", () => {
    expect(f.operations[0]).toMatchObject({ key: "get", fixedHeader: "hdr", do: { requestValue: 16, replyValue: 17 } });
    expect(f.operations[1]).toMatchObject({ key: "changed", event: { value: 18, attrs: ["first"] }, mcgrp: "watch" });
    expect(f.mcastGroups).toEqual([{ name: "watch", value: 3 }]);
  });

  it("emits types that follow the value conventions", () => {
    expect(source).toContain("  first?: number;");
    expect(source).toContain("  inner?: Inner;");
    expect(source).toContain("  addr?: string;");
    expect(source).toContain("  big?: bigint[];");
    expect(source).toContain("  on?: true;");
    expect(source).toContain("  blob?: Hdr;");
    expect(source).not.toMatch(/^\s+pad\?:/m);
    expect(source).toContain("  $unknown?: UnknownAttr[];");
    expect(source).toContain("export const demoFamily = {");
    expect(source).toContain("export const DemoRequest = {");
    expect(source).toContain("export const DemoEvent = {");
  });

  it("is deterministic", () => {
    expect(compileSpec(BASE, { specPath: "demo.yaml" }).source).toBe(source);
  });
});

describe("spec errors", () => {
  it("requires the SPDX line", () => {
    expect(specError(BASE.slice(HEADER.length))).toMatch(/SPDX/);
  });
  it("rejects unknown properties", () => {
    expect(specError(BASE.replace("{ name: on, type: flag }", "{ name: on, type: flag, byteorder: x }"))).toMatch(
      /attribute-sets\[0\]\.attributes\[6\]: unknown property "byteorder"/,
    );
  });
  it("rejects names outside ^[0-9a-z-]+$", () => {
    expect(specError(BASE.replace("{ name: on,", "{ name: On,"))).toMatch(/name "On"/);
  });
  it("rejects unknown references", () => {
    expect(specError(BASE.replace("nested-attributes: inner }", "nested-attributes: nope }"))).toMatch(/unknown attribute set "nope"/);
    expect(specError(BASE.replace("enum: colour }", "enum: nope }"))).toMatch(/unknown enum "nope"/);
    expect(specError(BASE.replace("attributes: [ first, inner ]", "attributes: [ first, nope ]"))).toMatch(/"nope" is not an attribute of "main"/);
    expect(specError(BASE.replace("mcgrp: watch", "mcgrp: nope"))).toMatch(/unknown multicast group "nope"/);
  });
  it("rejects two attributes with one wire id", () => {
    expect(specError(BASE.replace("{ name: bits, type: u32,", "{ name: bits, value: 1, type: u32,"))).toMatch(/same value 1 as "first"/);
  });
  it("rejects two elements that become one identifier", () => {
    const clash = BASE.replace("  - name: main-subset\n    subset-of: main", "  - name: hdr-x\n    subset-of: main").replace(
      "  - name: hdr\n    type: struct",
      "  - name: hdr-x\n    type: struct",
    );
    expect(specError(clash.replace("fixed-header: hdr\n", "fixed-header: hdr-x\n").replace("struct: hdr }", "struct: hdr-x }"))).toMatch(/both become the identifier "HdrX"/);
  });
});
