/**
 * The client side of the control socket (src/local.c do_local_request): connect, send the request
 * number, copy everything the daemon writes to stdout until it closes the connection.
 */
import { connect } from "node:net";
import { encodeRequest } from "./commands.js";

/** Resolves true when the request was sent and answered, false when the daemon cannot be reached. */
export function localRequest(path: string, request: number, out: (chunk: Buffer) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let connected = false;
    const socket = connect({ path });
    socket.on("connect", () => {
      connected = true;
      socket.write(encodeRequest(request));
    });
    socket.on("data", (chunk: Buffer) => {
      // printf("%s", buf): a chunk stops at its first NUL.
      const nul = chunk.indexOf(0);
      out(nul < 0 ? chunk : chunk.subarray(0, nul));
    });
    socket.on("error", () => {
      if (!connected) resolve(false);
      else resolve(true);
      socket.destroy();
    });
    socket.on("close", () => resolve(connected));
  });
}
