import { describe, expect, it } from "vitest";
import { EventSubscription, type EventItem } from "../src/subscription.js";
import { NetlinkSocketError } from "../src/errors.js";
import { datagram, message } from "./helpers/messages.js";
import { ScriptedTransport } from "./helpers/scripted-transport.js";

const event = (type: number, flags: number) => message({ type, flags, seq: 0, pid: 0, payload: new Uint8Array([2, 0, 0, 0]) });

describe("event subscription", () => {
  it("joins the groups and turns ENOBUFS into an overrun item without ending the stream", async () => {
    const transport = new ScriptedTransport();
    transport.queue.push(
      datagram(event(0x100, 0x600), event(0x100, 0)),
      new NetlinkSocketError("recv", 105),
      event(0x102, 0),
      new NetlinkSocketError("recv", 105),
    );
    const subscription = new EventSubscription(transport, [1, 2, 3]);
    expect([...transport.groups]).toEqual([1, 2, 3]);
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
    const transport = new ScriptedTransport();
    transport.queue.push(new NetlinkSocketError("recv", 9));
    const iterator = new EventSubscription(transport)[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: "EBADF" });
  });

  it("has a synchronous form", () => {
    const transport = new ScriptedTransport();
    transport.queue.push(event(0x100, 0x600), new NetlinkSocketError("recv", 105));
    const subscription = new EventSubscription(transport);
    expect(subscription.nextSync()?.[0]).toMatchObject({ kind: "message" });
    expect(subscription.nextSync()).toEqual([{ kind: "overrun", count: 1 }]);
    expect(subscription.nextSync()).toBeNull();
  });
});
