// @tsconntrack/codec/testing: helpers for the tests of the codec and of the packages built on it.
export { everyAttributeValue } from "./testing/every-attribute.js";
