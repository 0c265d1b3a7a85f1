import { NetlinkDecodeError, NetlinkEncodeError } from "../errors.js";
import type { FamilyDescriptor } from "../schema/descriptor.js";
import { AttrWriter } from "../wire/attr-writer.js";
import { NLMSG_HDRLEN, align4 } from "../wire/constants.js";
import { HOST_LITTLE_ENDIAN as LE, dataViewOf, wholeBytes } from "../wire/host-order.js";
import { DatagramMessage, type NlMessage, type NlMsgHeader, writeMessageHeader } from "../wire/message.js";
import { pathAt } from "./attr-path.js";
import { DecodeFault, generateDecoders, toDecodeError, type Decoders, type SetDecoder, type StructDecoder } from "./decode-gen.js";
import { encodeStruct, writeSet } from "./encode.js";
import { MessageView, type ViewPlan } from "./message-view.js";
import { buildTables, Kind, type SetInfo, type StructInfo } from "./tables.js";
import { generateWalkers, type WalkerFactory } from "./walk-gen.js";
import { isSetLayout, viewLayouts, type SetLayout } from "./view-layout.js";

export type { UnknownAttr } from "../schema/descriptor.js";

export interface DecodedMessage<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>> {
  header: NlMsgHeader;
  /** The decoded fixed header (e.g. nfgenmsg {nfgenFamily, version, resId}); {} if the family has none. */
  fixed: F;
  attrs: A;
}

export interface EncodeMessageInput {
  type: number;
  flags: number;
  seq?: number;
  pid?: number;
  /** Fixed header members (e.g. a generated Nfgenmsg); missing ones are 0. */
  fixed?: object;
  /** Attribute set of `attrs`; by default the request set of `type` from the op tables. */
  set?: string;
  attrs?: object;
}

export interface FamilyCodec {
  readonly family: FamilyDescriptor;
  /** Decode the attributes in `buf[start, end)` as attribute set `set`. */
  decodeAttrs<A extends object = Record<string, unknown>>(set: string, buf: Uint8Array, start?: number, end?: number): A;
  /** Encode an attribute-set value (keys in insertion order, $unknown spliced back). */
  encodeAttrs(set: string, value: object): Uint8Array;
  /**
   * Decode one message: header, fixed header, attributes. The set comes from the op tables
   * (replies and events first, then requests) unless given. Error offsets count from the message start.
   */
  decodeMessage<A extends object = Record<string, unknown>, F extends object = Record<string, unknown>>(msg: NlMessage, set?: string): DecodedMessage<A, F>;
  /** A whole message (nlmsghdr + fixed header + attributes), length filled in. */
  encodeMessage(input: EncodeMessageInput): Uint8Array;
  /**
   * Spec path of the attribute at `offset` (an extack offset: bytes from the start of the request's
   * nlmsghdr) in a request message, e.g. "conntrack-attrs.tuple-orig.tuple-ip.ip-v4-src".
   */
  attrPath(set: string | undefined, messageBytes: Uint8Array, offset: number): string;
  /** Attribute set used for a message type, if the op tables know it. */
  setForType(type: number): string | undefined;
  /** Name of an enum member ("established"), or undefined. */
  enumName(enumName: string, value: number): string | undefined;
  /** Names of the bits set in `value` for a flags enum, in bit order (unnamed bits are skipped). */
  flagNames(enumName: string, value: number): string[];
  /** Value of an enum member by name (the bit mask for flags). */
  enumValue(enumName: string, name: string): number | undefined;
  /**
   * A new reusable view of messages (or bare attributes) of attribute set `set`. Throws for a set
   * whose attributes may repeat or hold sub-messages (it would need more than one slot per path).
   */
  view(set: string): MessageView;
}

interface TypeRoute {
  readonly set: SetInfo;
  readonly fixed: StructInfo | undefined;
  /** The route's generated decoders, looked up on its first decode (see generated). */
  decode?: SetDecoder;
  decodeFixed?: StructDecoder | undefined;
}

