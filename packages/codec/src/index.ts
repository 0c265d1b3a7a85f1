// Public API of @tsconntrack/codec: explicit named re-exports only.
export {
  NLMSG_NOOP, NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN, NLMSG_MIN_TYPE, NLMSG_ALIGNTO, NLMSG_HDRLEN, NLA_HDRLEN,
  NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED,
  NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_DUMP, NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND,
  NLM_F_NONREC, NLM_F_CAPPED, NLM_F_ACK_TLVS,
  NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK,
  NLMSGERR_ATTR_UNUSED, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_COOKIE, NLMSGERR_ATTR_POLICY,
  NLMSGERR_ATTR_MISS_TYPE, NLMSGERR_ATTR_MISS_NEST,
  align4,
} from "./wire/constants.js";
export { HOST_LITTLE_ENDIAN } from "./wire/host-order.js";
export type { NlMsgHeader, NlMessage } from "./wire/message.js";
export { messageAt, parseMessages, readMessageHeader, writeMessageHeader, buildMessage } from "./wire/message.js";
export type { Extack, NlErrorInfo, NlDoneInfo } from "./wire/extack.js";
export { parseErrorMessage, parseDoneMessage, parseExtackTlvs } from "./wire/extack.js";
export type { Endian } from "./wire/attr-reader.js";
export { AttrReader } from "./wire/attr-reader.js";
export { AttrWriter } from "./wire/attr-writer.js";
export type { NetlinkDecodeErrorCode, NetlinkEncodeErrorCode } from "./errors.js";
export type { ErrorFields } from "./error-class.js";
export { errorGuard, ErrorWithFields, FieldArgumentError } from "./error-class.js";
export { NetlinkDecodeError, isNetlinkDecodeError, NetlinkEncodeError, isNetlinkEncodeError } from "./errors.js";
export { errnoName, errnoNumber, strerror } from "./errno.js";
export { formatIPv4, formatIPv4Bytes, formatIPv6, parseIPv4, parseIPv6 } from "./codec/ip.js";
export type { DecodedMessage, EncodeMessageInput, FamilyCodec } from "./codec/family-codec.js";
export { createFamilyCodec } from "./codec/family-codec.js";
export { MAX_DEPTH } from "./codec/rules.js";
export type { ViewPlan } from "./codec/message-view.js";
export { MessageView } from "./codec/message-view.js";
export type {
  AttrType, ByteOrder, DisplayHint, AttrDescriptor, AttrSetDescriptor, EnumEntryDescriptor, EnumDescriptor,
  StructMemberDescriptor, StructDescriptor, OpModeDescriptor, OperationDescriptor, McastGroupDescriptor, FamilyDescriptor,
  UnknownAttr,
} from "./schema/descriptor.js";
