// YNL sub-messages, proved on a made-up family compiled from YAML held here: a payload whose format
// a sibling attribute picks (an integer with an enum, and a string), fixed headers, empty formats,
// multi-attr sub-messages, a selector that comes after the payload, and payloads no format fits
// (kept in $unknown, so decode → encode still gives the same bytes).

import { describe, expect, it } from "vitest";
import { compileSpec } from "../../compiler/compile.js";
import { isSpecError } from "../../compiler/errors.js";
import { createFamilyCodec, isNetlinkDecodeError, isNetlinkEncodeError, NLA_F_NESTED } from "../../src/index.js";
import { typeCheck } from "../spec/typecheck.js";
import { hex as unhex, toHex as hex } from "../helpers/hex.js";

const SPEC = `# SPDX-License-Identifier: MIT
name: gadget
protocol: netlink-raw
protonum: 31
doc: A made-up family whose payloads depend on a sibling attribute.
definitions:
  - name: hdr
    type: struct
    members:
      - { name: family, type: u8 }
      - { name: pad, type: pad, len: 3 }
  - name: engine
    type: enum
    entries:
      - { name: steam, value: 1 }
      - { name: diesel, value: 6 }
      - { name: electric, value: 200 }
  - name: tag
    type: struct
    members:
      - { name: id, type: u16, byte-order: big-endian }
      - { name: flags, type: u16, byte-order: big-endian }
attribute-sets:
  - name: gadget-attrs
    name-prefix: gadget-a-
    attributes:
      - { name: name, value: 1, type: string }
      - { name: engine, value: 2, type: u8, enum: engine }
      - { name: data, value: 3, type: sub-message, sub-message: engine-data, selector: engine }
      - { name: kind, value: 4, type: string }
      - { name: opts, value: 5, type: sub-message, sub-message: kind-opts, selector: kind, multi-attr: true }
      - { name: size, value: 6, type: u16, byte-order: big-endian }
      - { name: sized, value: 7, type: sub-message, sub-message: size-data, selector: size }
  - name: steam-attrs
    name-prefix: gadget-steam-
    attributes:
      - { name: pressure, value: 1, type: u32, byte-order: big-endian }
      - { name: coal, value: 2, type: string }
  - name: diesel-attrs
    name-prefix: gadget-diesel-
    attributes:
      - { name: litres, value: 1, type: u16, byte-order: big-endian }
      - { name: inner, value: 2, type: nest, nested-attributes: steam-attrs }
  - name: opt-attrs
    name-prefix: gadget-opt-
    attributes:
      - { name: level, value: 1, type: u8 }
sub-messages:
  - name: engine-data
    formats:
      - { value: steam, attribute-set: steam-attrs }
      - { value: diesel, attribute-set: diesel-attrs }
      - { value: electric }
  - name: kind-opts
    formats:
      - { value: tagged, fixed-header: tag, attribute-set: opt-attrs }
      - { value: plain, attribute-set: opt-attrs }
      - { value: bare, fixed-header: tag }
  - name: size-data
    formats:
      - { value: "2", attribute-set: opt-attrs }
operations:
  enum-model: directional
  fixed-header: hdr
  list:
    - name: new
      attribute-set: gadget-attrs
      do:
        request:
          value: 0x1f00
          attributes: [name, engine, data, kind, opts]
`;

const compiled = compileSpec(SPEC, { specPath: "gadget.yaml" });
const gadget = createFamilyCodec(compiled.model.descriptor);

/** nlattr bytes as hex: 4-byte header (host order, little-endian here) + payload + padding. */
function attr(type: number, payloadHex: string): string {
  const len = 4 + payloadHex.length / 2;
  const header = hex(Uint8Array.of(len & 0xff, len >> 8, type & 0xff, type >> 8));
  return header + payloadHex + "00".repeat((4 - (len % 4)) % 4);
}
const nest = (type: number, inner: string) => attr(type | NLA_F_NESTED, inner);