export function createFamilyCodec(family: FamilyDescriptor): FamilyCodec {
  const tables = buildTables(family);
  // Generated on first use: a listing reads views (walk-gen) and never decodes to objects, and
  // generating every decoder is a noticeable part of its start-up.
  let decoders: Decoders | undefined;
  const generated = (): Decoders => (decoders ??= generateDecoders(tables));

  const setInfo = (name: string): SetInfo => {
    const s = tables.setsByName.get(name);
    if (s === undefined) throw new NetlinkEncodeError("unknown-set", name, `${family.name} has no attribute set "${name}"`);
    return s;
  };
  const structFor = (name: string | undefined): StructInfo | undefined => {
    if (name === undefined) return undefined;
    const s = tables.structsByName.get(name);
    if (s === undefined) throw new Error(`${family.name}: unknown fixed header struct ${name}`);
    return s;
  };
  const routeOf = (setName: string, fixedName: string | undefined): TypeRoute => {
    const set = setInfo(setName);
    const fixed = structFor(fixedName);
    return { set, fixed };
  };

  // nlmsg_type → set. Replies and events win over requests: what we decode is mostly received.
  const replyRoutes = new Map<number, TypeRoute>();
  const requestRoutes = new Map<number, TypeRoute>();
  for (const op of family.operations) {
    const route = routeOf(op.attributeSet, op.fixedHeader ?? family.fixedHeader);
    for (const mode of [op.do, op.dump]) {
      if (mode?.replyValue !== undefined && !replyRoutes.has(mode.replyValue)) replyRoutes.set(mode.replyValue, route);
      if (mode?.requestValue !== undefined && !requestRoutes.has(mode.requestValue)) requestRoutes.set(mode.requestValue, route);
    }
    if (op.event !== undefined && !replyRoutes.has(op.event.value)) replyRoutes.set(op.event.value, route);
  }
  const defaultFixed = family.fixedHeader;
  const routesBySet = new Map<string, TypeRoute>();
  const routeForSet = (name: string): TypeRoute => {
    let r = routesBySet.get(name);
    if (r === undefined) routesBySet.set(name, (r = routeOf(name, defaultFixed)));
    return r;
  };
  const routeForType = (type: number): TypeRoute | undefined => replyRoutes.get(type) ?? requestRoutes.get(type);

  function decodeAttrs<A extends object>(set: string, buf: Uint8Array, start = 0, end = buf.length): A {
    const info = tables.setsByName.get(set);
    if (info === undefined) throw new NetlinkDecodeError("unknown-type", start, `${family.name} has no attribute set "${set}"`, set);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
      throw new NetlinkDecodeError("bad-length", 0, `range [${start}, ${end}) outside a ${buf.length}-byte buffer`, set);
    }
    const base = buf.byteOffset;
    try {
      return generated().sets[info.index]!(dataViewOf(buf), wholeBytes(buf), base + start, base + end, 0) as A;
    } catch (e) {
      throw toDecodeError(e, base, (offset) => pathAt(info, buf, start, end, offset));
    }
  }

  function decodeMessage<A extends object, F extends object>(msg: NlMessage, set?: string): DecodedMessage<A, F> {
    const header = msg.header;
    const route = set !== undefined ? routeForSet(set) : routeForType(header.type);
    if (route === undefined) {
      throw new NetlinkDecodeError("unknown-type", 4, `no attribute set for message type 0x${header.type.toString(16)}`, "nlmsghdr.type");
    }
    // A datagram message gives us the datagram directly, no per-message views.
    const buf = msg instanceof DatagramMessage ? msg.datagram : msg.bytes;
    const msgStart = msg instanceof DatagramMessage ? msg.offset : 0;
    const dv = dataViewOf(buf);
    const u8 = wholeBytes(buf);
    const base = buf.byteOffset + msgStart;
    const end = base + header.len;
    if (header.len < NLMSG_HDRLEN || msgStart + header.len > buf.length) {
      throw new NetlinkDecodeError("truncated", 0, `nlmsg_len ${header.len} does not fit the ${buf.length - msgStart} bytes given`, "nlmsghdr.len");
    }
    let at = base + NLMSG_HDRLEN;
    let fixed: Record<string, unknown> = {};
    if (route.fixed !== undefined) {
      if (end - at < route.fixed.size) {
        throw new NetlinkDecodeError("truncated", NLMSG_HDRLEN, `message too short for its ${route.fixed.size}-byte ${route.fixed.name}`, route.fixed.name);
      }
      route.decodeFixed ??= generated().structs.get(route.fixed.name);
      fixed = route.decodeFixed!(dv, u8, at);
      at += route.fixed.size;
    }
    try {
      const attrs = (route.decode ??= generated().sets[route.set.index]!)(dv, u8, at, end, 0) as A;
      return { header, fixed: fixed as F, attrs };
    } catch (e) {
      if (!(e instanceof DecodeFault)) throw e;
      const attrStart = at - base;
      const bytes = buf.subarray(msgStart, msgStart + header.len);
      throw toDecodeError(e, base, (offset) => pathAt(route.set, bytes, attrStart, header.len, offset));
    }
  }

  const writer = new AttrWriter(1024);

  function encodeAttrs(set: string, value: object): Uint8Array {
    const info = setInfo(set);
    writer.reset();
    writeSet(writer, info, value, info.name, 0);
    return writer.finish();
  }

  function encodeMessage(input: EncodeMessageInput): Uint8Array {
    const route = input.set !== undefined ? routeForSet(input.set) : requestRoutes.get(input.type) ?? replyRoutes.get(input.type);
    if (route === undefined) {
      throw new NetlinkEncodeError("unknown-set", `0x${input.type.toString(16)}`, `no attribute set for message type 0x${input.type.toString(16)}; pass set`);
    }
    const fixed = route.fixed !== undefined ? encodeStruct(route.fixed, input.fixed, route.fixed.name) : new Uint8Array(0);
    writer.reset();
    if (input.attrs !== undefined) writeSet(writer, route.set, input.attrs, route.set.name, 0);
    const attrs = writer.finish();
    const len = NLMSG_HDRLEN + fixed.length + attrs.length;
    const out = new Uint8Array(align4(len));
    writeMessageHeader(out, 0, { len, type: input.type, flags: input.flags, seq: input.seq ?? 0, pid: input.pid ?? 0 });
    out.set(fixed, NLMSG_HDRLEN);
    out.set(attrs, NLMSG_HDRLEN + fixed.length);
    return out;
  }

  function attrPath(set: string | undefined, messageBytes: Uint8Array, offset: number): string {
    let route: TypeRoute | undefined;
    if (set !== undefined) route = routeForSet(set);
    else if (messageBytes.length >= NLMSG_HDRLEN) {
      const type = dataViewOf(messageBytes).getUint16(messageBytes.byteOffset + 4, LE);
      route = requestRoutes.get(type) ?? replyRoutes.get(type);
    }
    if (offset < NLMSG_HDRLEN) return "nlmsghdr";
    if (route === undefined) return "";
    const fixedSize = route.fixed?.size ?? 0;
    if (offset < NLMSG_HDRLEN + fixedSize) return route.fixed!.name;
    const len = messageBytes.length >= NLMSG_HDRLEN ? dataViewOf(messageBytes).getUint32(messageBytes.byteOffset, LE) : 0;
    const end = Math.min(messageBytes.length, Math.max(len, NLMSG_HDRLEN));
    return pathAt(route.set, messageBytes, NLMSG_HDRLEN + fixedSize, end, offset);
  }

  const enumTables = new Map<string, { byValue: Map<number, string>; byName: Map<string, number>; bits: [number, string][] }>();
  const enumTable = (name: string) => {
    let t = enumTables.get(name);
    if (t === undefined) {
      const e = family.enums[name];
      if (e === undefined) throw new Error(`${family.name} has no enum "${name}"`);
      t = {
        byValue: new Map(e.entries.map((x) => [x.value, x.name])),
        byName: new Map(e.entries.map((x) => [x.name, x.value])),
        bits: e.entries.map((x) => [x.value, x.name] as [number, string]).sort((a, b) => a[0] - b[0]),
      };
      enumTables.set(name, t);
    }
    return t;
  };

  // Walkers are generated on the first view: most programs never ask for one.
  let walkers: WalkerFactory | undefined;
  const layouts = viewLayouts(family);
  function view(set: string): MessageView {
    const info = setInfo(set);
    const layout = layouts.get(set)!;
    if (!isSetLayout(layout)) throw new NetlinkEncodeError("unknown-set", set, `no view of ${set}: ${layout.reason}`);
    walkers ??= generateWalkers(tables, layouts);
    const plan: ViewPlan = {
      set: info, size: layout.size, walkers,
      fixedSize: structFor(defaultFixed)?.size ?? 0,
      fixedName: defaultFixed ?? "",
      littleEndian: slotByteOrders(info, layout, layouts),
    };
    return new MessageView(plan);
  }

  return {
    family,
    view,
    decodeAttrs,
    encodeAttrs,
    decodeMessage,
    encodeMessage,
    attrPath,
    setForType: (type) => routeForType(type)?.set.name,
    enumName: (name, value) => enumTable(name).byValue.get(value),
    flagNames: (name, value) => enumTable(name).bits.filter(([bit]) => bit !== 0 && ((value & bit) >>> 0) === bit >>> 0).map(([, n]) => n),
    enumValue: (name, member) => enumTable(name).byName.get(member),
  };
}

/** 1 where a slot's payload is little-endian, over the whole subtree of `set`. */
function slotByteOrders(set: SetInfo, layout: SetLayout, layouts: ReadonlyMap<string, unknown>): Uint8Array {
  const out = new Uint8Array(layout.size);
  const fill = (s: SetInfo, l: SetLayout, base: number): void => {
    for (const a of s.attrs) {
      const slot = l.slots.get(a.key);
      if (slot === undefined || a.kind === Kind.pad) continue;
      out[base + slot] = a.littleEndian ? 1 : 0;
      if (a.kind === Kind.nest && a.nested !== undefined) fill(a.nested, layouts.get(a.nested.name) as SetLayout, base + slot + 1);
    }
  };
  fill(set, layout, 0);
  return out;
}
