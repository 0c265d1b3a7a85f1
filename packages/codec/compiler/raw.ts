// The shape of a netlink-raw spec after validate-structure has checked it: still the spec's own
// vocabulary (kebab-case keys), with implicit values not yet resolved.

export type Raw = Readonly<Record<string, unknown>>;

export interface RawEnumEntry {
  readonly name: string;
  readonly value?: number;
  readonly doc?: string;
}

export interface RawDefinition extends Raw {
  readonly name: string;
  readonly type: "const" | "enum" | "flags" | "struct";
  readonly doc?: string;
  readonly value?: string | number;
  readonly "value-start"?: string | number;
  readonly "name-prefix"?: string;
  readonly entries?: readonly (string | RawEnumEntry)[];
  readonly members?: readonly RawStructMember[];
}

export interface RawStructMember extends Raw {
  readonly name: string;
  readonly type: string;
  readonly len?: string | number;
  readonly "byte-order"?: string;
  readonly enum?: string;
  readonly "enum-as-flags"?: boolean;
  readonly "display-hint"?: string;
  readonly struct?: string;
  readonly doc?: string;
}

export interface RawAttr extends Raw {
  readonly name: string;
  readonly type?: string;
  readonly value?: number;
  readonly doc?: string;
  readonly "byte-order"?: string;
  readonly "multi-attr"?: boolean;
  readonly "nested-attributes"?: string;
  readonly enum?: string;
  readonly "enum-as-flags"?: boolean;
  readonly "display-hint"?: string;
  readonly struct?: string;
  readonly "name-prefix"?: string;
  readonly "sub-type"?: string;
  readonly "sub-message"?: string;
  readonly selector?: string;
  readonly checks?: Readonly<Record<string, unknown>>;
}

export interface RawAttrSet extends Raw {
  readonly name: string;
  readonly "name-prefix"?: string;
  readonly "subset-of"?: string;
  readonly doc?: string;
  readonly attributes: readonly RawAttr[];
}

export interface RawSubMessageFormat {
  readonly value: string;
  readonly "fixed-header"?: string;
  readonly "attribute-set"?: string;
}

export interface RawSubMessage {
  readonly name: string;
  readonly formats: readonly RawSubMessageFormat[];
}

export interface RawOpMessage {
  readonly value?: number;
  readonly attributes?: readonly string[];
}

export interface RawOpMode {
  readonly request?: RawOpMessage;
  readonly reply?: RawOpMessage;
}

export interface RawOperation extends Raw {
  readonly name: string;
  readonly doc?: string;
  readonly value?: number;
  readonly "attribute-set"?: string;
  readonly "fixed-header"?: string;
  readonly do?: RawOpMode;
  readonly dump?: RawOpMode;
  readonly notify?: string;
  readonly event?: { readonly attributes?: readonly string[] };
  readonly mcgrp?: string;
}

export interface RawMcastGroup extends Raw {
  readonly name: string;
  readonly value?: number;
  readonly "c-define-name"?: string;
}

export interface RawSpec extends Raw {
  readonly name: string;
  readonly doc: string;
  readonly protocol?: string;
  readonly protonum?: number;
  readonly definitions?: readonly RawDefinition[];
  readonly "attribute-sets": readonly RawAttrSet[];
  readonly "sub-messages"?: readonly RawSubMessage[];
  readonly operations: {
    readonly "enum-model"?: "unified" | "directional";
    readonly "fixed-header"?: string;
    readonly list: readonly RawOperation[];
  };
  readonly "mcast-groups"?: { readonly list: readonly RawMcastGroup[] };
}