describe("sub-message (made-up family)", () => {
  it("the generated module type-checks and types the payload as a union of its formats", () => {
    expect(typeCheck({ "gadget.ts": compiled.source })).toEqual([]);
    expect(compiled.source).toContain("data?: SteamAttrs | DieselAttrs | Record<string, never>;");
    expect(compiled.source).toContain("opts?: (Tag & OptAttrs | OptAttrs | Tag)[];");
    expect(compiled.model.descriptor.subMessages?.["engine-data"]?.formats.map((f) => f.value)).toEqual(["steam", "diesel", "electric"]);
  });

  it.each([
    {
      name: "an enum selector before the payload",
      value: { engine: 1, data: { pressure: 0x01020304, coal: "lump" } },
      bytes: attr(2, "01") + nest(3, attr(1, "01020304") + attr(2, hex(new TextEncoder().encode("lump\0")))),
    },
    {
      name: "another format of the same sub-message, with a nest inside",
      value: { engine: 6, data: { litres: 40, inner: { pressure: 7 } } },
      bytes: attr(2, "06") + nest(3, attr(1, "0028") + nest(2, attr(1, "00000007"))),
    },
    {
      name: "the selector after the payload (key order is kept)",
      value: { data: { litres: 1 }, engine: 6 },
      bytes: nest(3, attr(1, "0001")) + attr(2, "06"),
    },
    {
      name: "an empty format",
      value: { engine: 200, data: {} },
      bytes: attr(2, "c8") + attr(3, ""),
    },
    {
      name: "a string selector and a multi-attr sub-message with fixed headers",
      value: { kind: "tagged", opts: [{ id: 1, flags: 2, level: 3 }, { id: 4, flags: 5 }] },
      bytes: attr(4, "74616767656400") + nest(5, "00010002" + attr(1, "03")) + nest(5, "00040005"),
    },
    {
      name: "a fixed header only (not a nest)",
      value: { kind: "bare", opts: [{ id: 9, flags: 0 }] },
      bytes: attr(4, "6261726500") + attr(5, "00090000"),
    },
    {
      name: "an integer selector without enum",
      value: { size: 2, sized: { level: 1 } },
      bytes: attr(6, "0002") + nest(7, attr(1, "01")),
    },
  ])("$name: bytes ⇄ value", ({ value, bytes }) => {
    expect(hex(gadget.encodeAttrs("gadget-attrs", value))).toBe(bytes);
    expect(gadget.decodeAttrs("gadget-attrs", unhex(bytes))).toEqual(value);
  });

  it("accepts the selector's enum member name when encoding", () => {
    const bytes = gadget.encodeAttrs("gadget-attrs", { engine: "steam", data: { pressure: 1 } });
    expect(gadget.decodeAttrs("gadget-attrs", bytes)).toEqual({ engine: 1, data: { pressure: 1 } });
  });

  it.each([
    { name: "a selector value no format names", bytes: attr(2, "63") + nest(3, attr(1, "0001")), index: 1 },
    { name: "no selector at all", bytes: attr(1, "7800") + nest(3, attr(1, "0001")), index: 1 },
    { name: "a fixed header of the wrong size", bytes: attr(4, "6261726500") + attr(5, "000900"), index: 1 },
  ])("keeps the payload in $unknown for $name, byte for byte", ({ bytes, index }) => {
    const decoded = gadget.decodeAttrs<{ $unknown?: { index: number }[] }>("gadget-attrs", unhex(bytes));
    expect(decoded.$unknown?.map((u) => u.index)).toEqual([index]);
    expect(Object.keys(decoded)).not.toContain("data");
    expect(Object.keys(decoded)).not.toContain("opts");
    expect(hex(gadget.encodeAttrs("gadget-attrs", decoded))).toBe(bytes);
  });

  it("keeps $unknown in order when a resolved and an unresolved payload mix", () => {
    const bytes = attr(4, "706c61696e00") + nest(5, attr(1, "01")) + attr(99, "ab") + nest(5, attr(1, "02"));
    const decoded = gadget.decodeAttrs("gadget-attrs", unhex(bytes));
    expect(decoded).toMatchObject({ kind: "plain", opts: [{ level: 1 }, { level: 2 }] });
    expect(hex(gadget.encodeAttrs("gadget-attrs", decoded))).toBe(bytes);
  });

  it("reports errors inside a payload with the path through the sub-message", () => {
    const bytes = unhex(attr(2, "06") + nest(3, attr(1, "00")));
    let error: unknown;
    try {
      gadget.decodeAttrs("gadget-attrs", bytes);
    } catch (e) {
      error = e;
    }
    expect(isNetlinkDecodeError(error)).toBe(true);
    expect((error as { path: string }).path).toBe("gadget-attrs.data.litres");
    // The same bytes in a message (nlmsghdr, the 4-byte hdr), as an extack offset would point into it.
    const message = new Uint8Array(20 + bytes.length);
    new DataView(message.buffer).setUint32(0, message.length, true);
    new DataView(message.buffer).setUint16(4, 0x1f00, true);
    message.set(bytes, 20);
    expect(gadget.attrPath(undefined, message, 20 + 8 + 4)).toBe("gadget-attrs.data.litres");
  });

  it("refuses to encode a payload whose selector names no format", () => {
    expect(() => gadget.encodeAttrs("gadget-attrs", { engine: 99, data: {} })).toThrow(/engine = 99 names no format of engine-data/);
    expect(() => gadget.encodeAttrs("gadget-attrs", { data: {} })).toThrow(/needs engine beside it/);
    let error: unknown;
    try {
      gadget.encodeAttrs("gadget-attrs", { kind: "bare", opts: [{ id: 1, level: 2 }] });
    } catch (e) {
      error = e;
    }
    expect(isNetlinkEncodeError(error)).toBe(true);
  });

  it.each([
    ["a selector that is not a sibling", SPEC.replace("selector: engine }", "selector: pressure }"), /only a sibling can select/],
    ["a format value the enum lacks", SPEC.replace("{ value: electric }", "{ value: nuclear }"), /"nuclear" is not an entry of enum "engine"/],
    ["a non-number for a plain integer", SPEC.replace('{ value: "2", attribute-set', "{ value: two, attribute-set"), /not a decimal number/],
    ["an unknown sub-message", SPEC.replace("sub-message: size-data", "sub-message: nope"), /unknown sub-message "nope"/],
    ["a missing selector", SPEC.replace(", selector: size }", " }"), /needs "selector"/],
    ["an unknown format set", SPEC.replace("{ value: plain, attribute-set: opt-attrs }", "{ value: plain, attribute-set: nope }"), /unknown attribute set "nope"/],
  ])("the compiler rejects %s", (_, text, message) => {
    let error: unknown;
    try {
      compileSpec(text, { specPath: "gadget.yaml" });
    } catch (e) {
      error = e;
    }
    expect(isSpecError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
