/**
 * AnalyticsSnapshot: the dashboard parts the rfm-refresh job precomputes for a whole shop
 * (cohorts, product repeat rates) and the time of the last RFM refresh. One row per shop × kind.
 */
import { sqlQuery, type Tx } from "../../db.server";
import { dateFrom } from "../../db/json-rows";
import type { CohortRow, CohortTable, ProductRepeat, ProductRepeatData } from "../../domain/analytics/types";
import { logger } from "../../logger.server";
import { sqlFor } from "./sql.server";

export type SnapshotKind = "rfm" | "cohorts" | "products";

export interface CohortsPayload {
  timeZone: string;
  rows: CohortRow[];
}

export interface ProductsPayload {
  minBuyers: number;
  items: ProductRepeat[];
}

export interface Snapshots {
  rfmAsOf: Date | null;
  cohorts: CohortTable | null;
  products: ProductRepeatData | null;
}

export async function readSnapshots(db: Tx, shop: string): Promise<Snapshots> {
  const s = sqlFor(db);
  const rows = await sqlQuery<{ kind: string; asOf: unknown; payload: string }>(
    db,
    `SELECT "kind", "asOf", "payload" FROM "AnalyticsSnapshot" WHERE "shop" = ${s.param(1)}`,
    shop,
  );
  const result: Snapshots = { rfmAsOf: null, cohorts: null, products: null };
  for (const row of rows) {
    const asOf = dateFrom(row.asOf);
    const payload = parse(row.payload, shop, row.kind);
    if (row.kind === "rfm") result.rfmAsOf = asOf;
    else if (row.kind === "cohorts" && payload) {
      result.cohorts = { asOf: asOf.toISOString(), rows: (payload as CohortsPayload).rows };
    } else if (row.kind === "products" && payload) {
      const p = payload as ProductsPayload;
      result.products = { asOf: asOf.toISOString(), minBuyers: p.minBuyers, items: p.items };
    }
  }
  return result;
}

// Our own JSON; a row that does not parse is treated as missing (the next refresh rewrites it).
function parse(payload: string, shop: string, kind: string): unknown {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    logger.warn("analytics snapshot does not parse", { shop, kind });
    return null;
  }
}

export async function writeSnapshot(tx: Tx, shop: string, kind: SnapshotKind, asOf: Date, payload: unknown): Promise<void> {
  const text = JSON.stringify(payload);
  await tx.analyticsSnapshot.upsert({
    where: { shop_kind: { shop, kind } },
    create: { shop, kind, asOf, payload: text },
    update: { asOf, payload: text },
  });
}
