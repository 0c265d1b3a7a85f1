/** `PollSecs` (polling mode): the kernel table is read every PollSecs instead of events. */
import { differentialSuite } from "./scenario.js";

differentialSuite("NOTRACK in polling mode (PollSecs 1): conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }", general: "PollSecs 1" }, {
  countersVary: "every poll sends every flow again",
});
