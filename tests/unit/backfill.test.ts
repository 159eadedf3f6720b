/** The backfill's pure parts: progress bar, stored errors, poll backoff, bulk payloads, the JSONL line reader. */
import { describe, expect, it } from "vitest";
import { backfillError, backfillPercent, parseBackfillError, pollDelayMs, type BackfillProgressInput } from "~/domain/backfill-progress";
import { JsonlLines } from "~/services/backfill.server";
import { normalizeTopic } from "~/services/webhook-topics";
import { BulkLineError, bulkCustomerRef, parseBulkOperation, parseBulkOperationFinish, sameBulkQuery, CUSTOMERS_BULK_QUERY } from "~/shopify/bulk-operations";
import { PayloadError } from "~/shopify/payloads";

describe("backfillPercent", () => {
  const run = (status: BackfillProgressInput["status"], downloading: boolean, objectCount: number, linesDone: number) => ({ status, downloading, objectCount, linesDone });
  it.each([
    ["queued", run("queued", false, 0, 0), 0],
    ["customers exporting", run("customers", false, 120, 0), 0],
    ["customers half imported", run("customers", true, 100, 50), 10],
    ["customers imported", run("customers", true, 100, 100), 15],
    ["orders exporting", run("orders", false, 5000, 0), 15],
    ["orders import started", run("importing", true, 1000, 0), 40],
    ["orders import 30%", run("importing", true, 1000, 300), 57], // 40 + 55 × 0.3 = 56.5
    ["orders imported", run("importing", true, 1000, 1000), 95],
    ["more lines than Shopify counted", run("importing", true, 10, 12), 95],
    ["no objects counted", run("importing", true, 0, 0), 40],
    ["recomputing", run("recomputing", false, 1000, 1000), 95],
    ["done", run("done", false, 1000, 1000), 100],
    ["failed", run("failed", false, 1000, 500), 0],
  ])("%s → %i%%", (_name, input, percent) => {
    expect(backfillPercent(input)).toBe(percent);
  });
});

describe("stored errors", () => {
  it("round-trips a code and Shopify's detail, and calls anything else internal", () => {
    expect(parseBackfillError(backfillError("accessDenied", "ACCESS_DENIED: read_all_orders"))).toEqual({ code: "accessDenied", detail: "ACCESS_DENIED: read_all_orders" });
    expect(parseBackfillError("TypeError: x is undefined")).toEqual({ code: "internal", detail: "TypeError: x is undefined" });
    expect(parseBackfillError(null)).toBeNull();
    expect(backfillError("shopify", "x".repeat(3000))).toHaveLength(2000);
  });
});

it.each([
  [0, 3000],
  [1, 6000],
  [3, 24_000],
  [5, 60_000],
  [40, 60_000],
])("poll %i waits %i ms", (polls, ms) => {
  expect(pollDelayMs(polls)).toBe(ms);
});

