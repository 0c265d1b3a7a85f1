import { describe, expect, it } from "vitest";
import { NLM_F_CREATE, NLM_F_EXCL } from "@tsconntrack/codec";
import { ConntrackEvent, ConntrackMcastGroup } from "@tsconntrack/codec/conntrack";
import { EventSubscription, type EventItem } from "../src/subscription.js";
import { NetlinkSocketError } from "../src/errors.js";
import { ScriptedKernel, type RawReply } from "../src/testing.js";

const { conntrackNew: NEW, conntrackUpdate: UPDATE, conntrackDestroy: DESTROY } = ConntrackMcastGroup;
const event = (type: number, flags = 0): RawReply => ({ type, flags, payload: new Uint8Array([2, 0, 0, 0]) });
const created = event(ConntrackEvent.eventNew, NLM_F_CREATE | NLM_F_EXCL);

describe("event subscription", () => {
  it("joins the groups and turns ENOBUFS into an overrun item without ending the stream", async () => {
    const kernel = new ScriptedKernel();
    const transport = kernel.socket();
    const subscription = new EventSubscription(transport, [NEW, UPDATE, DESTROY]);
    expect([...transport.groups]).toEqual([NEW, UPDATE, DESTROY]);
    kernel.multicast(NEW, [created, event(ConntrackEvent.eventUpdate)]);
    transport.overrun();
    kernel.multicast(DESTROY, event(ConntrackEvent.eventDestroy));
    transport.overrun();
    const items: EventItem[] = [];
    for await (const item of subscription) items.push(item);
    expect(items.map((i) => (i.kind === "overrun" ? `overrun ${i.count}` : i.kind === "message" ? i.message.header.type.toString(16) : i.kind))).toEqual([
      "100",
      "100",
      "overrun 1",
      "102",
      "overrun 2",
    ]);
  });

  it("passes other errors through", async () => {
    const transport = new ScriptedKernel().socket();
    transport.pushError(new NetlinkSocketError("recv", 9));
    const iterator = new EventSubscription(transport)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: "EBADF" });
  });

  it("has a synchronous form", () => {
    const kernel = new ScriptedKernel();
    const transport = kernel.socket();
    const subscription = new EventSubscription(transport, [NEW]);
    kernel.multicast(NEW, created);
    transport.overrun();
    expect(subscription.nextSync()?.[0]).toMatchObject({ kind: "message" });
    expect(subscription.nextSync()).toEqual([{ kind: "overrun", count: 1 }]);
    expect(subscription.nextSync()).toBeNull();
  });
});
