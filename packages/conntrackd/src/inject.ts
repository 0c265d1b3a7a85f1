/**
 * `DisableExternalCache on` (src/external_inject.c): flows from the peer go straight into this
 * kernel's table instead of an external cache; a create that finds the flow deletes it and tries
 * once more, an update of a missing flow creates it, and an update the kernel refuses is done as
 * delete + create. Events caused by these requests (origin INJECT) are not cached or sent.
 */
import type { Conntrack, ConntrackAttrs } from "@tsconntrack/conntrack";
import type { Logger } from "./log.js";
import { commitFlow, IPS_NAT_MASK, ntaToFlow } from "./wire/flow.js";
import type { NtaAttrs } from "./wire/nta.js";

const u12 = (n: number): string => String(n >>> 0).padStart(12, " ");

/** nl_update_conntrack's request: no reply tuple, no NAT, no helper, no master; TCP liberal. */
function updateFlow(n: NtaAttrs, tcpWindowTracking: boolean): ConntrackAttrs {
  const created = commitFlow(n, 0, tcpWindowTracking);
  const { tupleReply: _r, natSrc: _s, natDst: _d, help: _h, tupleMaster: _m, ...flow } = created;
  if (flow.status !== undefined) flow.status &= ~IPS_NAT_MASK;
  return flow;
}

export class ExternalInject {
  readonly stats = { addOk: 0, addFail: 0, updOk: 0, updFail: 0, delOk: 0, delFail: 0 };
  private readonly ct: Conntrack;
  private readonly log: Logger;
  private readonly tcpWindowTracking: boolean;

  constructor(ct: Conntrack, log: Logger, tcpWindowTracking: boolean) {
    this.ct = ct;
    this.log = log;
    this.tcpWindowTracking = tcpWindowTracking;
  }

  private key(flow: ConntrackAttrs): { tupleOrig: NonNullable<ConntrackAttrs["tupleOrig"]>; zone?: number } {
    return { tupleOrig: flow.tupleOrig!, ...(flow.zone !== undefined ? { zone: flow.zone } : {}) };
  }

  async create(n: NtaAttrs): Promise<void> {
    const flow = commitFlow(n, 0, this.tcpWindowTracking);
    const [first] = await this.ct.create([flow]);
    if (first!.ok) {
      this.stats.addOk++;
      return;
    }
    if (first!.error?.code !== "EEXIST") {
      this.stats.addFail++;
      this.log.warning(`could not add new ct entry: ${first!.error?.message}`);
      return;
    }
    const [deleted] = await this.ct.delete([this.key(flow)]);
    const [again] = deleted!.ok || deleted!.error?.code === "ENOENT" ? await this.ct.create([flow]) : [deleted!];
    if (again!.ok) this.stats.addOk++;
    else {
      this.stats.addFail++;
      this.log.warning(`could not add new ct entry, even when deleting it first: ${again!.error?.message}`);
    }
  }

  async update(n: NtaAttrs): Promise<void> {
    const [updated] = await this.ct.update([updateFlow(n, this.tcpWindowTracking)]);
    if (updated!.ok) {
      this.stats.updOk++;
      return;
    }
    const flow = commitFlow(n, 0, this.tcpWindowTracking);
    if (updated!.error?.code === "ENOENT") {
      const [created] = await this.ct.create([flow]);
      if (created!.ok) this.stats.updOk++;
      else {
        this.stats.updFail++;
        this.log.warning(`could not update ct entry, even if creating it instead: ${created!.error?.message}`);
      }
      return;
    }
    const [deleted] = await this.ct.delete([this.key(flow)]);
    if (deleted!.ok || deleted!.error?.code === "ENOENT") {
      const [created] = await this.ct.create([flow]);
      if (created!.ok) this.stats.updOk++;
      else {
        this.stats.updFail++;
        this.log.warning(`could not update ct entry, even when deleting it first: ${created!.error?.message}`);
      }
      return;
    }
    this.stats.updFail++;
    this.log.warning(`could not update ct entry: ${updated!.error?.message}`);
  }

  async remove(n: NtaAttrs): Promise<void> {
    const flow = ntaToFlow(n);
    const [deleted] = await this.ct.delete([this.key(flow)]);
    if (deleted!.ok) this.stats.delOk++;
    else if (deleted!.error?.code !== "ENOENT") {
      this.stats.delFail++;
      this.log.warning(`could not destroy ct entry: ${deleted!.error?.message}`);
    }
  }

  /** external_inject_ct_stats (also what `-s cache` prints for it). */
  statsText(): string {
    const s = this.stats;
    return "external inject:\n" +
      `connections created:\t\t${u12(s.addOk)}\tfailed:\t${u12(s.addFail)}\n` +
      `connections updated:\t\t${u12(s.updOk)}\tfailed:\t${u12(s.updFail)}\n` +
      `connections destroyed:\t\t${u12(s.delOk)}\tfailed:\t${u12(s.delFail)}\n\n`;
  }
}

/** internal_bypass_ct_stats (`DisableInternalCache on`). */
export function bypassStatsText(s: { new: number; upd: number; del: number }): string {
  return "internal bypass:\n" +
    `connections new:\t\t${u12(s.new)}\n` +
    `connections updated:\t\t${u12(s.upd)}\n` +
    `connections destroyed:\t\t${u12(s.del)}\n\n`;
}
