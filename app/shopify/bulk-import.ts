/**
 * Historical import: the JSONL that bulkOperationRunQuery writes for ORDERS_BULK_QUERY, read line
 * by line. With groupObjects: true (see BULK_OPERATION_RUN_QUERY) each Order line is followed by
 * its LineItem lines, which carry `__parentId`; so an order is complete when the next one starts.
 * A bad line is reported with its number and skipped; no good line is ever dropped.
 */
import { z } from "zod";
import type { OrderLineSnapshot, OrderSnapshot } from "../domain/types";
import { toMinorUnits } from "../domain/money";
import { currencyCode, decimalString, gidOf, isIsoDateTime, isoDateTime, isoDateTimeValue, minorUnits, parseWith, PayloadError } from "./payloads";

export const ORDERS_BULK_QUERY = `{ orders { edges { node {
  id name createdAt processedAt updatedAt cancelledAt currencyCode
  customer { id }
  totalPriceSet { shopMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount currencyCode } }
  lineItems { edges { node {
    id title quantity sku product { id } variant { id }
    originalUnitPriceSet { shopMoney { amount currencyCode } }
  } } }
} } } }`;

export interface BulkImportResult {
  order?: OrderSnapshot;
  error?: { lineNumber: number; message: string };
}

export interface BulkOrderAssembler {
  push(line: string, lineNumber: number): readonly BulkImportResult[];
  end(): readonly BulkImportResult[];
}

const moneyBag = z.object({ shopMoney: z.object({ amount: decimalString, currencyCode }) });
type MoneyBag = z.output<typeof moneyBag>;
const ref = (type: string) => z.object({ id: gidOf(type) }).nullish();

const orderNode = z.object({
  id: gidOf("Order"),
  name: z.string().nullish(),
  createdAt: isoDateTime,
  processedAt: isoDateTime.nullish(),
  updatedAt: isoDateTime.nullish(),
  cancelledAt: isoDateTime.nullish(),
  currencyCode, // the shop currency
  customer: ref("Customer"),
  totalPriceSet: moneyBag,
  currentTotalPriceSet: moneyBag,
});

const lineItemNode = z.object({
  id: gidOf("LineItem"),
  title: z.string(),
  quantity: z.number().int().nonnegative(),
  sku: z.string().nullish(),
  product: ref("Product"),
  variant: ref("ProductVariant"),
  originalUnitPriceSet: moneyBag,
});

function shopMoney(bag: MoneyBag, currency: string, path: string): bigint {
  const { amount, currencyCode: code } = bag.shopMoney;
  if (code !== currency) {
    throw new PayloadError(`${path}.shopMoney.currencyCode: ${code} is not the order currency ${currency}`);
  }
  return minorUnits(amount, currency, `${path}.shopMoney.amount`);
}

/** An Order line as a snapshot: the fast path when the line is plainly valid, else the schema. */
function toOrder(value: unknown): OrderSnapshot {
  return fastOrderSnapshot(value) ?? schemaOrderSnapshot(value);
}

function toLine(value: unknown, currency: string): OrderLineSnapshot {
  return fastLineSnapshot(value, currency) ?? schemaLineSnapshot(value, currency);
}

/** The specification: the zod schema, whose errors name the field (PayloadError). */
function schemaOrderSnapshot(value: unknown): OrderSnapshot {
  const node = parseWith(orderNode, value);
  const processedAt = node.processedAt ?? node.createdAt;
  return {
    gid: node.id,
    name: node.name ?? null,
    customer: node.customer ? { gid: node.customer.id } : null,
    createdAt: node.createdAt,
    processedAt,
    updatedAt: node.updatedAt ?? processedAt,
    cancelledAt: node.cancelledAt ?? null,
    currency: node.currencyCode,
    totalPrice: shopMoney(node.totalPriceSet, node.currencyCode, "totalPriceSet"),
    currentTotalPrice: shopMoney(node.currentTotalPriceSet, node.currencyCode, "currentTotalPriceSet"),
    lines: [],
  };
}

function schemaLineSnapshot(value: unknown, currency: string): OrderLineSnapshot {
  const node = parseWith(lineItemNode, value);
  return {
    gid: node.id,
    title: node.title,
    sku: node.sku || null,
    productGid: node.product?.id ?? null,
    variantGid: node.variant?.id ?? null,
    quantity: node.quantity,
    unitPrice: shopMoney(node.originalUnitPriceSet, currency, "originalUnitPriceSet"),
  };
}

// ---------------------------------------------------------------------------------------------
// Fast path. zod spends ~10 µs on each line, most of an import's parsing time (ADR 0025). These
// hand-written checks build the snapshot straight from a line when every field is plainly valid
// — no intermediate objects, ~1 µs a line — and return exactly what the schema path returns;
// anything else returns null and goes through the schema, which stays the specification and
// writes the error message. tests/unit/bulk-import-fast-path.test.ts checks that the two agree
// on valid lines and on thousands of broken ones.

