// @tsconntrack/socket/testing: a scripted fake kernel, for the tests of this package and of those built on it.
export { ScriptedKernel, type KernelHandler, type ScriptedKernelOptions } from "./testing/scripted-kernel.js";
export { ScriptedSocket, type ScriptedSocketOptions } from "./testing/scripted-socket.js";
export type { KernelRequest } from "./testing/kernel-request.js";
export type { Answer, EncodedReply, RawReply, ReplyHeader, ReplyMessage } from "./testing/answer.js";
export {
  doneMessage,
  errorMessage,
  type DoneMessageSpec,
  type Errno,
  type ErrorMessageSpec,
  type ExtackSpec,
} from "./testing/control-messages.js";
