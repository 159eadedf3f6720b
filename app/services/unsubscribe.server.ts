/**
 * The public unsubscribe link of follow-up mail (RFC 8058 one-click; app/routes/unsubscribe.tsx).
 * The signed token (app/domain/unsubscribe-token.ts) is the only proof: it names shop, customer
 * and campaign. Unsubscribing sets the customer's consent locally at once, skips their
 * scheduled mail, and queues a "consent-sync" job that tells Shopify
 * (customerEmailMarketingConsentUpdate). Idempotent: a second click changes nothing and queues
 * nothing new. ADR 0023.
 */
import type { PrismaClient } from "../db.server";
import type { UnsubscribeClaims } from "../domain/unsubscribe-token";
import { keyringFromEnv, SecretBoxError, type Keyring } from "../lib/secret-box.server";
import { checkUnsubscribeToken } from "../mail/unsubscribe.server";
import { PermanentJobError, type JobQueue } from "../queue/types";
import { adminFor, callAdmin, type AdminGraphql } from "../shopify/admin-client.server";
import { CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION } from "../shopify/graphql/documents";
import { shopDisplayName } from "../models/shop.server";

export const UNSUBSCRIBED = "UNSUBSCRIBED";

export type UnsubscribeLocale = "ja" | "en";

export type UnsubscribeCheck =
  /** Signed by us; `expired` links are still offered a confirm button (opting out is always honoured). */
  | { ok: true; expired: boolean; claims: UnsubscribeClaims; locale: UnsubscribeLocale; shopName: string; alreadyUnsubscribed: boolean }
  /** Not a link we signed (altered, truncated, another installation's): 400, nothing changes. */
  | { ok: false; reason: "malformed" | "forged" | "wrong-shop" | "no-key"; locale: UnsubscribeLocale };

function localeOf(text: string | null | undefined): UnsubscribeLocale | null {
  if (!text) return null;
  return text.toLowerCase().startsWith("ja") ? "ja" : "en";
}

function keys(env: Record<string, string | undefined>): Keyring | null {
  try {
    return keyringFromEnv(env);
  } catch (error) {
    if (error instanceof SecretBoxError) return null;
    throw error;
  }
}

/**
 * What the token says, with the customer's language (their Shopify locale, else the shop's) and
 * the shop's sender name for the page. `fallbackLocale`: the browser's, for links we cannot read.
 */
export async function checkUnsubscribe(
  prisma: PrismaClient,
  token: string,
  options: { now?: Date; fallbackLocale: UnsubscribeLocale; env?: Record<string, string | undefined> },
): Promise<UnsubscribeCheck> {
  const keyring = keys(options.env ?? process.env);
  if (!keyring) return { ok: false, reason: "no-key", locale: options.fallbackLocale };
  const verification = checkUnsubscribeToken(token, keyring, options.now ?? new Date());
  if (!verification.ok && verification.reason !== "expired") return { ok: false, reason: verification.reason, locale: options.fallbackLocale };
  const claims = verification.claims;
  const [customer, shop, mail] = await Promise.all([
    prisma.customer.findUnique({ where: { shop_gid: { shop: claims.shop, gid: claims.customerGid } }, select: { locale: true, emailMarketingConsent: true } }),
    prisma.shop.findUnique({ where: { shop: claims.shop }, select: { locale: true } }),
    prisma.mailSettings.findUnique({ where: { shop: claims.shop }, select: { fromName: true } }),
  ]);
  return {
    ok: true,
    expired: !verification.ok,
    claims,
    locale: localeOf(customer?.locale) ?? localeOf(shop?.locale) ?? options.fallbackLocale,
    shopName: await shopDisplayName(prisma, claims.shop, mail?.fromName),
    alreadyUnsubscribed: customer?.emailMarketingConsent === UNSUBSCRIBED,
  };
}

export interface UnsubscribeOutcome {
  /** The consent changed now (false: it already was unsubscribed, or the customer is unknown here). */
  changed: boolean;
  /** Scheduled mails of the customer that will not be sent. */
  skipped: number;
}

/**
 * Unsubscribes the token's customer (call checkUnsubscribe first; `claims` are its result). One
 * transaction: consent, the customer's scheduled mail, and the Shopify job (queued only when the
 * consent changed, singleton per customer).
 */
export async function unsubscribeCustomer(
  prisma: PrismaClient,
  queue: JobQueue,
  claims: UnsubscribeClaims,
  now: Date = new Date(),
): Promise<UnsubscribeOutcome> {
  return prisma.$transaction(async (tx) => {
    const customer = await tx.customer.findUnique({
      where: { shop_gid: { shop: claims.shop, gid: claims.customerGid } },
      select: { id: true, emailMarketingConsent: true, redactedAt: true },
    });
    // A customer erased since (customers/redact) or a test mail's link: nothing here to change.
    if (!customer) return { changed: false, skipped: 0 };
    const skipped = await tx.mailSend.updateMany({
      where: { shop: claims.shop, customerId: customer.id, status: "scheduled" },
      data: { status: "skipped", error: "unsubscribed" },
    });
    if (customer.emailMarketingConsent === UNSUBSCRIBED) return { changed: false, skipped: skipped.count };
    await tx.customer.update({ where: { id: customer.id }, data: { emailMarketingConsent: UNSUBSCRIBED, consentUpdatedAt: now } });
    if (customer.redactedAt === null) {
      await queue.enqueue(tx, {
        queue: "consent-sync",
        shop: claims.shop,
        data: { customerId: customer.id },
        singletonKey: `consent:${claims.shop}:${customer.id}`,
      });
    }
    return { changed: true, skipped: skipped.count };
  });
}

/**
 * The "consent-sync" job: Shopify's email marketing consent becomes UNSUBSCRIBED, dated when the
 * customer clicked. It reads the local state when it runs: if the customer subscribed again in
 * the meantime (Shopify told us so), there is nothing to send. THROTTLED / 5xx / network:
 * retried by the queue (callAdmin); userErrors (no email address, customer gone): permanent.
 */
export async function runConsentSyncJob(prisma: PrismaClient, shop: string, customerId: number, admin?: AdminGraphql): Promise<"sent" | "skipped"> {
  const customer = await prisma.customer.findFirst({
    where: { id: customerId, shop },
    select: { gid: true, emailMarketingConsent: true, consentUpdatedAt: true, redactedAt: true },
  });
  if (!customer || customer.redactedAt !== null || customer.emailMarketingConsent !== UNSUBSCRIBED) return "skipped";
  const client = admin ?? (await adminFor(shop));
  const data = await callAdmin(client, CUSTOMER_EMAIL_CONSENT_UPDATE_MUTATION, {
    input: {
      customerId: customer.gid,
      emailMarketingConsent: {
        marketingState: UNSUBSCRIBED,
        ...(customer.consentUpdatedAt ? { consentUpdatedAt: customer.consentUpdatedAt.toISOString() } : {}),
      },
    },
  });
  const result = data.customerEmailMarketingConsentUpdate as { userErrors?: { field?: string[] | null; message: string }[] } | null | undefined;
  const userErrors = result?.userErrors ?? [];
  if (userErrors.length > 0) {
    const detail = userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ");
    throw new PermanentJobError(`Shopify refused the consent update of ${customer.gid}: ${detail}`);
  }
  return "sent";
}
