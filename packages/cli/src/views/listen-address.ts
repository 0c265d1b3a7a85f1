// `--listen ADDR:PORT`: 127.0.0.1:9466, [::1]:9466, or :9466 for every address (port 0: any free port).

import { isIP } from "node:net";

export interface ListenAddress {
  /** undefined: every address. */
  readonly host: string | undefined;
  readonly port: number;
  /** As given, for messages. */
  readonly text: string;
}

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? "";
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  if (match[2] !== undefined && host !== "" && isIP(host) !== 4 && host !== "localhost") return undefined;
  return { host: host === "" ? undefined : host, port, text };
}
