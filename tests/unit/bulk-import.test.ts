import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { OrderSnapshot } from "~/domain/types";
import { createBulkOrderAssembler, type BulkImportResult } from "~/shopify/bulk-import";

const jsonl = (name: string) => readFileSync(new URL(`../fixtures/bulk/${name}`, import.meta.url), "utf8");

/** Feeds a JSONL text line by line (1-based line numbers), as a streaming reader would. */
function assemble(text: string) {
  const assembler = createBulkOrderAssembler();
  const results: BulkImportResult[] = [];
  text.split("\n").forEach((line, i) => results.push(...assembler.push(line, i + 1)));
  results.push(...assembler.end());
  return {
    orders: results.flatMap((r) => (r.order ? [r.order] : [])),
    errors: results.flatMap((r) => (r.error ? [r.error] : [])),
    results,
  };
}

const lineGids = (order: OrderSnapshot | undefined) => order?.lines.map((l) => l.gid.replace("gid://shopify/LineItem/", ""));

describe("bulk order JSONL assembler", () => {
  it("assembles every order of a clean export with its line items", () => {
    const { orders, errors } = assemble(jsonl("orders.jsonl"));
    expect(errors).toEqual([]);
    expect(orders.map((o) => o.name)).toEqual(["#1001", "#1002", "#1003", "#1004", "#1005"]);

    expect(orders[0]).toEqual({
      gid: "gid://shopify/Order/6012345670001",
      name: "#1001",
      customer: { gid: "gid://shopify/Customer/7409876543210" },
      createdAt: new Date("2025-06-01T01:15:30Z"),
      processedAt: new Date("2025-06-01T01:15:29Z"),
      updatedAt: new Date("2025-06-03T08:00:00Z"),
      cancelledAt: null,
      currency: "JPY",
      totalPrice: 5160n,
      currentTotalPrice: 5160n,
      lines: [
        {
          gid: "gid://shopify/LineItem/15012345670001",
          title: "ほうじ茶 200g",
          sku: "HOJI-200",
          productGid: "gid://shopify/Product/8123456789012",
          variantGid: "gid://shopify/ProductVariant/45123456789012",
          quantity: 2,
          unitPrice: 1980n,
        },
        {
          gid: "gid://shopify/LineItem/15012345670002",
          title: "ギフト包装",
          sku: null,
          productGid: null,
          variantGid: null,
          quantity: 1,
          unitPrice: 600n,
        },
      ],
    });
  });

  it("a guest order with missing optional fields: processedAt → createdAt, updatedAt → processedAt", () => {
    const guest = assemble(jsonl("orders.jsonl")).orders[1];
    expect(guest).toMatchObject({
      customer: null,
      createdAt: new Date("2025-06-02T12:00:00Z"),
      processedAt: new Date("2025-06-02T12:00:00Z"),
      updatedAt: new Date("2025-06-02T12:00:00Z"),
      cancelledAt: null,
    });
    expect(lineGids(guest)).toEqual(["15012345670003"]);
  });

  it("ignores extra fields and keeps a cancelled order's figures", () => {
    const cancelled = assemble(jsonl("orders.jsonl")).orders[2];
    expect(cancelled).toMatchObject({
      customer: { gid: "gid://shopify/Customer/7409876543210" },
      cancelledAt: new Date("2025-07-11T05:29:59Z"),
      totalPrice: 3840n,
      currentTotalPrice: 0n,
    });
    expect(cancelled?.customer).toEqual({ gid: "gid://shopify/Customer/7409876543210" }); // email not taken from bulk
    expect(cancelled?.lines).toEqual([
      expect.objectContaining({ sku: null, productGid: "gid://shopify/Product/8123456789099", unitPrice: 3240n }),
    ]);
  });

  it("an order without line items, offsets in dates, and an empty SKU", () => {
    const { orders } = assemble(jsonl("orders.jsonl"));
    expect(orders[3]).toMatchObject({ lines: [], processedAt: new Date("2025-07-31T14:59:00Z") });
    expect(orders[4]?.lines).toEqual([expect.objectContaining({ sku: null, variantGid: null, quantity: 6 })]);
  });

  it("emits an order as soon as the next one starts, the last one at end()", () => {
    const assembler = createBulkOrderAssembler();
    const [first, second, third, fourth] = jsonl("orders.jsonl").split("\n");
    expect(assembler.push(first!, 1)).toEqual([]);
    expect(assembler.push(second!, 2)).toEqual([]);
    expect(assembler.push(third!, 3)).toEqual([]);
    const emitted = assembler.push(fourth!, 4);
    expect(emitted).toHaveLength(1);
    expect(lineGids(emitted[0]?.order)).toEqual(["15012345670001", "15012345670002"]);
    expect(assembler.end()).toEqual([{ order: expect.objectContaining({ name: "#1002", lines: [] }) }]);
    expect(assembler.end()).toEqual([]);
  });

  it("reports each bad line with its number and loses no good line", () => {
    const { orders, errors, results } = assemble(jsonl("orders-broken.jsonl"));

    expect(orders.map((o) => [o.name, lineGids(o)])).toEqual([
      ["#2001", ["15012345680001", "15012345680003"]],
      ["#2003", ["15012345680007"]],
      ["#2004", []],
    ]);
    expect(errors.map((e) => e.lineNumber)).toEqual([3, 5, 6, 9, 10, 12, 13, 15]);
    expect(errors).toEqual([
      { lineNumber: 3, message: "invalid JSON" },
      {
        lineNumber: 5,
        message: "order gid://shopify/Order/6012345680002: totalPriceSet.shopMoney.amount: expected a decimal string",
      },
      {
        lineNumber: 6,
        message: "orphan line item (parent gid://shopify/Order/6012345680002): its order on line 5 was rejected",
      },
      {
        lineNumber: 9,
        message:
          "orphan line item (parent gid://shopify/Order/6012345680001): its order is on line 1, not directly before it " +
          "(was the bulk operation run with groupObjects: true?)",
      },
      { lineNumber: 10, message: "line item: quantity: expected number, got string" },
      { lineNumber: 12, message: "neither an Order nor a LineItem (no gid://shopify/Order/ id, no __parentId)" },
      { lineNumber: 13, message: "expected a JSON object" },
      {
        lineNumber: 15,
        message: "line item: originalUnitPriceSet.shopMoney.currencyCode: USD is not the order currency JPY",
      },
    ]);
    // Order #2001 is emitted when the (bad) order on line 5 starts, before that line's error.
    expect(results.findIndex((r) => r.order?.name === "#2001")).toBeLessThan(results.findIndex((r) => r.error?.lineNumber === 5));
  });

  it("ignores blank and whitespace-only lines, including a trailing newline", () => {
    const { orders, errors } = assemble(`\n   \n${jsonl("orders.jsonl").split("\n")[0]}\n\n`);
    expect(errors).toEqual([]);
    expect(orders.map((o) => o.name)).toEqual(["#1001"]);
  });

  it("a line item before any order is an orphan", () => {
    const item = jsonl("orders.jsonl").split("\n")[1]!;
    expect(assemble(item).errors).toEqual([
      {
        lineNumber: 1,
        message:
          "orphan line item (parent gid://shopify/Order/6012345670001): its order is not before it in the file " +
          "(was the bulk operation run with groupObjects: true?)",
      },
    ]);
  });

  it("tells a line item whose order came earlier from one whose order never came (groupObjects: false scatters them)", () => {
    const [order1001, item1, item2, , , , order1003, item4, order1004] = jsonl("orders.jsonl").split("\n");
    const hint = "(was the bulk operation run with groupObjects: true?)";
    // #1003's line item before its order and again later, #1001's second line item after #1003.
    const { orders, errors } = assemble([order1001, item1, item4, order1003, item2, order1004, item4].join("\n"));
    expect(orders.map((o) => [o.name, lineGids(o)])).toEqual([
      ["#1001", ["15012345670001"]],
      ["#1003", []],
      ["#1004", []],
    ]);
    expect(errors).toEqual([
      { lineNumber: 3, message: `orphan line item (parent gid://shopify/Order/6012345670003): its order is not before it in the file ${hint}` },
      { lineNumber: 5, message: `orphan line item (parent gid://shopify/Order/6012345670001): its order is on line 1, not directly before it ${hint}` },
      { lineNumber: 7, message: `orphan line item (parent gid://shopify/Order/6012345670003): its order is on line 4, not directly before it ${hint}` },
    ]);
  });

  it("remembers where every order was, however many", () => {
    const order = jsonl("orders.jsonl").split("\n")[8]!; // #1004, no line items
    const item = jsonl("orders.jsonl").split("\n")[1]!;
    const many = Array.from({ length: 3000 }, (_, i) => order.replace("6012345670004", String(5000000 + i)));
    const orphanOf = (i: number) => item.replace("6012345670001", String(5000000 + i));
    const { orders, errors } = assemble([...many, orphanOf(0), orphanOf(2998), orphanOf(3000)].join("\n"));
    expect(orders).toHaveLength(3000);
    expect(errors.map((e) => e.message.replace(/ \(was .*\)$/, ""))).toEqual([
      "orphan line item (parent gid://shopify/Order/5000000): its order is on line 1, not directly before it",
      "orphan line item (parent gid://shopify/Order/5002998): its order is on line 2999, not directly before it",
      "orphan line item (parent gid://shopify/Order/5003000): its order is not before it in the file",
    ]);
  });
});
