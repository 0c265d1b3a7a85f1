import { describe, expect, it } from "vitest";
import { camelCase, cConstant, pascalCase, propertyKey, safeIdentifier, safeTypeName } from "../../compiler/names.js";

describe("names", () => {
  it.each([
    ["tuple-orig", "tupleOrig"],
    ["ip-v4-src", "ipV4Src"],
    ["proto-src-port", "protoSrcPort"],
    ["proto-icmpv6-id", "protoIcmpv6Id"],
    ["labels mask", "labelsMask"],
    ["new", "new"],
    ["nfgen-family", "nfgenFamily"],
  ])("camelCase(%s) = %s", (name, key) => expect(camelCase(name)).toBe(key));

  it.each([
    ["tuple-attrs", "TupleAttrs"],
    ["nf-ct-tcp-flags-mask", "NfCtTcpFlagsMask"],
    ["nfgenmsg", "Nfgenmsg"],
  ])("pascalCase(%s) = %s", (name, type) => expect(pascalCase(name)).toBe(type));

  it("forms C constants the way YNL's C generator does", () => {
    expect(cConstant("cta-" + "tuple-orig")).toBe("CTA_TUPLE_ORIG");
    expect(cConstant("cta-proto" + "nat-port-min")).toBe("CTA_PROTONAT_PORT_MIN");
    expect(cConstant("nfnlgrp-conntrack-new")).toBe("NFNLGRP_CONNTRACK_NEW");
  });

  it("keeps reserved words as property keys but escapes them as bindings", () => {
    expect(propertyKey("new")).toBe("new");
    expect(propertyKey("delete")).toBe("delete");
    expect(propertyKey("6lowpan")).toBe('"6lowpan"');
    expect(safeIdentifier("delete")).toBe("delete$");
    expect(safeIdentifier("6lowpan")).toBe("_6lowpan");
    expect(safeIdentifier("conntrackFamily")).toBe("conntrackFamily");
  });

  it("never emits a type name that shadows what the generated file uses", () => {
    expect(safeTypeName("uint8-array")).toBe("Uint8Array_");
    expect(safeTypeName("unknown-attr")).toBe("UnknownAttr_");
    expect(safeTypeName("6lowpan-attrs")).toBe("_6lowpanAttrs");
  });
});