const GID = (type: string) => new RegExp(`^gid://shopify/${type}/\\d+$`);
const ORDER_GID = GID("Order");
const CUSTOMER_GID = GID("Customer");
const LINE_ITEM_GID = GID("LineItem");
const PRODUCT_GID = GID("Product");
const VARIANT_GID = GID("ProductVariant");
const DECIMAL = /^-?\d+(\.\d+)?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** A sentinel for "not plainly valid": the schema decides. */
const INVALID = Symbol("invalid");

const fastDate = (value: unknown): Date | typeof INVALID =>
  typeof value === "string" && isIsoDateTime(value) ? isoDateTimeValue(value) : INVALID;
/** undefined and null both mean "absent" to the snapshot: null. */
const fastOptionalDate = (value: unknown): Date | null | typeof INVALID =>
  value === null || value === undefined ? null : fastDate(value);

/** `{ id }` of the type, or absent (null); a gid string is kept as it is. */
function fastRefGid(value: unknown, pattern: RegExp): string | null | typeof INVALID {
  if (value === null || value === undefined) return null;
  if (!isObject(value) || typeof value.id !== "string" || !pattern.test(value.id)) return INVALID;
  return value.id;
}

/** `{ shopMoney: { amount, currencyCode } }` in `currency`, as minor units. */
function fastMoney(value: unknown, currency: string): bigint | typeof INVALID {
  if (!isObject(value)) return INVALID;
  const money = value.shopMoney;
  if (!isObject(money) || money.currencyCode !== currency) return INVALID;
  const amount = money.amount;
  if (typeof amount !== "string" || !DECIMAL.test(amount)) return INVALID;
  try {
    return toMinorUnits(amount, currency);
  } catch {
    return INVALID; // e.g. more decimals than the currency has: the schema path says so
  }
}

function fastOrderSnapshot(value: unknown): OrderSnapshot | null {
  if (!isObject(value)) return null;
  const { id, name, currencyCode } = value;
  if (typeof id !== "string" || !ORDER_GID.test(id)) return null;
  if (typeof currencyCode !== "string" || !CURRENCY.test(currencyCode)) return null;
  if (name !== null && name !== undefined && typeof name !== "string") return null;
  const createdAt = fastDate(value.createdAt);
  const processedAt = fastOptionalDate(value.processedAt);
  const updatedAt = fastOptionalDate(value.updatedAt);
  const cancelledAt = fastOptionalDate(value.cancelledAt);
  const customer = fastRefGid(value.customer, CUSTOMER_GID);
  const totalPrice = fastMoney(value.totalPriceSet, currencyCode);
  const currentTotalPrice = fastMoney(value.currentTotalPriceSet, currencyCode);
  if (
    createdAt === INVALID || processedAt === INVALID || updatedAt === INVALID || cancelledAt === INVALID ||
    customer === INVALID || totalPrice === INVALID || currentTotalPrice === INVALID
  ) {
    return null;
  }
  const processed = processedAt ?? createdAt;
  return {
    gid: id,
    name: name ?? null,
    customer: customer === null ? null : { gid: customer },
    createdAt,
    processedAt: processed,
    updatedAt: updatedAt ?? processed,
    cancelledAt,
    currency: currencyCode,
    totalPrice,
    currentTotalPrice,
    lines: [],
  };
}

function fastLineSnapshot(value: unknown, currency: string): OrderLineSnapshot | null {
  if (!isObject(value)) return null;
  const { id, title, quantity, sku } = value;
  if (typeof id !== "string" || !LINE_ITEM_GID.test(id) || typeof title !== "string") return null;
  if (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 0) return null;
  if (sku !== null && sku !== undefined && typeof sku !== "string") return null;
  const productGid = fastRefGid(value.product, PRODUCT_GID);
  const variantGid = fastRefGid(value.variant, VARIANT_GID);
  const unitPrice = fastMoney(value.originalUnitPriceSet, currency);
  if (productGid === INVALID || variantGid === INVALID || unitPrice === INVALID) return null;
  return { gid: id, title, sku: sku || null, productGid, variantGid, quantity, unitPrice };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const NOT_BLANK = /\S/;
/** The common answer (a line item taken), shared rather than allocated per line. */
const NOTHING: readonly BulkImportResult[] = Object.freeze([]);
const failAt = (lineNumber: number, message: string): BulkImportResult => ({ error: { lineNumber, message } });

export function createBulkOrderAssembler(): BulkOrderAssembler {
  let current: OrderSnapshot | null = null;
  // The last Order line that was rejected, so its line items can say why they are orphans.
  let rejected: { id: string; lineNumber: number } | null = null;
  // Where each order was, so an orphan can tell a scattered file (groupObjects: false) from a missing order.
  const orderLines = orderLineLog();

  const flush = (): BulkImportResult[] => {
    const done = current;
    current = null;
    return done ? [{ order: done }] : [];
  };

  const orphanReason = (parent: unknown): string => {
    if (rejected && parent === rejected.id) return `its order on line ${rejected.lineNumber} was rejected`;
    const orderLine = orderLines.lineOf(parent);
    const where = orderLine === undefined ? "its order is not before it in the file" : `its order is on line ${orderLine}, not directly before it`;
    return `${where} (was the bulk operation run with groupObjects: true?)`;
  };

  return {
    push(line, lineNumber) {
      if (!NOT_BLANK.test(line)) return NOTHING;

      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        // Could be a broken order or a broken line item: keep the current order open either way.
        return [failAt(lineNumber, "invalid JSON")];
      }
      if (!isObject(value)) return [failAt(lineNumber, "expected a JSON object")];

      if ("__parentId" in value) {
        const parent = value.__parentId;
        if (!current || parent !== current.gid) {
          return [failAt(lineNumber, `orphan line item (parent ${String(parent)}): ${orphanReason(parent)}`)];
        }
        try {
          current.lines.push(toLine(value, current.currency));
          return NOTHING;
        } catch (error) {
          return [failAt(lineNumber, `line item: ${messageOf(error)}`)];
        }
      }

      if (typeof value.id === "string" && value.id.startsWith("gid://shopify/Order/")) {
        orderLines.add(value.id, lineNumber);
        const results = flush();
        try {
          current = toOrder(value);
          rejected = null;
        } catch (error) {
          rejected = { id: value.id, lineNumber };
          results.push(failAt(lineNumber, `order ${value.id}: ${messageOf(error)}`));
        }
        return results;
      }

      return [failAt(lineNumber, "neither an Order nor a LineItem (no gid://shopify/Order/ id, no __parentId)")];
    },
    end: flush,
  };
}

