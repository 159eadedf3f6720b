/**
 * Every GraphQL document Tokui sends to the Admin API (2026-04). Each is validated against the
 * vendored schema by tests/unit/graphql-documents.test.ts, which iterates this module's exports:
 * add new documents here, as exported strings, and they are checked too.
 */
import { ORDERS_BULK_QUERY } from "../bulk-import";
import { CUSTOMERS_BULK_QUERY } from "../bulk-operations";

// The historical exports (orders, then customers' personal data); bulkOperationRunQuery takes
// them as its $query string.
export { ORDERS_BULK_QUERY, CUSTOMERS_BULK_QUERY };

// Starts an export. groupObjects defaults to false since 2026-01, which lets line items land
// anywhere in the JSONL; the streaming assembler needs them right after their order.
export const BULK_OPERATION_RUN_QUERY = `#graphql
mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}`;

// Follows an export: status, progress and, once finished, the result (or partial) file.
export const BULK_OPERATION_STATUS_QUERY = `#graphql
query BulkOperationStatus($id: ID!) {
  bulkOperation(id: $id) {
    id status errorCode objectCount url partialDataUrl createdAt
  }
}`;

// After OPERATION_IN_PROGRESS: the app's running exports, to adopt our own (a crash between
// starting it and saving its id) or to wait for someone else's.
export const RUNNING_BULK_OPERATIONS_QUERY = `#graphql
query RunningBulkOperations {
  bulkOperations(first: 5, query: "operation_type:query AND (status:created OR status:running)") {
    nodes { id status query createdAt }
  }
}`;

// Which scopes the merchant granted: without read_all_orders only the last 60 days of orders
// are visible to the app.
export const APP_ACCESS_SCOPES_QUERY = `#graphql
query AppAccessScopes {
  currentAppInstallation { accessScopes { handle } }
}`;

// One customer's rank sync in one request: app metafields (rankMetafieldsInput), deletion of
// the ones that became null (staleRankMetafields), and rank tags. The Boolean flags skip a step
// with nothing to do rather than send Shopify an empty list.
export const RANK_SYNC_MUTATION = `#graphql
mutation RankSync(
  $id: ID!
  $metafields: [MetafieldsSetInput!]!
  $staleMetafields: [MetafieldIdentifierInput!]!
  $deleteStale: Boolean!
  $addTags: [String!]!
  $add: Boolean!
  $removeTags: [String!]!
  $remove: Boolean!
) {
  metafieldsSet(metafields: $metafields) {
    metafields { key namespace value }
    userErrors { field message code }
  }
  metafieldsDelete(metafields: $staleMetafields) @include(if: $deleteStale) {
    deletedMetafields { key namespace ownerId }
    userErrors { field message }
  }
  tagsAdd(id: $id, tags: $addTags) @include(if: $add) {
    userErrors { field message }
  }
  tagsRemove(id: $id, tags: $removeTags) @include(if: $remove) {
    userErrors { field message }
  }
}`;

// A customer's current tags, to find stale rank tags before tagsRemove.
export const CUSTOMER_RANK_TAGS_QUERY = `#graphql
query CustomerRankTags($id: ID!) {
  customer(id: $id) { id tags }
}`;

// The rank-sync batch's tags: up to RANK_SYNC_BATCH_SIZE customers in one request (nodes takes
// 250 ids); a customer deleted in Shopify comes back as null.
export const CUSTOMERS_RANK_TAGS_QUERY = `#graphql
query CustomersRankTags($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Customer { id tags } }
}`;

// One order for the thank-you page when its webhook has not arrived yet. Customer.email is
// deprecated in 2026-04: defaultEmailAddress.emailAddress replaces it.
export const ORDER_FOR_POST_PURCHASE_QUERY = `#graphql
query OrderForPostPurchase($id: ID!) {
  order(id: $id) {
    id name createdAt processedAt updatedAt cancelledAt currencyCode
    customer {
      id firstName lastName
      defaultEmailAddress { emailAddress }
      defaultAddress { countryCodeV2 }
    }
    totalPriceSet { shopMoney { amount currencyCode } }
    currentTotalPriceSet { shopMoney { amount currencyCode } }
    lineItems(first: 250) { edges { node {
      id title quantity sku product { id } variant { id }
      originalUnitPriceSet { shopMoney { amount currencyCode } }
    } } }
  }
}`;

// Shop currency, timezone (for day boundaries in reports) and primary domain.
export const SHOP_SETTINGS_QUERY = `#graphql
query ShopSettings {
  shop { name currencyCode ianaTimezone primaryDomain { host } }
}`;

// A milestone coupon: single use, only for that customer, until the grant's expiry.
export const DISCOUNT_CODE_CREATE_MUTATION = `#graphql
mutation RewardDiscountCreate($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

// After a retry whose first attempt reached Shopify: the code exists already, find its discount.
export const DISCOUNT_BY_CODE_QUERY = `#graphql
query RewardDiscountByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) { id }
}`;

// A revoked reward's unused code stops working (kept, not deleted, so its history stays in Shopify).
export const DISCOUNT_CODE_DEACTIVATE_MUTATION = `#graphql
mutation RewardDiscountDeactivate($id: ID!) {
  discountCodeDeactivate(id: $id) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

// The order that earned a free sample: its note, so the packer's note is added only once.
export const ORDER_NOTE_QUERY = `#graphql
query RewardOrderNote($id: ID!) {
  order(id: $id) { id note tags }
}`;

// Free sample: tag the order (packing lists, Flow) and add the packer's note to it.
export const SAMPLE_ORDER_MUTATION = `#graphql
mutation RewardSampleOrder($id: ID!, $tags: [String!]!, $input: OrderInput!, $setNote: Boolean!) {
  tagsAdd(id: $id, tags: $tags) {
    userErrors { field message }
  }
  orderUpdate(input: $input) @include(if: $setNote) {
    userErrors { field message }
  }
}`;

// A revoked free sample: the order will not ship, so the packing tag comes off.
export const SAMPLE_TAG_REMOVE_MUTATION = `#graphql
mutation RewardSampleTagRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    userErrors { field message }
  }
}`;

// Tag sync from the Customers page: one customer's tag added or removed; the customer's tags
// as Shopify holds them afterwards are copied into Customer.tags (search, export).
export const CUSTOMER_TAGS_ADD_MUTATION = `#graphql
mutation CustomerTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id ... on Customer { tags } }
    userErrors { field message }
  }
}`;

export const CUSTOMER_TAGS_REMOVE_MUTATION = `#graphql
mutation CustomerTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id ... on Customer { tags } }
    userErrors { field message }
  }
}`;

// Starts the merchant's Shopify Flow workflows that begin with one of Tokui's triggers
// (extensions/flow-*; app/shopify/flow.server.ts). The payload's keys are the trigger's fields.
export const FLOW_TRIGGER_RECEIVE_MUTATION = `#graphql
mutation FlowTriggerReceive($handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) {
    userErrors { field message }
  }
}`;

// A customer unsubscribed through the one-click link in a follow-up mail
// (app/services/unsubscribe.server.ts): Shopify's consent follows Tokui's, so no other
// marketing tool keeps mailing them.
export const CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION = `#graphql
mutation CustomerEmailConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer { id }
    userErrors { field message code }
  }
}`;
