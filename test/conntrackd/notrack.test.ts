/**
 * NOTRACK over UDP unicast between two namespaces, every combination of conntrackd 1.4.7 and
 * tsconntrackd: what conntrackd → conntrackd shows is the reference the mixed pairs and
 * tsconntrackd → tsconntrackd must show too, byte for byte (ages aside).
 */
import { differentialSuite } from "./scenario.js";

differentialSuite("NOTRACK over UDP: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }" });
differentialSuite("NOTRACK over IPv4 multicast: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }", channel: "mcast", port: 3790 });
differentialSuite("NOTRACK over TCP: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }", channel: "tcp", port: 3795 });
differentialSuite("NOTRACK over UDP on IPv6: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }", ipv6: true, port: 3796 });
differentialSuite("NOTRACK over IPv6 multicast: conntrackd 1.4.7 and tsconntrackd, both directions", { mode: "Mode NOTRACK { }", channel: "mcast", ipv6: true, port: 3797 });
