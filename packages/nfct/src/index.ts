// Public API of @tsconntrack/nfct.
export { Nfct, TimeoutApi, HelperApi, type NfctOptions, type TimeoutPolicy, type Helper } from "./nfct.js";
export {
  timeoutNewRequest,
  timeoutGetRequest,
  timeoutDumpRequest,
  timeoutDeleteRequest,
  timeoutDefaultSetRequest,
  timeoutDefaultGetRequest,
  helperNewRequest,
  helperDisableRequest,
  helperGetRequest,
  helperDumpRequest,
  helperDeleteRequest,
  SET_TIMEOUT,
  SET_HELPER,
  type TimeoutPolicyInput,
  type DefaultTimeoutInput,
  type HelperInput,
  type HelperKey,
  type AddOptions,
} from "./requests.js";
export { USERSPACE_HELPERS, findUserspaceHelper, helperAttrs, type HelperDefinition, type ExpectPolicy } from "./userspace-helpers.js";
export { AF_INET, AF_INET6 } from "./constants.js";
export { NfctArgumentError, isNfctArgumentError, isNotFoundError } from "./errors.js";
export { IpProto, type CttimeoutAttrs } from "@tsconntrack/codec/cttimeout";
export { HelperStatus, type CthelperAttrs } from "@tsconntrack/codec/cthelper";
export { isNetlinkSocketError, type NetlinkSocketError } from "@tsconntrack/socket";
