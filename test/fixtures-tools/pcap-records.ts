/**
 * A tiny, dependency-free reader for the fixture pcaps (little-endian, microsecond,
 * LINKTYPE_NETLINK) used by the fixture checks. The product's reader lives in @tsconntrack/socket;
 * this one exists so the fixtures can be checked independently of it.
 */
import { readFileSync } from "node:fs";

export interface FixtureRecord {
  seconds: number;
  microseconds: number;
  pkttype: number;
  hatype: number;
  protocol: number;
  /** The datagram after the 16-byte cooked header. */
  datagram: Uint8Array;
}

export interface NetlinkHeader {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** Offset of this message inside its datagram. */
  offset: number;
}

export function readFixturePcap(path: string): { linktype: number; records: FixtureRecord[] } {
  const file = readFileSync(path);
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${path}: not a little-endian microsecond pcap`);
  const linktype = file.readUInt32LE(20);
  const records: FixtureRecord[] = [];
  for (let at = 24; at < file.length; ) {
    const captured = file.readUInt32LE(at + 8);
    const original = file.readUInt32LE(at + 12);
    if (captured !== original) throw new Error(`${path}: record at ${at} is truncated`);
    const packet = file.subarray(at + 16, at + 16 + captured);
    records.push({
      seconds: file.readUInt32LE(at),
      microseconds: file.readUInt32LE(at + 4),
      pkttype: packet.readUInt16BE(0),
      hatype: packet.readUInt16BE(2),
      protocol: packet.readUInt16BE(14),
      datagram: packet.subarray(16),
    });
    at += 16 + captured;
  }
  return { linktype, records };
}

/** The netlink messages of one datagram; each starts at the aligned end of the previous one. */
export function netlinkHeaders(datagram: Uint8Array): NetlinkHeader[] {
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const headers: NetlinkHeader[] = [];
  for (let offset = 0; offset + 16 <= datagram.byteLength; ) {
    const len = view.getUint32(offset, true);
    headers.push({
      len,
      type: view.getUint16(offset + 4, true),
      flags: view.getUint16(offset + 6, true),
      seq: view.getUint32(offset + 8, true),
      pid: view.getUint32(offset + 12, true),
      offset,
    });
    if (len < 16) break;
    offset += (len + 3) & ~3;
  }
  return headers;
}
