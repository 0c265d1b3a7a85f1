// Public API of @tsconntrack/conntrackd: the pieces tests and other programs use.
export { parseConfig, loadConfig, ConfigError, isConfigError, type ParseOptions } from "./config/parser.js";
export { tokenize, type Token, type TokenKind } from "./config/lexer.js";
export type * from "./config/types.js";
export * from "./wire/nta.js";
export * from "./wire/message.js";
export { flowToNta, ntaToFlow, commitFlow, ntaKey, type BuildOptions } from "./wire/flow.js";
export { FlowCache, CacheObject, jhash2, flowBucket, scaleHash } from "./cache.js";
export { REQ, encodeRequest } from "./control/commands.js";
export { localRequest } from "./control/client.js";
