/**
 * The normalized shapes every entry point (webhooks, bulk import, Admin API fetch) produces
 * before anything touches the database. Money is in integer minor units of the shop currency
 * (bigint); ids are Shopify GIDs.
 */
export type Gid = string;

export interface CustomerRef {
  gid: Gid;
  // undefined = not in this payload (keep what we have); null = known to be empty.
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  countryCode?: string | null;
  provinceCode?: string | null;
  /** Shopify's customer tags, comma-separated as Shopify writes them. */
  tags?: string | null;
  /**
   * Email marketing state as Shopify names it (SUBSCRIBED, NOT_SUBSCRIBED, PENDING, UNSUBSCRIBED,
   * INVALID, REDACTED) and when it last changed: stored only when newer than what we hold.
   */
  emailMarketingConsent?: string | null;
  consentUpdatedAt?: Date | null;
  /** The customer's language in Shopify ("ja", "en", …). */
  locale?: string | null;
}

export interface OrderLineSnapshot {
  gid: Gid;
  title: string;
  sku: string | null;
  productGid: Gid | null;
  variantGid: Gid | null;
  quantity: number;
  /** Original unit price, minor units of shop money. */
  unitPrice: bigint;
}

/** One order as Shopify saw it at `updatedAt`. */
export interface OrderSnapshot {
  gid: Gid;
  name: string | null;
  /** null = guest checkout: stored, ranks nobody. */
  customer: CustomerRef | null;
  createdAt: Date;
  processedAt: Date;
  /** Shopify's updated_at: an older snapshot never overwrites a newer one. */
  updatedAt: Date;
  cancelledAt: Date | null;
  /** Shop-money currency of every amount in this snapshot. */
  currency: string;
  totalPrice: bigint;
  /** Shopify's current total after refunds and edits, at `updatedAt`. */
  currentTotalPrice: bigint;
  lines: OrderLineSnapshot[];
  /** Discount codes applied to the order (absent where the source does not say, e.g. the bulk import). */
  discountCodes?: string[];
}

export interface RefundSnapshot {
  gid: Gid;
  orderGid: Gid;
  createdAt: Date;
  /** Refunded amount, minor units of shop money. */
  amount: bigint;
  currency: string;
}

/**
 * A refund whose amount in shop money its payload does not tell (e.g. paid back in the buyer's
 * currency with no shop_money to match): not recorded, as a wrong figure would be worse; the
 * order's next snapshot (orders/updated, in shop money) brings the refunded total.
 */
export interface UnpricedRefund {
  gid: Gid;
  orderGid: Gid;
  createdAt: Date;
  amount: null;
  currency: null;
  /** Why, for the webhook event's note. */
  reason: string;
}
