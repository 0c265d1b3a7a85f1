// A small hand-written family covering every attribute type and byte order the runtime supports.
import type { FamilyDescriptor } from "../../src/schema/descriptor.js";

export const miniFamily: FamilyDescriptor = {
  name: "mini",
  protocol: "netlink-raw",
  protonum: 12,
  fixedHeader: "nfgenmsg",
  enums: {
    state: { name: "state", type: "enum", entries: [{ name: "none", value: 0 }, { name: "up", value: 1 }, { name: "down", value: 2 }] },
    bits: { name: "bits", type: "flags", entries: [{ name: "a", value: 1 }, { name: "b", value: 2 }, { name: "c", value: 4 }, { name: "top", value: 0x80000000 }] },
  },
  structs: {
    nfgenmsg: {
      name: "nfgenmsg", typeName: "Nfgenmsg", size: 4,
      members: [
        { name: "nfgen-family", key: "nfgenFamily", type: "u8" },
        { name: "version", key: "version", type: "u8" },
        { name: "res-id", key: "resId", type: "u16", byteOrder: "big-endian" },
      ],
    },
    mixed: {
      name: "mixed", typeName: "Mixed", size: 16,
      members: [
        { name: "a", key: "a", type: "u16", byteOrder: "little-endian" },
        { name: "pad", key: "pad", type: "pad", len: 2 },
        { name: "b", key: "b", type: "u32", byteOrder: "big-endian" },
        { name: "addr", key: "addr", type: "u32", byteOrder: "big-endian", displayHint: "ipv4" },
        { name: "tail", key: "tail", type: "binary", len: 3 },
        { name: "s", key: "s", type: "s8" },
      ],
    },
  },
  attributeSets: {
    "all-attrs": {
      name: "all-attrs", typeName: "AllAttrs",
      attrs: [
        { name: "u8", key: "u8", cName: "A_U8", value: 1, type: "u8" },
        { name: "u16-be", key: "u16Be", cName: "A_U16_BE", value: 2, type: "u16", byteOrder: "big-endian" },
        { name: "u16-le", key: "u16Le", cName: "A_U16_LE", value: 3, type: "u16", byteOrder: "little-endian" },
        { name: "u32-be", key: "u32Be", cName: "A_U32_BE", value: 4, type: "u32", byteOrder: "big-endian" },
        { name: "u32-le", key: "u32Le", cName: "A_U32_LE", value: 5, type: "u32", byteOrder: "little-endian" },
        { name: "u64-be", key: "u64Be", cName: "A_U64_BE", value: 6, type: "u64", byteOrder: "big-endian" },
        { name: "u64-le", key: "u64Le", cName: "A_U64_LE", value: 7, type: "u64", byteOrder: "little-endian" },
        { name: "s8", key: "s8", cName: "A_S8", value: 8, type: "s8" },
        { name: "s16-be", key: "s16Be", cName: "A_S16_BE", value: 9, type: "s16", byteOrder: "big-endian" },
        { name: "s32-le", key: "s32Le", cName: "A_S32_LE", value: 10, type: "s32", byteOrder: "little-endian" },
        { name: "s64-be", key: "s64Be", cName: "A_S64_BE", value: 11, type: "s64", byteOrder: "big-endian" },
        { name: "name", key: "name", cName: "A_NAME", value: 12, type: "string" },
        { name: "blob", key: "blob", cName: "A_BLOB", value: 13, type: "binary" },
        { name: "on", key: "on", cName: "A_ON", value: 14, type: "flag" },
        { name: "addr4", key: "addr4", cName: "A_ADDR4", value: 15, type: "u32", byteOrder: "big-endian", displayHint: "ipv4" },
        { name: "addr6", key: "addr6", cName: "A_ADDR6", value: 16, type: "binary", displayHint: "ipv6" },
        { name: "mixed", key: "mixed", cName: "A_MIXED", value: 17, type: "binary", struct: "mixed" },
        { name: "inner", key: "inner", cName: "A_INNER", value: 18, type: "nest", nested: "inner-attrs" },
        { name: "many", key: "many", cName: "A_MANY", value: 19, type: "u32", byteOrder: "big-endian", multiAttr: true },
        { name: "pad", key: "pad", cName: "A_PAD", value: 20, type: "pad" },
        { name: "uint", key: "uint", cName: "A_UINT", value: 21, type: "uint" },
        { name: "sint", key: "sint", cName: "A_SINT", value: 22, type: "sint" },
        { name: "bf", key: "bf", cName: "A_BF", value: 23, type: "bitfield32" },
        { name: "any-addr", key: "anyAddr", cName: "A_ANY_ADDR", value: 24, type: "binary", displayHint: "ipv4-or-v6" },
        { name: "u32-host", key: "u32Host", cName: "A_U32_HOST", value: 25, type: "u32" },
        { name: "addr4-bytes", key: "addr4Bytes", cName: "A_ADDR4_BYTES", value: 26, type: "binary", displayHint: "ipv4" },
        { name: "state", key: "state", cName: "A_STATE", value: 27, type: "u8", enum: "state" },
        { name: "bits", key: "bits", cName: "A_BITS", value: 28, type: "u32", byteOrder: "big-endian", enum: "bits", enumAsFlags: true },
        { name: "u64-host", key: "u64Host", cName: "A_U64_HOST", value: 29, type: "u64" },
        { name: "s16-le", key: "s16Le", cName: "A_S16_LE", value: 30, type: "s16", byteOrder: "little-endian" },
        { name: "s32-be", key: "s32Be", cName: "A_S32_BE", value: 31, type: "s32", byteOrder: "big-endian" },
        { name: "s64-le", key: "s64Le", cName: "A_S64_LE", value: 32, type: "s64", byteOrder: "little-endian" },
        { name: "u16-host", key: "u16Host", cName: "A_U16_HOST", value: 33, type: "u16" },
      ],
    },
    "inner-attrs": {
      name: "inner-attrs", typeName: "InnerAttrs",
      attrs: [
        { name: "value", key: "value", cName: "I_VALUE", value: 1, type: "u32", byteOrder: "big-endian" },
        { name: "child", key: "child", cName: "I_CHILD", value: 2, type: "nest", nested: "inner-attrs" },
        { name: "label", key: "label", cName: "I_LABEL", value: 3, type: "string" },
      ],
    },
  },
  operations: [
    { name: "get", key: "get", attributeSet: "all-attrs", do: { requestValue: 0x101, replyValue: 0x100 }, dump: { requestValue: 0x101, replyValue: 0x100 } },
    { name: "probe", key: "probe", attributeSet: "inner-attrs", do: { requestValue: 0x105, replyValue: 0x106 } },
    { name: "notify", key: "notify", attributeSet: "inner-attrs", event: { value: 0x102, attrs: ["value"] } },
  ],
  mcastGroups: [],
};
