// The files conntrack reads from /etc while parsing: the label map and the protocol database.

import { readWhole } from "./read-whole.js";
import { CONNLABEL_PATH, parseLabelMap, type LabelMapLoad } from "../args/label-map.js";
import { EMPTY_PROTOCOL_DATABASE, parseEtcProtocols, type ProtocolDatabase } from "../args/protocol-db.js";

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EISDIR: "Is a directory",
};

/** Where the label map is read from: `--labelmap PATH`, else $TSCONNTRACK_LABELMAP, else conntrack's file. */
export function labelMapPath(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given !== undefined) return given;
  const fromEnv = env["TSCONNTRACK_LABELMAP"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : CONNLABEL_PATH;
}

/** nfct_labelmap_new(path): the map, or the strerror text its perror() prints. */
export function loadLabelMap(given?: string): LabelMapLoad {
  const path = labelMapPath(given);
  let text: string;
  try {
    text = readWhole(path).toString("latin1");
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    return { error: ERRNO_TEXT[code] ?? code };
  }
  const map = parseLabelMap(text);
  // An empty map fails in the library without setting errno to anything useful.
  return map === null ? { error: "Success" } : { map };
}

/** /etc/protocols, read only when the parser first asks (most command lines never do). */
export function lazyProtocolDatabase(path = "/etc/protocols"): ProtocolDatabase {
  let db: ProtocolDatabase | undefined;
  const get = (): ProtocolDatabase => {
    if (db === undefined) {
      try {
        db = parseEtcProtocols(readWhole(path).toString("latin1"));
      } catch {
        db = EMPTY_PROTOCOL_DATABASE;
      }
    }
    return db;
  };
  return { byName: (name) => get().byName(name), byNumber: (protonum) => get().byNumber(protonum) };
}
