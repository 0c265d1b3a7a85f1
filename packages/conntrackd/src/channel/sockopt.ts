/**
 * The UDP socket options Node's dgram cannot set, through @tsconntrack/socket's libc binding:
 * SO_NO_CHECK (`Checksum off`) and SO_RCVBUFFORCE / SO_SNDBUFFORCE (`RcvSocketBuffer` /
 * `SndSocketBuffer` beyond rmem_max/wmem_max), as 1.4.7 sets them. Node keeps a dgram socket's
 * descriptor on an internal handle; where that handle is not found (another Node release), the
 * option is reported as not set and the caller logs it, nothing fails.
 */
import type { Socket } from "node:dgram";

const SOL_SOCKET = 1;
const SO_NO_CHECK = 11;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;

/** The descriptor of a bound dgram socket, or undefined when this Node keeps it elsewhere. */
function descriptor(socket: Socket): number | undefined {
  for (const symbol of Object.getOwnPropertySymbols(socket)) {
    const state = (socket as unknown as Record<symbol, { handle?: { fd?: unknown } } | undefined>)[symbol];
    const fd = state?.handle?.fd;
    if (typeof fd === "number" && fd >= 0) return fd;
  }
  return undefined;
}

function intOption(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value, true);
  return b;
}

async function setInt(socket: Socket, option: number, value: number): Promise<boolean> {
  const fd = descriptor(socket);
  if (fd === undefined) return false;
  try {
    const { createLibcSyscalls } = await import("@tsconntrack/socket");
    return createLibcSyscalls().setsockopt(fd, SOL_SOCKET, option, intOption(value)) >= 0;
  } catch {
    return false;
  }
}

/** `Checksum off`: the sender's datagrams carry no UDP checksum. */
export const disableChecksum = (socket: Socket): Promise<boolean> => setInt(socket, SO_NO_CHECK, 1);
export const forceRecvBuffer = (socket: Socket, bytes: number): Promise<boolean> => setInt(socket, SO_RCVBUFFORCE, bytes);
export const forceSendBuffer = (socket: Socket, bytes: number): Promise<boolean> => setInt(socket, SO_SNDBUFFORCE, bytes);
