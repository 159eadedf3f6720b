import { describe, expect, it } from "vitest";
import { jsonRowsParam, jsonRowsSource, shopFilter, sqlTimestamp, timestampLiteral, utcDateTime, type Columns } from "~/db/json-rows";

const COLUMNS: Columns = { id: "int", name: "text", amount: "bigint", at: "timestamp" };

describe("jsonRowsSource", () => {
  it("reads SQLite JSON rows with json_each, casting bigints back to integers", () => {
    const j = jsonRowsSource("sqlite", COLUMNS, "j", 1);
    expect(j.from).toBe("json_each(?) AS j");
    expect([j.col("id"), j.col("amount"), j.col("at")]).toEqual([
      "j.value->>'id'",
      "CAST(j.value->>'amount' AS INTEGER)",
      "j.value->>'at'",
    ]);
  });

  it("types PostgreSQL JSON rows with jsonb_to_recordset at the given parameter", () => {
    const j = jsonRowsSource("postgresql", COLUMNS, "r", 3);
    expect(j.from).toBe('jsonb_to_recordset($3::jsonb) AS r("id" integer, "name" text, "amount" bigint, "at" timestamp(3))');
    expect(j.col("amount")).toBe('r."amount"');
  });
});

describe("jsonRowsParam", () => {
  const at = new Date("2026-11-24T05:06:07.089Z");
  it.each([
    ["sqlite", "2026-11-24T05:06:07.089+00:00"],
    ["postgresql", "2026-11-24T05:06:07.089"],
  ] as const)("%s: bigint as exact decimal text, dates as the column stores them, missing values as null", (dialect, storedAt) => {
    const rows = JSON.parse(jsonRowsParam(dialect, COLUMNS, [{ id: 1, name: "花子", amount: 9007199254740993n, at }, { id: 2 }]));
    expect(rows).toEqual([
      { id: 1, name: "花子", amount: "9007199254740993", at: storedAt },
      { id: 2, name: null, amount: null, at: null },
    ]);
  });

  it("drops fields that are not columns", () => {
    expect(JSON.parse(jsonRowsParam("sqlite", { id: "int" }, [{ id: 1, secret: "x" }]))).toEqual([{ id: 1 }]);
  });
});

describe("literals and filters", () => {
  it("writes timestamps in the text Prisma stores (SQLite) or as timestamp(3) (PostgreSQL)", () => {
    const at = new Date("2026-01-02T03:04:05.006Z");
    expect(sqlTimestamp("sqlite", at)).toBe("2026-01-02T03:04:05.006+00:00");
    expect(timestampLiteral("sqlite", at)).toBe("'2026-01-02T03:04:05.006+00:00'");
    expect(timestampLiteral("postgresql", at)).toBe("'2026-01-02T03:04:05.006'::timestamp(3)");
  });

  it("formats every instant as toISOString does, without its Z", () => {
    const edges = [0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 253_402_300_799_999];
    // Dates over 1970–9999, twice each (the second from the day cache), and the days' edges.
    let seed = 20261125;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 253_402_300_800_000;
    const instants = [...edges, ...Array.from({ length: 5000 }, () => Math.floor(random()))];
    const wrong = [...instants, ...instants].filter((ms) => utcDateTime(new Date(ms)) !== new Date(ms).toISOString().slice(0, -1));
    expect(wrong).toEqual([]);
    // Outside 1970–9999: toISOString's own form; an invalid date throws as toISOString does.
    for (const ms of [-1, -86_400_001, 253_402_300_800_000, 8.64e15]) expect(utcDateTime(new Date(ms))).toBe(new Date(ms).toISOString().slice(0, -1));
    expect(() => utcDateTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(sqlTimestamp("postgresql", new Date(0))).toBe("1970-01-01T00:00:00.000");
  });

  it("keeps the shop filter off SQLite's index (+), plain on PostgreSQL", () => {
    expect(shopFilter("sqlite", "c", 2)).toBe('+c."shop" = ?');
    expect(shopFilter("postgresql", "c", 2)).toBe('c."shop" = $2');
  });
});
