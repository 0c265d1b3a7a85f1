// Just enough pcap reading for the benchmark: LINKTYPE_NETLINK records, cooked header stripped.
const COOKED_HEADER = 16;
const PACKET_OUTGOING = 4;

/** Datagrams the kernel sent (records whose cooked packet type is not OUTGOING). */
export function receivedDatagrams(file: Uint8Array): Uint8Array[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = dv.getUint32(0, true);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (dv.getUint32(20, little) !== 253) throw new Error("not a LINKTYPE_NETLINK pcap");
  const out: Uint8Array[] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const captured = dv.getUint32(at + 8, little);
    const start = at + 16;
    if (dv.getUint16(start, false) !== PACKET_OUTGOING) {
      // A copy, as its own plain Uint8Array (Buffer.slice would be a view of the whole file).
      out.push(Uint8Array.prototype.slice.call(file, start + COOKED_HEADER, start + captured));
    }
    at = start + captured;
  }
  return out;
}
