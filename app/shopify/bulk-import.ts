/**
 * Historical import: the JSONL that bulkOperationRunQuery writes for ORDERS_BULK_QUERY, read line
 * by line. With groupObjects: true (see BULK_OPERATION_RUN_QUERY) each Order line is followed by
 * its LineItem lines, which carry `__parentId`; so an order is complete when the next one starts.
 * A bad line is reported with its number and skipped; no good line is ever dropped.
 */
import { z } from "zod";
import type { OrderLineSnapshot, OrderSnapshot } from "../domain/types";
import { currencyCode, decimalString, gidOf, isoDateTime, minorUnits, parseWith, PayloadError } from "./payloads";

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
  push(line: string, lineNumber: number): BulkImportResult[];
  end(): BulkImportResult[];
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

function toOrder(value: unknown): OrderSnapshot {
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

function toLine(value: unknown, currency: string): OrderLineSnapshot {
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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function createBulkOrderAssembler(): BulkOrderAssembler {
  let current: OrderSnapshot | null = null;
  // The last Order line that was rejected, so its line items can say why they are orphans.
  let rejected: { id: string; lineNumber: number } | null = null;

  const flush = (): BulkImportResult[] => {
    const done = current;
    current = null;
    return done ? [{ order: done }] : [];
  };

  return {
    push(line, lineNumber) {
      if (line.trim() === "") return [];
      const fail = (message: string): BulkImportResult => ({ error: { lineNumber, message } });

      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        // Could be a broken order or a broken line item: keep the current order open either way.
        return [fail("invalid JSON")];
      }
      if (!isObject(value)) return [fail("expected a JSON object")];

      if ("__parentId" in value) {
        const parent = value.__parentId;
        if (!current || parent !== current.gid) {
          const why =
            rejected && parent === rejected.id
              ? `its order on line ${rejected.lineNumber} was rejected`
              : "it does not follow its order";
          return [fail(`orphan line item (parent ${String(parent)}): ${why}`)];
        }
        try {
          current.lines.push(toLine(value, current.currency));
          return [];
        } catch (error) {
          return [fail(`line item: ${messageOf(error)}`)];
        }
      }

      if (typeof value.id === "string" && value.id.startsWith("gid://shopify/Order/")) {
        const results = flush();
        try {
          current = toOrder(value);
          rejected = null;
        } catch (error) {
          rejected = { id: value.id, lineNumber };
          results.push(fail(`order ${value.id}: ${messageOf(error)}`));
        }
        return results;
      }

      return [fail("neither an Order nor a LineItem (no gid://shopify/Order/ id, no __parentId)")];
    },
    end: flush,
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
