import { describe, expect, it } from "vitest";
import { describeReason, importReason, orderReason, recomputeReason, refundReason } from "~/domain/rank-change-reason";

describe("rank change reasons", () => {
  it.each([
    [orderReason("#1001", "orders/create"), "注文 #1001（新規注文）", "Order #1001 (new order)"],
    [orderReason("#1002", "orders/cancelled"), "注文 #1002（キャンセル）", "Order #1002 (order cancelled)"],
    [orderReason("#1003", "import"), "注文 #1003（履歴の取り込み）", "Order #1003 (history import)"],
    [refundReason("gid://shopify/Refund/9", "refunds/create"), "返金（返金）", "Refund (refund)"],
    [recomputeReason(new Date("2026-09-01T00:00:00Z")), "2026-09-01 時点の再計算（12か月の期間の経過）", "Recomputed as of 2026-09-01 (12-month window moved)"],
    [importReason(), "注文履歴の取り込み", "Order history import"],
    ["something else", "something else", "something else"],
  ])("%s", (stored, ja, en) => {
    expect(describeReason(stored, "ja")).toBe(ja);
    expect(describeReason(stored, "en")).toBe(en);
  });

  it("keeps the stored form stable (the database and logs read it)", () => {
    expect(orderReason("#1001", "orders/create")).toBe("order #1001 (orders/create)");
    expect(recomputeReason(new Date("2026-09-01T00:00:00Z"))).toBe("recompute as of 2026-09-01T00:00:00.000Z");
  });
});
