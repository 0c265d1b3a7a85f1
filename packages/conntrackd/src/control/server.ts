/**
 * The server side of the control socket (src/local.c, run.c local_handler): a UNIX stream socket
 * at the configured Path (an old file there is removed first), one native int per connection,
 * the answer written back, then the connection closed.
 */
import { createServer, type Server, type Socket } from "node:net";
import { unlinkSync } from "node:fs";

export type RequestHandler = (request: number, socket: Socket) => Promise<void>;

export class ControlServer {
  private server: Server | undefined;
  private readonly path: string;
  /** `local read failed` of `-s runtime`: connections that closed before sending a request. */
  readFailed = 0;

  constructor(path: string) {
    this.path = path;
  }

  /** Throws "can't open unix socket!" as 1.4.7 reports it. */
  listen(handler: RequestHandler): Promise<void> {
    try {
      unlinkSync(this.path);
    } catch {
      // Nothing to remove.
    }
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket, handler));
      server.once("error", () => reject(new Error("can't open unix socket!")));
      server.listen({ path: this.path, backlog: 100 }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  private accept(socket: Socket, handler: RequestHandler): void {
    let handled = false;
    socket.on("error", () => socket.destroy());
    socket.once("data", (chunk: Buffer) => {
      handled = true;
      // read(fd, &type, sizeof(int)): a short read leaves the rest of the int as it was (zero here).
      const padded = Buffer.alloc(4);
      chunk.copy(padded, 0, 0, 4);
      void handler(padded.readInt32LE(0), socket).finally(() => socket.end());
    });
    socket.once("end", () => {
      if (!handled) {
        this.readFailed++;
        socket.end();
      }
    });
  }

  close(): void {
    this.server?.close();
    this.server = undefined;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}
