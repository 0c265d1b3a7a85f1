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
