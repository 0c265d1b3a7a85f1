// Reads a whole file or descriptor with plain read(2) calls, never fstat: Node's readFileSync
// fstat()s first, and a plain fstat of a pipe leaves S_IFIFO in the stat buffer Node's module
// loader shares. Its realpath walk then stops early on a cached path, and pnpm's symlinked
// packages (ffi-rs's native binding) fail to load (`-R -` with commands piped on stdin).

import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 64 * 1024;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The bytes of `source` (a path, or an open descriptor that is read and left open). */
export function readWhole(source: string | number): Buffer {
  const fd = typeof source === "number" ? source : openSync(source, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      let got: number;
      try {
        got = readSync(fd, chunk, 0, CHUNK, null);
      } catch (error) {
        // A non-blocking descriptor inherited from the caller: wait for data as a blocking read would.
        if ((error as { code?: string }).code === "EAGAIN") {
          Atomics.wait(sleeper, 0, 0, 2);
          continue;
        }
        throw error;
      }
      if (got === 0) break;
      chunks.push(got === CHUNK ? chunk : chunk.subarray(0, got));
      total += got;
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (typeof source !== "number") closeSync(fd);
  }
}
