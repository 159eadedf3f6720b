/**
 * The bulk import's hand-written fast path (app/shopify/bulk-import.ts) must never accept what
 * the schema path (zod, then the snapshot) rejects, and must return exactly the snapshot the
 * schema path returns. Checked on every line of the fixtures and the benchmark's history, and on
 * thousands of broken variants of them: every field removed, nulled, or replaced by a value of
 * the wrong type or shape.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bulkLineParsers } from "~/shopify/bulk-import";
import { bulkJsonl, generateOrders } from "../../bench/lib/orders";

const { schemaOrderSnapshot, schemaLineSnapshot, fastOrderSnapshot, fastLineSnapshot } = bulkLineParsers;
/** Line items are read in their order's currency: the fixtures' and the benchmark's is JPY. */
const CURRENCY = "JPY";

const fixtureLines = readFileSync(new URL("../fixtures/bulk/orders.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "");
const benchLines = generateOrders({ orders: 60, extraOrders: 0, customers: 20, now: new Date("2026-11-24T00:00:00Z") })
  .history.orders.map(bulkJsonl)
  .join("")
  .split("\n")
  .filter((line) => line !== "");

const parsedLines = [...fixtureLines, ...benchLines].flatMap((line) => {
  try {
    return [JSON.parse(line) as Record<string, unknown>];
  } catch {
    return []; // the fixture's deliberately broken JSON
  }
});
const orders = parsedLines.filter((value) => !("__parentId" in value));
const lineItems = parsedLines.filter((value) => "__parentId" in value);

/** Values of every kind that a field might wrongly hold. */
const WRONG_VALUES: unknown[] = [
  undefined, null, 0, 1.5, -1, 2 ** 60, "", " ", "abc", "1980", "12.5", "-5", "1e3", " 1980", "jpy", "JPYX",
  true, [], {}, { id: 1 }, { id: "gid://shopify/Order/1" }, { shopMoney: null }, { shopMoney: { amount: 1980, currencyCode: "JPY" } },
  { shopMoney: { amount: "1980.0", currencyCode: "jpy" } }, { shopMoney: { amount: "19.80.0", currencyCode: "JPY" } },
  "2021-02-30T00:00:00Z", "2025-06-01", "2025-06-01T25:00:00Z", "2025-06-01T01:15:30+09:00", "2025-06-01T01:15:30.123456Z",
  "2025-06-01T01:15Z", "2025-06-01T01:15:30", "gid://shopify/Customer/1", "gid://shopify/Product/1", "gid://shopify/ProductVariant/x",
  "gid://shopify/LineItem/12", "gid://shopify/Order/12",
  // Well-formed but wrong for a JPY order: another currency, decimals the yen does not have.
  "USD", { shopMoney: { amount: "1980", currencyCode: "USD" } }, { shopMoney: { amount: "1980.5", currencyCode: "JPY" } }, "1980.50",
];

/** Every path to a value inside a JSON object (objects only; these documents hold no arrays). */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([key, child]) => paths(child, [...prefix, key]))].filter((p) => p.length > 0);
}

function withValue(document: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(document);
  let target = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[path.at(-1)!];
  else target[path.at(-1)!] = value;
  return copy;
}

function variants(documents: Record<string, unknown>[]): unknown[] {
  return documents.flatMap((document) => paths(document).flatMap((path) => WRONG_VALUES.map((value) => withValue(document, path, value))));
}

/** The schema path's answer, or null when it throws (its PayloadError is the error message). */
function schemaResult(parse: (value: unknown) => unknown, value: unknown): unknown {
  try {
    return parse(value);
  } catch {
    return null;
  }
}

describe.each([
  ["order lines", orders, (value: unknown) => schemaOrderSnapshot(value), (value: unknown) => fastOrderSnapshot(value)],
  ["line item lines", lineItems, (value: unknown) => schemaLineSnapshot(value, CURRENCY), (value: unknown) => fastLineSnapshot(value, CURRENCY)],
] as const)("bulk import fast path: %s", (_name, documents, schema, fast) => {
  it("takes every valid line of the fixtures and the benchmark, with the schema path's snapshot", () => {
    expect(documents.length).toBeGreaterThan(20);
    for (const document of documents) {
      const expected = schema(document);
      expect(fast(document)).toEqual(expected);
    }
  });

  it("accepts a broken variant only when the schema path does, and then returns the same", () => {
    const broken = variants(documents.slice(0, 8));
    expect(broken.length).toBeGreaterThan(1000);
    let rejected = 0;
    for (const value of broken) {
      const quick = fast(value);
      if (quick === null) {
        rejected++;
        continue; // the schema path decides (and writes the error message)
      }
      const expected = schemaResult(schema, value);
      expect(expected, JSON.stringify(value)).not.toBeNull();
      expect(quick).toEqual(expected);
    }
    // The variants are mostly broken: the fast path must have turned most of them away.
    expect(rejected).toBeGreaterThan(broken.length / 2);
  });

  it("is not handed anything but objects", () => {
    for (const value of [null, undefined, "text", 12, [], [documents[0]]]) expect(fast(value)).toBeNull();
  });
});
