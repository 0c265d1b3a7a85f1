// getprotobyname()/getprotobynumber() over /etc/protocols text ("name number [aliases...] [# comment]").
// `-p igmp` needs the name lookup; `-h -p 2` prints the protocol's name.

export interface ProtocolDatabase {
  /** Exact (case-sensitive) match on the official name or an alias. */
  byName(name: string): number | undefined;
  /** The official name of the first entry with that number. */
  byNumber(protonum: number): string | undefined;
}

export const EMPTY_PROTOCOL_DATABASE: ProtocolDatabase = { byName: () => undefined, byNumber: () => undefined };

export function parseEtcProtocols(text: string): ProtocolDatabase {
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/[ \t]+/);
    if (fields.length < 2 || fields[0] === "") continue;
    const protonum = Number(fields[1]);
    if (!/^[0-9]+$/.test(fields[1]!)) continue;
    for (const name of [fields[0]!, ...fields.slice(2)]) if (!byName.has(name)) byName.set(name, protonum);
    if (!byNumber.has(protonum)) byNumber.set(protonum, fields[0]!);
  }
  return { byName: (name) => byName.get(name), byNumber: (protonum) => byNumber.get(protonum) };
}
