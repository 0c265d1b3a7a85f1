/** The socket package's scripted kernel speaking ctnetlink: requests decoded, replies encoded by the conntrack codec. */
import { conntrack, type Nfgenmsg } from "@tsconntrack/codec/conntrack";
import { ScriptedKernel, type KernelHandler, type KernelRequest } from "@tsconntrack/socket/testing";

/** A request as the kernel saw it: `fixed` is its nfgenmsg, `attrs` its conntrack or expectation attributes. */
export type CtRequest = KernelRequest<Record<string, unknown>, Nfgenmsg>;
export type CtKernel = ScriptedKernel<Record<string, unknown>, Nfgenmsg>;

export const conntrackKernel = (handler?: KernelHandler<Record<string, unknown>, Nfgenmsg>): CtKernel =>
  new ScriptedKernel<Record<string, unknown>, Nfgenmsg>({ codec: conntrack, ...(handler !== undefined ? { handler } : {}) });
