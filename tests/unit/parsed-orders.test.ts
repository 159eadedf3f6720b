/** The acknowledgement's parse handed to the worker of the same thread (ADR 0033). */
import { afterEach, describe, expect, it } from "vitest";
import type { OrderSnapshot } from "~/domain/types";
import {
  enableParsedOrderHandoff,
  forgetParsedOrder,
  parsedOrderCount,
  rememberParsedOrder,
  resetParsedOrders,
  takeParsedOrder,
} from "~/services/parsed-orders.server";

const order = (gid: string) => ({ gid }) as unknown as OrderSnapshot;
const SHOP = "tokui-test.myshopify.com";

afterEach(resetParsedOrders);

describe("parsed order handoff", () => {
  it("keeps nothing until a worker runs in this thread", () => {
    rememberParsedOrder(SHOP, "e1", order("gid://shopify/Order/1"));
    expect(parsedOrderCount()).toBe(0);
    expect(takeParsedOrder(SHOP, "e1")).toBeUndefined();
  });

  it("hands each parsed order over once, by shop and event id", () => {
    enableParsedOrderHandoff();
    const first = order("gid://shopify/Order/1");
    rememberParsedOrder(SHOP, "e1", first);
    rememberParsedOrder("other.myshopify.com", "e1", order("gid://shopify/Order/2"));
    expect(takeParsedOrder(SHOP, "e1")).toBe(first);
    expect(takeParsedOrder(SHOP, "e1")).toBeUndefined();
    expect(takeParsedOrder("other.myshopify.com", "e1")?.gid).toBe("gid://shopify/Order/2");
    expect(parsedOrderCount()).toBe(0);
  });

  it("hands over neither of two deliveries with one event id: each is parsed from what was stored", () => {
    enableParsedOrderHandoff();
    rememberParsedOrder(SHOP, "e1", order("gid://shopify/Order/1"));
    rememberParsedOrder(SHOP, "e1", order("gid://shopify/Order/1-other-body"));
    expect(takeParsedOrder(SHOP, "e1")).toBeUndefined();
  });

  it("forgets a delivery that was not stored", () => {
    enableParsedOrderHandoff();
    rememberParsedOrder(SHOP, "e1", order("gid://shopify/Order/1"));
    forgetParsedOrder(SHOP, "e1");
    expect(takeParsedOrder(SHOP, "e1")).toBeUndefined();
  });

  it("keeps at most 2,000, pushing the oldest out", () => {
    enableParsedOrderHandoff();
    for (let i = 0; i <= 2_000; i++) rememberParsedOrder(SHOP, `e${i}`, order(`gid://shopify/Order/${i}`));
    expect(parsedOrderCount()).toBe(2_000);
    expect(takeParsedOrder(SHOP, "e0")).toBeUndefined();
    expect(takeParsedOrder(SHOP, "e1")?.gid).toBe("gid://shopify/Order/1");
    expect(takeParsedOrder(SHOP, "e2000")?.gid).toBe("gid://shopify/Order/2000");
  });
});