describe("bulk payloads", () => {
  it("reads a BulkOperation, counts as strings", () => {
    expect(
      parseBulkOperation({ id: "gid://shopify/BulkOperation/1", status: "COMPLETED", objectCount: "12", url: "https://storage.test/f.jsonl", createdAt: "2026-11-24T10:00:00Z" }),
    ).toEqual({
      id: "gid://shopify/BulkOperation/1",
      status: "COMPLETED",
      errorCode: null,
      objectCount: 12,
      url: "https://storage.test/f.jsonl",
      partialDataUrl: null,
      createdAt: new Date("2026-11-24T10:00:00Z"),
      query: null,
    });
    expect(() => parseBulkOperation({ id: "gid://shopify/Order/1", status: "COMPLETED" })).toThrow(PayloadError);
    expect(() => parseBulkOperation({ id: "gid://shopify/BulkOperation/1", status: "DONE" })).toThrow(PayloadError);
  });

  it("reads the bulk_operations/finish webhook (lower-case status)", () => {
    expect(
      parseBulkOperationFinish({ admin_graphql_api_id: "gid://shopify/BulkOperation/9", status: "completed", error_code: null, type: "query", created_at: "x" }),
    ).toEqual({ gid: "gid://shopify/BulkOperation/9", status: "COMPLETED", errorCode: null });
    expect(() => parseBulkOperationFinish({ status: "completed" })).toThrow(/admin_graphql_api_id/);
  });

  it("routes the enum form of the topic to bulk_operations/finish", () => {
    expect(normalizeTopic("BULK_OPERATIONS_FINISH")).toBe("bulk_operations/finish");
    expect(normalizeTopic("bulk_operations/finish")).toBe("bulk_operations/finish");
    expect(normalizeTopic("ORDERS_CREATE")).toBe("orders/create");
  });

  it("turns a customers-export line into personal data (tags comma-separated, region as ISO 3166-2)", () => {
    const line = JSON.stringify({
      id: "gid://shopify/Customer/5",
      firstName: "花子",
      lastName: "山田",
      defaultEmailAddress: { emailAddress: "hanako@example.jp" },
      tags: ["VIP", "newsletter"],
      defaultAddress: { countryCodeV2: "US", provinceCode: "CA" },
    });
    expect(bulkCustomerRef(line)).toEqual({
      gid: "gid://shopify/Customer/5",
      firstName: "花子",
      lastName: "山田",
      email: "hanako@example.jp",
      countryCode: "US",
      provinceCode: "US-CA",
      tags: "VIP, newsletter",
    });
    expect(bulkCustomerRef(JSON.stringify({ id: "gid://shopify/Customer/6", tags: [], defaultAddress: null, defaultEmailAddress: null }))).toEqual({
      gid: "gid://shopify/Customer/6",
      firstName: null,
      lastName: null,
      email: null,
      countryCode: null,
      provinceCode: null,
      tags: null,
    });
    expect(() => bulkCustomerRef("{oops")).toThrow(BulkLineError);
    expect(() => bulkCustomerRef(JSON.stringify({ id: "gid://shopify/Order/1" }))).toThrow(/id: expected a gid:\/\/shopify\/Customer/);
  });

  it("recognises the same bulk query whatever its whitespace", () => {
    expect(sameBulkQuery(CUSTOMERS_BULK_QUERY, CUSTOMERS_BULK_QUERY.replace(/\s+/g, "  "))).toBe(true);
    expect(sameBulkQuery(CUSTOMERS_BULK_QUERY, CUSTOMERS_BULK_QUERY.replace("tags", "note"))).toBe(false);
  });
});

describe("JsonlLines", () => {
  async function* chunks(...parts: string[]) {
    for (const part of parts) yield Buffer.from(part, "utf8");
  }
  const read = async (lines: JsonlLines) => {
    const out: string[] = [];
    for await (const line of lines) out.push(line);
    return out;
  };
  const never = () => false;

  it("splits lines across chunks, multi-byte characters too, and knows each line's end in bytes", async () => {
    // "注" is 3 bytes; the chunk boundary falls inside it.
    const text = '{"a":"注文"}\n{"b":2}\r\n{"c":3}';
    const bytes = Buffer.from(text);
    const split = new JsonlLines(
      (async function* () {
        yield bytes.subarray(0, 8);
        yield bytes.subarray(8, 20);
        yield bytes.subarray(20);
      })(),
      { startBytes: 100, skipLines: 0, stopBefore: never },
    );
    expect(await read(split)).toEqual(['{"a":"注文"}', '{"b":2}', '{"c":3}']);
    expect(split.count).toBe(3);
    expect(split.endOf(0)).toBe(100);
    expect(split.endOf(1)).toBe(100 + Buffer.byteLength('{"a":"注文"}\n'));
    expect(split.endOf(2)).toBe(100 + Buffer.byteLength('{"a":"注文"}\n{"b":2}\r\n'));
    expect(split.endOf(3)).toBe(100 + bytes.length);
    expect(split.stopped).toBe(false);
  });

  it("skips lines a host resent (Range ignored), counting their bytes", async () => {
    const lines = new JsonlLines(chunks("one\ntwo\nthree\n"), { startBytes: 0, skipLines: 2, stopBefore: never });
    expect(await read(lines)).toEqual(["three"]);
    expect(lines.endOf(0)).toBe(8);
    expect(lines.endOf(1)).toBe(14);
  });

  it("stops before the line stopBefore names, without consuming it", async () => {
    const lines = new JsonlLines(chunks('{"id":1}\n{"__parentId":1}\n{"id":2}\n'), {
      startBytes: 0,
      skipLines: 0,
      stopBefore: (line, count) => count >= 1 && !line.includes("__parentId"),
    });
    expect(await read(lines)).toEqual(['{"id":1}', '{"__parentId":1}']);
    expect(lines.stopped).toBe(true);
    expect(lines.endOf(lines.count)).toBe(Buffer.byteLength('{"id":1}\n{"__parentId":1}\n'));
  });
});
