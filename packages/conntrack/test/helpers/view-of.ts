// A conntrack entry value as the kernel would send it, walked into a view: what filters and
// view readers take. Each call has its own view, so two can be compared side by side.
import type { MessageView } from "@tsconntrack/codec";
import { conntrack, ConntrackReply, type ConntrackAttrs } from "@tsconntrack/codec/conntrack";
import { flowView } from "../../src/flow-view.js";

export function viewOf(flow: ConntrackAttrs, family: number): MessageView {
  const bytes = conntrack.encodeMessage({ type: ConntrackReply.get, flags: 0, fixed: { nfgenFamily: family }, set: "conntrack-attrs", attrs: flow });
  return flowView().walkMessage(bytes);
}