const ORDER_GID_PREFIX = "gid://shopify/Order/";

/**
 * The line of each order met so far, by numeric id, for orphans' messages. Typed arrays, not a
 * Map of gids: keeping a string per order alive made the import's parsing ~5 % slower (ADR 0025).
 * Indexed when first asked, which only a broken or scattered file does.
 */
function orderLineLog() {
  let ids = new Float64Array(1024);
  let lines = new Int32Array(1024);
  let count = 0;
  let index: Map<number, number> | null = null;
  const idOf = (gid: string) => Number(gid.slice(ORDER_GID_PREFIX.length));
  return {
    add(gid: string, lineNumber: number): void {
      if (index) {
        index.set(idOf(gid), lineNumber);
        return;
      }
      if (count === ids.length) {
        const [moreIds, moreLines] = [new Float64Array(count * 2), new Int32Array(count * 2)];
        moreIds.set(ids);
        moreLines.set(lines);
        [ids, lines] = [moreIds, moreLines];
      }
      ids[count] = idOf(gid);
      lines[count++] = lineNumber;
    },
    lineOf(gid: unknown): number | undefined {
      const id = typeof gid === "string" && gid.startsWith(ORDER_GID_PREFIX) ? idOf(gid) : NaN;
      if (!Number.isSafeInteger(id)) return undefined;
      if (!index) {
        index = new Map();
        for (let i = 0; i < count; i++) index.set(ids[i]!, lines[i]!);
      }
      return index.get(id);
    },
  };
}

function messageOf(error: unknown): string {
  if (error instanceof PayloadError) return error.message;
  throw error; // a bug, not bad data
}

const adminOrderExtras = z.object({
  customer: z
    .object({
      id: gidOf("Customer"),
      firstName: z.string().nullish(),
      lastName: z.string().nullish(),
      defaultEmailAddress: z.object({ emailAddress: z.string().nullish() }).nullish(),
      defaultAddress: z.object({ countryCodeV2: z.string().nullish() }).nullish(),
    })
    .nullish(),
  lineItems: z.object({ edges: z.array(z.object({ node: z.unknown() })) }),
});

/**
 * One order as ORDER_FOR_POST_PURCHASE_QUERY answers it — the bulk query's fields, line items
 * nested, plus the customer's personal data — as the same snapshot the bulk import makes.
 */
export function adminOrderSnapshot(value: unknown): OrderSnapshot {
  const order = toOrder(value);
  const extras = parseWith(adminOrderExtras, value);
  const c = extras.customer;
  return {
    ...order,
    customer: c
      ? {
          gid: c.id,
          firstName: c.firstName ?? null,
          lastName: c.lastName ?? null,
          ...(c.defaultEmailAddress !== undefined ? { email: c.defaultEmailAddress?.emailAddress ?? null } : {}),
          ...(c.defaultAddress !== undefined ? { countryCode: c.defaultAddress?.countryCodeV2 ?? null } : {}),
        }
      : null,
    lines: extras.lineItems.edges.map((edge) => toLine(edge.node, order.currency)),
  };
}

/** The schema path and the fast path side by side, for tests/unit/bulk-import-fast-path.test.ts. */
export const bulkLineParsers = { schemaOrderSnapshot, schemaLineSnapshot, fastOrderSnapshot, fastLineSnapshot };
