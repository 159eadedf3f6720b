/**
 * The customer's rank as app-owned metafields ("$app" namespace), read by the checkout and
 * customer-account extensions (shopify.appMetafields) and by Liquid
 * (customer.metafields['$app'].rank). The metafield definitions in shopify.app.toml must use the
 * same keys and types.
 *
 * Null (and empty) values are omitted from metafieldsSet, never sent as "": Shopify rejects a
 * blank value, and "" is not a number_integer. A value that became null (e.g. the top rank has
 * no next rank) therefore keeps its old metafield until it is deleted: `staleRankMetafields`
 * lists those for the metafieldsDelete step of RANK_SYNC_MUTATION ($staleMetafields).
 */

export const RANK_METAFIELD_NAMESPACE = "$app";

export interface RankMetafieldFields {
  rankKey: string | null;
  rankLabel: string;
  orderCount: number;
  nextRankKey: string | null;
  nextRankLabel: string | null;
  ordersToNext: number | null;
  /** Decimal string in shop currency, e.g. "1980" or "12.50". */
  amountToNext: string | null;
}

/** The shape of the Admin API's MetafieldsSetInput that we send. */
export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface MetafieldIdentifierInput {
  ownerId: string;
  namespace: string;
  key: string;
}

type MetafieldType = "single_line_text_field" | "number_integer" | "number_decimal";

function entries(fields: RankMetafieldFields): [key: string, type: MetafieldType, value: string | null][] {
  return [
    ["rank", "single_line_text_field", fields.rankKey],
    ["rank_label", "single_line_text_field", fields.rankLabel],
    ["order_count", "number_integer", integer(fields.orderCount, "orderCount")],
    ["next_rank", "single_line_text_field", fields.nextRankKey],
    ["next_rank_label", "single_line_text_field", fields.nextRankLabel],
    ["orders_to_next", "number_integer", fields.ordersToNext === null ? null : integer(fields.ordersToNext, "ordersToNext")],
    ["amount_to_next", "number_decimal", decimal(fields.amountToNext)],
  ];
}

/** The metafieldsSet `metafields` argument for one customer (7 at most; the API takes 25). */
export function rankMetafieldsInput(ownerId: string, fields: RankMetafieldFields): MetafieldsSetInput[] {
  return entries(fields)
    .filter((entry): entry is [string, MetafieldType, string] => isPresent(entry[2]))
    .map(([key, type, value]) => ({ ownerId, namespace: RANK_METAFIELD_NAMESPACE, key, type, value }));
}

/** The keys rankMetafieldsInput left out, for metafieldsDelete. */
export function staleRankMetafields(ownerId: string, fields: RankMetafieldFields): MetafieldIdentifierInput[] {
  return entries(fields)
    .filter(([, , value]) => !isPresent(value))
    .map(([key]) => ({ ownerId, namespace: RANK_METAFIELD_NAMESPACE, key }));
}

const isPresent = (value: string | null): value is string => value !== null && value.trim() !== "";

function integer(value: number, name: string): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
  return String(value);
}

function decimal(value: string | null): string | null {
  if (value !== null && !/^-?\d+(\.\d+)?$/.test(value)) {
    throw new RangeError(`amountToNext must be a decimal string, got "${value}"`);
  }
  return value;
}
