/**
 * The user-space helpers conntrack-tools 1.4.7 ships (conntrackd's ct_helper_*.so, src/helpers/*.c),
 * as `nfct add helper` registers them: the per-master private data the kernel keeps for the helper
 * (sizeof its C struct on 64-bit Linux) and the expectation classes. These are facts read from the C
 * sources, not from loading the files; nfct 1.4.7 carries the same table (src/nfct-extensions/helper.c).
 */
import { HelperStatus } from "@tsconntrack/codec/cthelper";
import { IpProto } from "@tsconntrack/codec/cttimeout";
import type { HelperInput } from "./requests.js";

export interface ExpectPolicy {
  /** Class name (NFCTH_POLICY_NAME, at most 15 characters). */
  readonly name: string;
  /** NFCTH_POLICY_EXPECT_MAX. */
  readonly expectMax: number;
  /** NFCTH_POLICY_EXPECT_TIMEOUT, seconds. */
  readonly expectTimeout: number;
}

export interface HelperDefinition {
  readonly name: string;
  /** IPPROTO_TCP or IPPROTO_UDP. */
  readonly l4proto: number;
  /** NFCTH_PRIV_DATA_LEN: bytes of private data per master connection. */
  readonly privDataLen: number;
  /** At most four classes (NFCTH_POLICY_SET1..4). */
  readonly policies: readonly ExpectPolicy[];
}

const one = (name: string, expectMax: number, expectTimeout: number): readonly ExpectPolicy[] => [{ name, expectMax, expectTimeout }];

/** In the order of conntrack-tools' helper registrations. */
export const USERSPACE_HELPERS: readonly HelperDefinition[] = [
  // amanda.c: expect_max = ARRAY_SIZE(conns) ("DATA ", "MESG ", "INDEX ").
  { name: "amanda", l4proto: IpProto.udp, privDataLen: 0, policies: one("amanda", 3, 180) },
  { name: "dhcpv6", l4proto: IpProto.udp, privDataLen: 0, policies: one("dhcpv6", 1, 300) },
  // ftp.h: struct ftp_info { uint32_t seq_aft_nl[2][2]; int seq_aft_nl_num[2]; } = 24 bytes.
  { name: "ftp", l4proto: IpProto.tcp, privDataLen: 24, policies: one("ftp", 1, 300) },
  { name: "mdns", l4proto: IpProto.udp, privDataLen: 0, policies: one("mdns", 8, 30) },
  // rpc.h: struct rpc_info { uint32_t xid, pm_prog, pm_vers, pm_prot; } = 16 bytes.
  { name: "rpc", l4proto: IpProto.tcp, privDataLen: 16, policies: one("rpc", 1, 300) },
  { name: "rpc", l4proto: IpProto.udp, privDataLen: 16, policies: one("rpc", 1, 300) },
  // sane.h: struct nf_ct_sane_master { enum sane_state state; } = 4 bytes.
  { name: "sane", l4proto: IpProto.tcp, privDataLen: 4, policies: one("sane", 1, 5 * 60) },
  // slp.c: expect_timeout = CONFIG_MC_MAX + 1 with the default 15.
  { name: "slp", l4proto: IpProto.udp, privDataLen: 0, policies: one("slp", 8, 16) },
  { name: "ssdp", l4proto: IpProto.udp, privDataLen: 0, policies: one("ssdp", 8, 5 * 60) },
  { name: "ssdp", l4proto: IpProto.tcp, privDataLen: 0, policies: one("ssdp", 8, 5 * 60) },
  { name: "tftp", l4proto: IpProto.udp, privDataLen: 0, policies: one("tftp", 1, 5 * 60) },
  // tns.h: struct tns_info { bool parse; } = 1 byte.
  { name: "tns", l4proto: IpProto.tcp, privDataLen: 1, policies: one("tns", 1, 300) },
];

/** The helper of this name for this layer 4 protocol, as nfct finds it. */
export function findUserspaceHelper(name: string, l4proto: number): HelperDefinition | undefined {
  return USERSPACE_HELPERS.find((h) => h.name === name && h.l4proto === l4proto);
}

const POLICY_SETS = ["set1", "set2", "set3", "set4"] as const;

/**
 * The NFNL_MSG_CTHELPER_NEW attributes for a definition, in libnetfilter_cthelper's order: name,
 * NFCTH_PRIV_DATA_LEN, tuple, the policy sets followed by NFCTH_POLICY_SET_NUM, and status if given.
 */
export function helperAttrs(definition: HelperDefinition, l3proto: number, options: { queueNum?: number; status?: "enabled" | "disabled" } = {}): HelperInput {
  const policy: Record<string, unknown> = {};
  definition.policies.slice(0, POLICY_SETS.length).forEach((p, i) => {
    policy[POLICY_SETS[i]!] = { name: p.name, expectMax: p.expectMax, expectTimeout: p.expectTimeout };
  });
  policy["setNum"] = Math.min(definition.policies.length, POLICY_SETS.length);
  return {
    name: definition.name,
    ...(options.queueNum !== undefined ? { queueNum: options.queueNum } : {}),
    privDataLen: definition.privDataLen,
    tuple: { l3protonum: l3proto, l4protonum: definition.l4proto },
    ...(definition.policies.length > 0 ? { policy } : {}),
    ...(options.status !== undefined ? { status: HelperStatus[options.status] } : {}),
  };
}
