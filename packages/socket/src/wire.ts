/** Minimal nlmsghdr access in host byte order, for rewriting and building datagrams in place. */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export const HEADER_SIZE = 16;

export function align4(n: number): number {
  return (n + 3) & ~3;
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function setSeqAndPid(view: DataView, at: number, seq: number, pid: number): void {
  view.setUint32(at + 8, seq >>> 0, LITTLE);
  view.setUint32(at + 12, pid >>> 0, LITTLE);
}

/** Offsets of the messages in a datagram (stops at the first malformed header). */
export function messageOffsets(bytes: Uint8Array): number[] {
  const view = viewOf(bytes);
  const offsets: number[] = [];
  for (let at = 0; at + HEADER_SIZE <= bytes.byteLength; ) {
    const len = view.getUint32(at, LITTLE);
    if (len < HEADER_SIZE || at + len > bytes.byteLength) break;
    offsets.push(at);
    at += align4(len);
  }
  return offsets;
}
