/**
 * Shopify bulk operations as the historical backfill uses them: the customers export (the orders
 * export is ORDERS_BULK_QUERY in bulk-import.ts), the BulkOperation object as the status query
 * and bulkOperationRunQuery answer it, and the bulk_operations/finish webhook body.
 */
import { z } from "zod";
import type { CustomerRef } from "../domain/types";
import { gidOf, isoDateTime, parseWith, regionCode } from "./payloads";

/**
 * Every customer's personal data. The orders export carries only `customer { id }`, and search,
 * filters and greetings need names, email, tags and region. Customer.email is deprecated in
 * 2026-04: defaultEmailAddress.emailAddress replaces it.
 */
export const CUSTOMERS_BULK_QUERY = `{ customers { edges { node {
  id firstName lastName
  defaultEmailAddress { emailAddress marketingState marketingUpdatedAt }
  locale
  tags
  defaultAddress { countryCodeV2 provinceCode }
} } } }`;

export const BULK_OPERATION_STATUSES = ["CREATED", "RUNNING", "CANCELING", "CANCELED", "COMPLETED", "EXPIRED", "FAILED"] as const;
export type BulkOperationStatus = (typeof BULK_OPERATION_STATUSES)[number];

export interface BulkOperationView {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  /** Objects exported so far (orders and line items alike). */
  objectCount: number;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: Date | null;
  query: string | null;
}

// UnsignedInt64 arrives as a string.
const count = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

const bulkOperationNode = z.object({
  id: gidOf("BulkOperation"),
  status: z.enum(BULK_OPERATION_STATUSES),
  errorCode: z.string().nullish(),
  objectCount: count.nullish(),
  url: z.string().url().nullish(),
  partialDataUrl: z.string().url().nullish(),
  createdAt: isoDateTime.nullish(),
  query: z.string().nullish(),
});

/** A BulkOperation as the Admin API answers it (only the fields selected need be present). */
export function parseBulkOperation(value: unknown): BulkOperationView {
  const node = parseWith(bulkOperationNode, value);
  return {
    id: node.id,
    status: node.status,
    errorCode: node.errorCode ?? null,
    objectCount: node.objectCount ?? 0,
    url: node.url ?? null,
    partialDataUrl: node.partialDataUrl ?? null,
    createdAt: node.createdAt ?? null,
    query: node.query ?? null,
  };
}

/** Two bulk queries are the same export when they differ only in whitespace. */
export function sameBulkQuery(a: string, b: string): boolean {
  const squeeze = (q: string) => q.replace(/\s+/g, " ").replace(/\s*([{}()])\s*/g, "$1").trim();
  return squeeze(a) === squeeze(b);
}

const finishPayload = z.object({
  admin_graphql_api_id: gidOf("BulkOperation"),
  // Shopify writes the status in lower case here ("completed"), unlike the GraphQL enum.
  status: z.string(),
  error_code: z.string().nullish(),
  type: z.string().nullish(),
});

/** The bulk_operations/finish webhook body; `gid` lets the receive path record the resource. */
export function parseBulkOperationFinish(body: unknown): { gid: string; status: string; errorCode: string | null } {
  const payload = parseWith(finishPayload, body);
  return { gid: payload.admin_graphql_api_id, status: payload.status.toUpperCase(), errorCode: payload.error_code ?? null };
}

const customerNode = z.object({
  id: gidOf("Customer"),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  defaultEmailAddress: z
    .object({ emailAddress: z.string().nullish(), marketingState: z.string().nullish(), marketingUpdatedAt: isoDateTime.nullish() })
    .nullish(),
  locale: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  defaultAddress: z.object({ countryCodeV2: z.string().nullish(), provinceCode: z.string().nullish() }).nullish(),
});

/**
 * One line of the customers export → the personal data Tokui keeps. Tags are stored
 * comma-separated, as Shopify's webhooks write them.
 */
export function bulkCustomerRef(line: string): CustomerRef {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new BulkLineError("invalid JSON");
  }
  const node = (() => {
    try {
      return parseWith(customerNode, value);
    } catch (error) {
      throw new BulkLineError(error instanceof Error ? error.message : String(error));
    }
  })();
  const address = node.defaultAddress;
  return {
    gid: node.id,
    firstName: node.firstName ?? null,
    lastName: node.lastName ?? null,
    email: node.defaultEmailAddress?.emailAddress ?? null,
    countryCode: address?.countryCodeV2 ?? null,
    provinceCode: address ? regionCode(address.countryCodeV2, address.provinceCode) : null,
    tags: node.tags && node.tags.length > 0 ? node.tags.join(", ") : null,
    ...(node.defaultEmailAddress?.marketingState
      ? { emailMarketingConsent: node.defaultEmailAddress.marketingState, consentUpdatedAt: node.defaultEmailAddress.marketingUpdatedAt ?? null }
      : {}),
    ...(node.locale !== undefined ? { locale: node.locale } : {}),
  };
}

export class BulkLineError extends Error {
  override name = "BulkLineError";
}
