// The typed (decoded) form of a walked message, for callers that want objects: the view checked
// the bytes already, so this decode cannot fail where the walk succeeded (the drift guard in the
// codec's tests holds the two to the same rules).
import { NLMSG_HDRLEN, readMessageHeader, type MessageView, type NlMessage } from "@tsconntrack/codec";
import { conntrack } from "@tsconntrack/codec/conntrack";

/** The walked message's bytes, nlmsghdr included (a view of the receive buffer; copy to keep). */
export function viewBytes(view: MessageView): Uint8Array {
  return view.u8.subarray(view.start, view.end);
}

/** The walked message decoded as the view's attribute set. */
export function decodeView<A extends object>(view: MessageView): A {
  return decodeMessageBytes<A>(viewBytes(view), view.plan.set.name);
}

/** The attributes of one whole message (nlmsghdr included) of attribute set `set`. */
export function decodeMessageBytes<A extends object>(bytes: Uint8Array, set: string): A {
  const message: NlMessage = { header: readMessageHeader(bytes, 0), offset: 0, bytes, payload: bytes.subarray(NLMSG_HDRLEN) };
  return conntrack.decodeMessage<A>(message, set).attrs;
}
