export { parseArgs, type ParseEnv } from "./parse-args.js";
export type * from "./types.js";
export { OPTION_FLAGS } from "./types.js";
export { CONNTRACK_IDENTITY, failure, messagePrefix, type Identity } from "./errors.js";
export { parseLabelMap, labelNames, CONNLABEL_PATH, type LabelMap, type LabelMapLoad } from "./label-map.js";
export { parseEtcProtocols, EMPTY_PROTOCOL_DATABASE, type ProtocolDatabase } from "./protocol-db.js";
export { splitLoadFileLine, loadFileRefusal, loadFileRefusalMessage, loadFileOpenMessage } from "./load-file.js";
export { IPS } from "./parameter-lists.js";
