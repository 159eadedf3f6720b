import { sqlDialect, sqlQuery, type Tx } from "../db.server";
import { jsonList, shopFilter } from "../db/json-rows";

/** How many lines each of these orders has stored: order id → count (orders without lines absent). */
export async function countOrderLines(tx: Tx, shop: string, orderIds: number[]): Promise<Map<number, number>> {
  if (orderIds.length === 0) return new Map();
  const dialect = sqlDialect(tx);
  const rows = await sqlQuery<{ orderId: number | bigint; lines: number | bigint | string }>(
    tx,
    `SELECT l."orderId", COUNT(*) AS "lines" FROM "OrderLine" AS l
     WHERE ${shopFilter(dialect, "l", 1)} AND l."orderId" IN ${jsonList(dialect, "int", 2)}
     GROUP BY l."orderId"`,
    shop,
    JSON.stringify(orderIds),
  );
  return new Map(rows.map((r) => [Number(r.orderId), Number(r.lines)]));
}
