// The compiled form of a YNL netlink-raw spec: plain data emitted by the spec compiler
// (packages/codec/compiler) into src/gen/*.ts, and interpreted by the generic runtime codec.
// Nothing here is logic; the runtime builds its dense lookup tables from these objects once at load.

/** Wire types of an attribute, as named by the netlink-raw schema. */
export type AttrType =
  | "unused" | "pad" | "flag" | "binary" | "string"
  | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64"
  | "uint" | "sint" | "bitfield32" | "nest" | "indexed-array" | "nest-type-value" | "sub-message";

export type ByteOrder = "big-endian" | "little-endian";
export type DisplayHint = "hex" | "mac" | "fddi" | "ipv4" | "ipv6" | "ipv4-or-v6" | "uuid";

export interface AttrDescriptor {
  /** Spec name, e.g. "tuple-orig". */
  readonly name: string;
  /** TypeScript property name (camelCase of the spec name), e.g. "tupleOrig". */
  readonly key: string;
  /** The kernel's C constant, e.g. "CTA_TUPLE_ORIG" (from the set's name-prefix). */
  readonly cName: string;
  /** Attribute type number on the wire (nla_type & NLA_TYPE_MASK). */
  readonly value: number;
  readonly type: AttrType;
  /** Absent means host byte order. */
  readonly byteOrder?: ByteOrder;
  /** For nest / indexed-array: the attribute-set name of the children. */
  readonly nested?: string;
  /** For scalars: the enum or flags definition name. */
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
  /** For binary: a struct definition decoding the payload. */
  readonly struct?: string;
  readonly multiAttr?: boolean;
  /** For sub-message: the family's sub-message definition holding the formats. */
  readonly subMessage?: string;
  /** For sub-message: the sibling attribute (spec name) whose value picks the format. */
  readonly selector?: string;
  /** From checks: exact-len / max-len / min-len. */
  readonly exactLen?: number;
  readonly maxLen?: number;
  readonly minLen?: number;
  readonly doc?: string;
}

export interface AttrSetDescriptor {
  readonly name: string;
  /** TypeScript type name, e.g. "TupleAttrs". */
  readonly typeName: string;
  /** Ordered as in the spec. */
  readonly attrs: readonly AttrDescriptor[];
  readonly doc?: string;
}

export interface EnumEntryDescriptor {
  readonly name: string;
  /** For "enum": the value. For "flags": the bit mask (1 << position), as YNL computes it. */
  readonly value: number;
  readonly doc?: string;
}

export interface EnumDescriptor {
  readonly name: string;
  readonly type: "enum" | "flags";
  readonly entries: readonly EnumEntryDescriptor[];
  readonly doc?: string;
}

export interface StructMemberDescriptor {
  readonly name: string;
  readonly key: string;
  readonly type: AttrType;
  readonly byteOrder?: ByteOrder;
  /** For binary / pad members. */
  readonly len?: number;
  readonly enum?: string;
  readonly enumAsFlags?: boolean;
  readonly displayHint?: DisplayHint;
}

export interface StructDescriptor {
  readonly name: string;
  readonly typeName: string;
  readonly members: readonly StructMemberDescriptor[];
  /** Total size in bytes. */
  readonly size: number;
}

/** One way to read a sub-message: chosen when the selector attribute has `value`. */
export interface SubMessageFormatDescriptor {
  /**
   * The selector value, as the spec writes it: an entry name of the selector's enum, a decimal
   * number for an integer selector without enum, or the text of a string selector.
   */
  readonly value: string;
  /** Struct at the start of the payload; its members join the value's keys. */
  readonly fixedHeader?: string;
  /** Attribute set of the payload (after the fixed header, if any). */
  readonly attributeSet?: string;
}

/** A YNL sub-message: an attribute whose payload format depends on a sibling attribute's value. */
export interface SubMessageDescriptor {
  readonly name: string;
  readonly formats: readonly SubMessageFormatDescriptor[];
}

export interface OpModeDescriptor {
  /** Full 16-bit nlmsg_type of the request (netlink-raw: (subsys << 8) | msg). */
  readonly requestValue?: number;
  readonly requestAttrs?: readonly string[];
  readonly replyValue?: number;
  readonly replyAttrs?: readonly string[];
}

export interface OperationDescriptor {
  readonly name: string;
  readonly key: string;
  readonly attributeSet: string;
  readonly fixedHeader?: string;
  readonly do?: OpModeDescriptor;
  readonly dump?: OpModeDescriptor;
  /** Notifications: the nlmsg_type of the event and its attributes. */
  readonly event?: { readonly value: number; readonly attrs: readonly string[] };
  readonly mcgrp?: string;
  readonly doc?: string;
}

export interface McastGroupDescriptor {
  readonly name: string;
  readonly value: number;
}

export interface FamilyDescriptor {
  readonly name: string;
  readonly protocol: "netlink-raw" | "genetlink" | "genetlink-legacy" | "genetlink-c";
  readonly protonum?: number;
  /** Default fixed header for every operation, if any. */
  readonly fixedHeader?: string;
  readonly enums: Readonly<Record<string, EnumDescriptor>>;
  readonly structs: Readonly<Record<string, StructDescriptor>>;
  readonly attributeSets: Readonly<Record<string, AttrSetDescriptor>>;
  /** Sub-message definitions by name; absent when the spec has none. */
  readonly subMessages?: Readonly<Record<string, SubMessageDescriptor>>;
  readonly operations: readonly OperationDescriptor[];
  readonly mcastGroups: readonly McastGroupDescriptor[];
}

/**
 * An attribute the decoder kept as raw bytes (unknown type, pad, or a repeated non-multi attribute),
 * so that decode → encode reproduces the input byte for byte.
 */
export interface UnknownAttr {
  /** nla_type & NLA_TYPE_MASK. */
  type: number;
  /** nla_type & (NLA_F_NESTED | NLA_F_NET_BYTEORDER), as received. */
  flags: number;
  /** The payload without header and padding (a copy). */
  data: Uint8Array;
  /** Position among the attributes of the enclosing set, where encoding splices it back. */
  index: number;
}
