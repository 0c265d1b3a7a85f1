// Netlink headers are in host byte order; DataView needs it spelled out.
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const views = new WeakMap<ArrayBufferLike, DataView>();
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView | undefined;

/**
 * One DataView per underlying buffer, shared by every message and attribute of a datagram.
 * The view spans the whole ArrayBuffer, so offsets into it are `bytes.byteOffset + i`.
 */
export function dataViewOf(bytes: Uint8Array): DataView {
  const buffer = bytes.buffer;
  if (buffer === lastBuffer) return lastView!;
  let view = views.get(buffer);
  if (view === undefined) {
    view = new DataView(buffer);
    views.set(buffer, view);
  }
  lastBuffer = buffer;
  lastView = view;
  return view;
}

/** A Uint8Array over the whole ArrayBuffer of `buf`, so generated code shares offsets with the DataView. */
const wholeCache = new WeakMap<ArrayBufferLike, Uint8Array>();
let lastWholeBuffer: ArrayBufferLike | undefined;
let lastWhole: Uint8Array | undefined;
export function wholeBytes(buf: Uint8Array): Uint8Array {
  const buffer = buf.buffer;
  if (buffer === lastWholeBuffer) return lastWhole!;
  let whole = wholeCache.get(buffer);
  if (whole === undefined) {
    // Always a plain Uint8Array: a Node Buffer's slice() is a view, and decoded binaries must be copies.
    whole = new Uint8Array(buffer);
    wholeCache.set(buffer, whole);
  }
  lastWholeBuffer = buffer;
  lastWhole = whole;
  return whole;
}

