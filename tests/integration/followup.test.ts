/**
 * The follow-up scheduler against a real database (SQLite and PostgreSQL) and a real SMTP server
 * on loopback: what is planned from the customers' orders and consent, in the shop's sending
 * hours, with holdout rows held; what the server receives (counted by Message-ID); re-checks
 * before sending, retries and permanent failures; two workers never send one mail twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase, prepareDatabase, type PrismaClient } from "~/db.server";
import { parseKey, sealSecret, type Keyring } from "~/lib/secret-box.server";
import { messageIdFor } from "~/mail/send.server";
import { MailTransports } from "~/mail/transport.server";
import { journeyDefinitionJson, replenishmentDefinitionJson, defaultReplenishmentTemplate } from "~/services/followup-settings/definition";
import { learnIntervals, planFollowUps, retryDelayMs, sendDueMail } from "~/services/followup/scheduler.server";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as consentUpdate } from "~/routes/webhooks.customers.email_marketing_consent_update";
import { action as appUninstalled } from "~/routes/webhooks.app.uninstalled";
import { bulkCustomerRef } from "~/shopify/bulk-operations";
import { FOLLOW_UP_DUE_TRIGGER } from "~/domain/flow-payloads";
import { closeMailTransports } from "~/mail/transport.server";
import { followUpTick, learnIntervalsIfStale } from "~/services/followup/jobs.server";
import { app, customerByGid } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { webhookRequest } from "../helpers/shopify";
import { startLoopbackSmtp, type LoopbackSmtp } from "../helpers/smtp";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { isInHoldout } from "~/domain/holdout";
import { loadCampaignResults } from "~/services/followup-results/results.server";
import { FLOW_MESSAGE_ID } from "~/services/followup/send-log";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "yamada-shoten.myshopify.com";
const APP_URL = "https://tokui.example.com";
const FROM = "info@yamada-shoten.jp";
const USER = "shop-user";
const PASSWORD = "correct horse ♥ battery";
const keyring: Keyring = { current: parseKey(Buffer.alloc(32, 7).toString("base64")), previous: [] };
const DAY = 86_400_000;

// 2026-10-01 12:00 in Tokyo.
const T0 = new Date("2026-10-01T03:00:00Z");

let smtp: LoopbackSmtp;
let transports: MailTransports;
/** Recipients refused once with 451, then accepted. */
const busyOnce = new Set<string>();

beforeAll(async () => {
  smtp = await startLoopbackSmtp({
    user: USER,
    password: PASSWORD,
    reply: (address) => {
      if (address.startsWith("gone")) return [550, "5.1.1 Mailbox unavailable"];
      if (busyOnce.delete(address)) return [451, "4.2.1 Mailbox busy, try again later"];
      return null;
    },
  });
});
afterAll(async () => {
  transports?.closeAll();
  await smtp.stop();
});

beforeEach(async () => {
  const { prisma } = await app();
  for (const table of ["mailSend", "orderLine", "order", "customer", "campaign", "productInterval", "mailSettings", "rankTier", "shop"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  smtp.received.length = 0;
  busyOnce.clear();
  transports = new MailTransports();
  await prisma.shop.create({ data: { shop: SHOP, ianaTimezone: "Asia/Tokyo" } });
  await prisma.mailSettings.create({
    data: {
      shop: SHOP,
      host: "127.0.0.1",
      port: smtp.port,
      security: "none",
      username: USER,
      passwordSealed: sealSecret(PASSWORD, keyring, `smtp-password:${SHOP}`),
      fromAddress: FROM,
      fromName: "山田商店",
      sendFromHour: 9,
      sendToHour: 20,
      enabled: true,
    },
  });
});
afterEach(() => transports.closeAll());

const STEP_TEMPLATE = {
  subject: { ja: "【{{shop_name}}】{{customer_name}}様、その後いかがですか", en: "How is it going, {{first_name}}?" },
  body: { ja: "{{customer_name}}様\n\nお届けした商品はいかがでしょうか。", en: "Dear {{first_name}},\n\nHow is your order?" },
};

async function enableFirstJourney(prisma: PrismaClient, holdoutPercent = 0) {
  await prisma.campaign.create({
    data: {
      shop: SHOP,
      key: "journey:first",
      kind: "journey",
      enabled: true,
      holdoutPercent,
      definition: journeyDefinitionJson({
        phase: "first",
        steps: [
          { key: "step-1", delayDays: 21, ...STEP_TEMPLATE },
          { key: "step-2", delayDays: 42, ...STEP_TEMPLATE },
        ],
      }),
    },
  });
}

let orderSeq = 1000;

async function customer(
  prisma: PrismaClient,
  n: number,
  orders: Date[],
  options: { consent?: string | null; email?: string; products?: { productGid: string; quantity: number }[] } = {},
) {
  const sorted = [...orders].sort((a, b) => a.getTime() - b.getTime());
  const row = await prisma.customer.create({
    data: {
      shop: SHOP,
      gid: `gid://shopify/Customer/${n}`,
      firstName: "花子",
      lastName: `山田${n}`,
      email: options.email ?? `customer${n}@example.jp`,
      emailMarketingConsent: options.consent === undefined ? "SUBSCRIBED" : options.consent,
      locale: "ja",
      orderCount: sorted.length,
      lifetimeSpent: 3000n * BigInt(sorted.length),
      windowSpent: 3000n * BigInt(sorted.length),
      firstOrderAt: sorted[0] ?? null,
      secondOrderAt: sorted[1] ?? null,
      lastOrderAt: sorted.at(-1) ?? null,
    },
  });
  for (const at of sorted) await addOrder(prisma, row.id, at, options.products);
  return row;
}

async function addOrder(prisma: PrismaClient, customerId: number, at: Date, products: { productGid: string; quantity: number }[] = []) {
  const id = ++orderSeq;
  const order = await prisma.order.create({
    data: {
      shop: SHOP,
      gid: `gid://shopify/Order/${id}`,
      customerId,
      processedAt: at,
      currency: "JPY",
      totalPrice: 3000n,
      sourceCurrentTotal: 3000n,
      currentTotal: 3000n,
      sourceUpdatedAt: at,
    },
  });
  for (const [i, p] of products.entries()) {
    await prisma.orderLine.create({
      data: { orderId: order.id, shop: SHOP, gid: `gid://shopify/LineItem/${id}${i}`, title: "詰め替え用シャンプー", productGid: p.productGid, quantity: p.quantity, unitPrice: 3000n },
    });
  }
  return order;
}

/** The customer ordered again: their stats move as ingestion would move them. */
async function orderAgain(prisma: PrismaClient, customerId: number, at: Date) {
  await addOrder(prisma, customerId, at);
  await prisma.customer.update({ where: { id: customerId }, data: { orderCount: { increment: 1 }, lastOrderAt: at } });
}

const send = (prisma: PrismaClient, now: Date, extra: Parameters<typeof sendDueMail>[2] = {}) =>
  sendDueMail(prisma, now, { keyring, appUrl: APP_URL, transports, ...extra });

describe("follow-up journeys", () => {
  it("sends a first-time buyer exactly one mail 21 days later, inside the shop's sending hours", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    const hanako = await customer(prisma, 1, [T0]);

    // 20 days later: nothing due yet.
    expect((await planFollowUps(prisma, SHOP, new Date(T0.getTime() + 20 * DAY))).scheduled).toEqual({});

    // Day 21 is found at 02:00 in Tokyo: planned for 09:00 Tokyo, not sent before.
    const night = new Date("2026-10-22T17:00:00Z");
    const plan = await planFollowUps(prisma, SHOP, night);
    expect(plan.scheduled).toEqual({ "journey:first": 1 });
    const [row] = await prisma.mailSend.findMany({ where: { shop: SHOP } });
    expect(row).toMatchObject({ campaignKey: "journey:first", step: 1, group: "treated", status: "scheduled", referenceKey: "gid://shopify/Order/1001" });
    expect(row!.scheduledFor.toISOString()).toBe("2026-10-23T00:00:00.000Z");
    expect(await send(prisma, night)).toMatchObject({ claimed: 0, sent: 0 });
    expect(smtp.received).toHaveLength(0);

    const morning = new Date("2026-10-23T00:05:00Z");
    expect(await send(prisma, morning)).toMatchObject({ claimed: 1, sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.rcptTo).toEqual(["customer1@example.jp"]);
    expect(mail.messageId).toBe(messageIdFor(SHOP, `mail-send:${row!.id}`, FROM));
    expect(mail.raw).toMatch(/^List-Unsubscribe: <https:\/\/tokui\.example\.com\/unsubscribe\?token=/m);
    const sent = await prisma.mailSend.findUniqueOrThrow({ where: { id: row!.id } });
    expect(sent).toMatchObject({ status: "sent", attempts: 1, messageId: mail.messageId, error: null });
    expect(sent.smtpReply).toMatch(/^250/);

    // Later passes send nothing more; planning again plans nothing new for this step.
    expect(await send(prisma, new Date(morning.getTime() + DAY))).toMatchObject({ claimed: 0 });
    expect((await planFollowUps(prisma, SHOP, new Date(morning.getTime() + DAY))).scheduled).toEqual({});
    expect(smtp.received).toHaveLength(1);
    expect(hanako.id).toBe(row!.customerId);
  });

  it("plans nothing twice, and only the latest due step after downtime", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    for (let n = 1; n <= 5; n++) await customer(prisma, n, [T0]);
    const day22 = new Date(T0.getTime() + 22 * DAY);
    expect((await planFollowUps(prisma, SHOP, day22)).scheduled).toEqual({ "journey:first": 5 });
    expect((await planFollowUps(prisma, SHOP, day22)).scheduled).toEqual({});
    expect(await prisma.mailSend.count()).toBe(5);

    // A customer found only on day 43 gets step 2, not step 1 and then step 2.
    await customer(prisma, 9, [T0]);
    const day43 = new Date(T0.getTime() + 43 * DAY);
    await planFollowUps(prisma, SHOP, day43);
    const late = await prisma.mailSend.findMany({ where: { customer: { gid: "gid://shopify/Customer/9" } } });
    expect(late.map((r) => r.step)).toEqual([2]);
  });

  it("skips a customer who ordered again before the mail went, and plans nothing without consent", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    const again = await customer(prisma, 1, [T0]);
    await customer(prisma, 2, [T0], { consent: "NOT_SUBSCRIBED" });
    await customer(prisma, 3, [T0], { consent: null });
    await customer(prisma, 4, [T0], { consent: "PENDING" });
    const night = new Date("2026-10-22T17:00:00Z");
    expect((await planFollowUps(prisma, SHOP, night)).scheduled).toEqual({ "journey:first": 1 });

    await orderAgain(prisma, again.id, new Date("2026-10-22T20:00:00Z"));
    const result = await send(prisma, new Date("2026-10-23T01:00:00Z"));
    expect(result).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(await prisma.mailSend.findFirstOrThrow()).toMatchObject({ status: "skipped", error: "ordered-again" });
    expect(smtp.received).toHaveLength(0);
  });

  it("skips a customer who unsubscribed after planning", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    const c = await customer(prisma, 1, [T0]);
    await planFollowUps(prisma, SHOP, new Date("2026-10-23T01:00:00Z"));
    await prisma.customer.update({ where: { id: c.id }, data: { emailMarketingConsent: "UNSUBSCRIBED" } });
    expect(await send(prisma, new Date("2026-10-23T01:00:00Z"))).toMatchObject({ skipped: 1, sent: 0 });
    expect(await prisma.mailSend.findFirstOrThrow()).toMatchObject({ status: "skipped", error: "unsubscribed" });
  });

  it("sends nothing after app/uninstalled, also mails planned before it, and says why", async () => {
    const { prisma, drain } = await app();
    await enableFirstJourney(prisma);
    await customer(prisma, 1, [T0]);
    expect((await planFollowUps(prisma, SHOP, new Date("2026-10-22T17:00:00Z"))).scheduled).toEqual({ "journey:first": 1 });
    const uninstalled = await appUninstalled({ request: webhookRequest({ topic: "app/uninstalled", shop: SHOP, body: { id: 1, domain: SHOP } }), params: {}, context: {} });
    expect(uninstalled.status).toBe(200);
    await drain();
    expect(await send(prisma, new Date("2026-10-23T01:00:00Z"))).toMatchObject({ claimed: 1, sent: 0, skipped: 1 });
    expect(smtp.received).toHaveLength(0);
    expect(await prisma.mailSend.findFirstOrThrow()).toMatchObject({ status: "skipped", error: "uninstalled" });
  });

  it("records the holdout as held and never sends it", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma, 50);
    for (let n = 1; n <= 40; n++) await customer(prisma, n, [T0]);
    const now = new Date("2026-10-23T01:00:00Z");
    const plan = await planFollowUps(prisma, SHOP, now);
    const held = plan.held["journey:first"] ?? 0;
    const treated = plan.scheduled["journey:first"] ?? 0;
    expect(held + treated).toBe(40);
    expect(held).toBeGreaterThan(0);
    expect(treated).toBeGreaterThan(0);

    expect(await send(prisma, now)).toMatchObject({ sent: treated });
    const heldRows = await prisma.mailSend.findMany({ where: { group: "holdout" }, include: { customer: true } });
    expect(heldRows.every((r) => r.status === "held" && r.sentAt === null && r.scheduledFor.toISOString() === "2026-10-23T01:00:00.000Z")).toBe(true);
    const recipients = new Set(smtp.received.flatMap((m) => m.rcptTo));
    expect(recipients.size).toBe(treated);
    for (const r of heldRows) expect(recipients.has(r.customer.email!)).toBe(false);
    // Later passes still never send them.
    expect(await send(prisma, new Date(now.getTime() + 3 * DAY))).toMatchObject({ claimed: 0 });
  });
});

describe("delivery failures", () => {
  it("retries a 451 later and then sends the mail once", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    await customer(prisma, 1, [T0], { email: "busy@example.jp" });
    busyOnce.add("busy@example.jp");
    const now = new Date("2026-10-23T01:00:00Z");
    await planFollowUps(prisma, SHOP, now);

    expect(await send(prisma, now)).toMatchObject({ claimed: 1, retried: 1, sent: 0 });
    const waiting = await prisma.mailSend.findFirstOrThrow();
    expect(waiting).toMatchObject({ status: "scheduled", attempts: 1, error: "deferred" });
    expect(waiting.smtpReply).toMatch(/^451/);
    expect(waiting.scheduledFor.getTime()).toBe(now.getTime() + retryDelayMs(1));
    // Not before its time.
    expect(await send(prisma, new Date(now.getTime() + 60_000))).toMatchObject({ claimed: 0 });

    expect(await send(prisma, new Date(now.getTime() + retryDelayMs(1)))).toMatchObject({ sent: 1 });
    const sent = await prisma.mailSend.findFirstOrThrow();
    expect(sent).toMatchObject({ status: "sent", attempts: 2, error: null });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.messageId).toBe(sent.messageId);
  });

  it("fails a 550 for good with the server's reply", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    await customer(prisma, 1, [T0], { email: "gone@example.jp" });
    const now = new Date("2026-10-23T01:00:00Z");
    await planFollowUps(prisma, SHOP, now);
    expect(await send(prisma, now)).toMatchObject({ failed: 1 });
    const row = await prisma.mailSend.findFirstOrThrow();
    expect(row).toMatchObject({ status: "failed", error: "rejected", attempts: 1 });
    expect(row.smtpReply).toBe("550 5.1.1 Mailbox unavailable");
    expect(await send(prisma, new Date(now.getTime() + DAY))).toMatchObject({ claimed: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it("pauses the shop when the login is refused, without using up the mails' attempts", async () => {
    const { prisma } = await app();
    await enableFirstJourney(prisma);
    for (let n = 1; n <= 3; n++) await customer(prisma, n, [T0]);
    await prisma.mailSettings.update({ where: { shop: SHOP }, data: { passwordSealed: sealSecret("wrong", keyring, `smtp-password:${SHOP}`) } });
    const now = new Date("2026-10-23T01:00:00Z");
    await planFollowUps(prisma, SHOP, now);
    const result = await send(prisma, now);
    expect(result.paused).toEqual([SHOP]);
    expect(result.sent).toBe(0);
    const settings = await prisma.mailSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(settings.pausedAt).not.toBeNull();
    expect(JSON.parse(settings.pauseReason!)).toMatchObject({ en: expect.stringContaining("user name or password") });
    const rows = await prisma.mailSend.findMany();
    expect(rows.every((r) => r.status === "scheduled" && r.attempts === 0)).toBe(true);
    // Paused: nothing is claimed until the merchant saves the settings again.
    expect(await send(prisma, now)).toMatchObject({ claimed: 0 });
    await prisma.mailSettings.update({
      where: { shop: SHOP },
      data: { passwordSealed: sealSecret(PASSWORD, keyring, `smtp-password:${SHOP}`), pausedAt: null, pauseReason: null },
    });
    expect(await send(prisma, now)).toMatchObject({ sent: 3 });
  });
});

describe("replenishment reminders", () => {
  it("learns a product's interval and reminds lead days before the run-out", async () => {
    const { prisma } = await app();
    const product = "gid://shopify/Product/555";
    // Five customers repurchase every 30 days: the learned interval is 30 days per unit.
    for (let n = 1; n <= 5; n++) {
      await customer(prisma, 100 + n, [new Date(T0.getTime() - 90 * DAY), new Date(T0.getTime() - 60 * DAY)], { products: [{ productGid: product, quantity: 1 }] });
    }
    expect(await learnIntervals(prisma, SHOP, T0)).toMatchObject({ learned: 1 });
    expect(await prisma.productInterval.findFirstOrThrow()).toMatchObject({ productGid: product, learnedDaysPerUnit: 30, samplePairs: 5, sampleCustomers: 5 });
    // Those five ran out long ago (too late to remind); stop them from interfering.
    await prisma.customer.updateMany({ where: { gid: { not: "gid://shopify/Customer/1" } }, data: { emailMarketingConsent: "UNSUBSCRIBED" } });

    await prisma.campaign.create({
      data: { shop: SHOP, key: "replenishment", kind: "replenishment", enabled: true, holdoutPercent: 0, definition: replenishmentDefinitionJson({ leadDays: 7, ...defaultReplenishmentTemplate() }) },
    });
    // Two units bought at T0: they last 60 days; remind at day 53.
    const buyer = await customer(prisma, 1, [T0], { products: [{ productGid: product, quantity: 2 }] });
    expect((await planFollowUps(prisma, SHOP, new Date(T0.getTime() + 52 * DAY))).scheduled).toEqual({});
    const due = new Date(T0.getTime() + 53 * DAY); // 12:00 Tokyo
    expect((await planFollowUps(prisma, SHOP, due)).scheduled).toEqual({ replenishment: 1 });
    const row = await prisma.mailSend.findFirstOrThrow();
    const order = await prisma.order.findFirstOrThrow({ where: { customerId: buyer.id } });
    expect(row).toMatchObject({ campaignKey: "replenishment", step: 1, referenceKey: `${product}|${order.gid}`, scheduledFor: due });
    expect(await send(prisma, due)).toMatchObject({ sent: 1 });
    expect(smtp.received.map((m) => m.rcptTo[0])).toEqual(["customer1@example.jp"]);
    expect((await planFollowUps(prisma, SHOP, new Date(due.getTime() + DAY))).scheduled).toEqual({});
  });
});

describe("interval learning in the plan job", () => {
  it("learns when reminders are on and the last learning is a day old, not on every tick", async () => {
    const { prisma } = await app();
    const product = "gid://shopify/Product/777";
    for (let n = 1; n <= 5; n++) {
      await customer(prisma, n, [new Date(T0.getTime() - 60 * DAY), new Date(T0.getTime() - 40 * DAY)], { products: [{ productGid: product, quantity: 1 }] });
    }
    expect(await learnIntervalsIfStale(prisma, SHOP, T0)).toBe(false); // reminders are off
    await prisma.campaign.create({
      data: { shop: SHOP, key: "replenishment", kind: "replenishment", enabled: true, definition: replenishmentDefinitionJson({ leadDays: 7, ...defaultReplenishmentTemplate() }) },
    });
    expect(await learnIntervalsIfStale(prisma, SHOP, T0)).toBe(true);
    expect(await prisma.productInterval.findFirstOrThrow()).toMatchObject({ productGid: product, learnedDaysPerUnit: 20 });
    expect(await learnIntervalsIfStale(prisma, SHOP, new Date(T0.getTime() + 3_600_000))).toBe(false);
    expect(await learnIntervalsIfStale(prisma, SHOP, new Date(T0.getTime() + 25 * 3_600_000))).toBe(true);
  });
});

describe("two workers", () => {
  it("send 200 due mails in parallel, each exactly once", async () => {
    const { prisma, db } = await app();
    await enableFirstJourney(prisma);
    for (let n = 1; n <= 200; n++) await customer(prisma, n, [T0]);
    const now = new Date("2026-10-23T01:00:00Z");
    expect((await planFollowUps(prisma, SHOP, now)).scheduled).toEqual({ "journey:first": 200 });

    const workers = [createDatabase(db.url), createDatabase(db.url)];
    const pools = [new MailTransports(), new MailTransports()];
    try {
      for (const w of workers) await prepareDatabase(w);
      const results = await Promise.all(workers.map((w, i) => sendDueMail(w.prisma, now, { keyring, appUrl: APP_URL, transports: pools[i], batchSize: 7 })));
      expect(results[0]!.sent + results[1]!.sent).toBe(200);
      expect(results[0]!.claimed + results[1]!.claimed).toBe(200);
    } finally {
      for (const p of pools) p.closeAll();
      for (const w of workers) await w.prisma.$disconnect();
    }
    const counts = smtp.countsByMessageId();
    expect(counts.size).toBe(200);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(await prisma.mailSend.count({ where: { status: "sent" } })).toBe(200);
  });
});

describe("consent and locale from order webhooks", () => {
  it("stores the newest consent statement whatever order the webhooks arrive in", async () => {
    const { drain } = await app();
    const gid = "gid://shopify/Customer/4242";
    async function orderWith(id: number, consent: Record<string, unknown> | undefined) {
      const body = orderPayload({ id, customerId: 4242, total: "3000" });
      const customer = body.customer as Record<string, unknown>;
      body.customer = { ...customer, locale: "en", ...(consent ? { email_marketing_consent: consent } : {}) };
      const response = await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} });
      expect(response.status).toBe(200);
      await drain();
      return customerByGid(gid);
    }
    expect(await orderWith(9001, { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-10-01T10:00:00+09:00" })).toMatchObject({
      emailMarketingConsent: "SUBSCRIBED",
      consentUpdatedAt: new Date("2026-10-01T01:00:00Z"),
      locale: "en",
    });
    // An older statement delivered late changes nothing …
    expect(await orderWith(9002, { state: "unsubscribed", opt_in_level: null, consent_updated_at: "2026-09-01T10:00:00+09:00" })).toMatchObject({
      emailMarketingConsent: "SUBSCRIBED",
      consentUpdatedAt: new Date("2026-10-01T01:00:00Z"),
    });
    // … nor does one without a date once we hold a dated one; a newer one does.
    expect(await orderWith(9003, { state: "unsubscribed", opt_in_level: null, consent_updated_at: null })).toMatchObject({ emailMarketingConsent: "SUBSCRIBED" });
    expect(await orderWith(9004, { state: "unsubscribed", opt_in_level: null, consent_updated_at: "2026-10-05T10:00:00+09:00" })).toMatchObject({
      emailMarketingConsent: "UNSUBSCRIBED",
      consentUpdatedAt: new Date("2026-10-05T01:00:00Z"),
    });
    // Webhooks of API 2025-01 and later carry no consent: what we hold stays.
    expect(await orderWith(9005, undefined)).toMatchObject({ emailMarketingConsent: "UNSUBSCRIBED" });
  });
});

describe("consent from customers/email_marketing_consent_update", () => {
  it("creates or updates the customer's consent, newest statement first, and a first order keeps it", async () => {
    const { drain } = await app();
    const gid = "gid://shopify/Customer/5151";
    async function consent(state: string, at: string | null) {
      const body = { customer_id: 5151, email_address: "k@example.jp", email_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: at, consent_collected_from: "SHOPIFY" } };
      const response = await consentUpdate({ request: webhookRequest({ topic: "customers/email_marketing_consent_update", body }), params: {}, context: {} });
      expect(response.status).toBe(200);
      await drain();
      return customerByGid(gid);
    }
    // Subscribed at checkout, before the order webhook is processed: the row is made with it.
    expect(await consent("subscribed", "2026-10-01T10:00:00+09:00")).toMatchObject({ emailMarketingConsent: "SUBSCRIBED", orderCount: 0 });
    const body = orderPayload({ id: 9101, customerId: 5151, total: "3000" });
    expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} })).status).toBe(200);
    await drain();
    expect(await customerByGid(gid)).toMatchObject({ emailMarketingConsent: "SUBSCRIBED", orderCount: 1 });
    // A delayed older statement loses; a newer one wins.
    expect(await consent("unsubscribed", "2026-09-30T10:00:00+09:00")).toMatchObject({ emailMarketingConsent: "SUBSCRIBED" });
    expect(await consent("unsubscribed", "2026-10-02T10:00:00+09:00")).toMatchObject({
      emailMarketingConsent: "UNSUBSCRIBED",
      consentUpdatedAt: new Date("2026-10-02T01:00:00Z"),
    });
  });

  it("refuses a payload without a customer id (400-class, nothing stored)", async () => {
    const response = await consentUpdate({
      request: webhookRequest({ topic: "customers/email_marketing_consent_update", body: { email_marketing_consent: { state: "subscribed" } } }),
      params: {},
      context: {},
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});

describe("consent and locale from the history import", () => {
  it("reads the customers export's marketing state, its date and the language", () => {
    const line = (email: Record<string, unknown> | null, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ id: "gid://shopify/Customer/7", firstName: "花子", lastName: "山田", defaultEmailAddress: email, tags: [], defaultAddress: null, ...extra });
    expect(bulkCustomerRef(line({ emailAddress: "h@example.jp", marketingState: "SUBSCRIBED", marketingUpdatedAt: "2026-10-01T01:00:00Z" }, { locale: "en" }))).toMatchObject({
      email: "h@example.jp",
      emailMarketingConsent: "SUBSCRIBED",
      consentUpdatedAt: new Date("2026-10-01T01:00:00Z"),
      locale: "en",
    });
    // No address: nothing said about consent (the stored value stays); an export without the field neither.
    expect(bulkCustomerRef(line(null))).not.toHaveProperty("emailMarketingConsent");
    expect(bulkCustomerRef(line({ emailAddress: "h@example.jp" }))).not.toHaveProperty("emailMarketingConsent");
  });
});

describe("jobs", () => {
  it("the worker's tick plans and sends through the job queue (table queue / pg-boss)", async () => {
    const { prisma, queue, drain } = await app();
    const previousKey = process.env.TOKUI_ENCRYPTION_KEY;
    process.env.TOKUI_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
    try {
      // The jobs run at the real clock: sending hours all day, so the test passes at any hour.
      await prisma.mailSettings.update({ where: { shop: SHOP }, data: { sendFromHour: 0, sendToHour: 24 } });
      await enableFirstJourney(prisma);
      await customer(prisma, 1, [new Date(Date.now() - 21.5 * DAY)]);
      await customer(prisma, 2, [new Date(Date.now() - 3 * DAY)]);
      expect(await followUpTick(prisma, queue)).toBe(1);
      await drain();
      const rows = await prisma.mailSend.findMany();
      expect(rows).toMatchObject([{ status: "sent", step: 1 }]);
      expect(smtp.received.map((m) => m.rcptTo[0])).toEqual(["customer1@example.jp"]);
      // The next tick finds nothing new.
      await followUpTick(prisma, queue);
      await drain();
      expect(smtp.received).toHaveLength(1);
    } finally {
      closeMailTransports();
      if (previousKey === undefined) delete process.env.TOKUI_ENCRYPTION_KEY;
      else process.env.TOKUI_ENCRYPTION_KEY = previousKey;
    }
  });

  it("queues Shopify Flow's 'follow up due' for treated steps when the shop has an active workflow", async () => {
    const { prisma, queue, db } = await app();
    await enableFirstJourney(prisma, 50);
    for (let n = 1; n <= 20; n++) await customer(prisma, n, [T0]);
    const now = new Date("2026-10-23T01:00:00Z");
    const waiting = async () => (await queue.counts())["flow-trigger:waiting"] ?? 0;
    const before = await waiting();
    await prisma.flowTriggerState.create({ data: { shop: SHOP, handle: FOLLOW_UP_DUE_TRIGGER, enabled: true, updatedAt: now } });
    try {
      const plan = await planFollowUps(prisma, SHOP, now, { queue });
      expect((await waiting()) - before).toBe(plan.scheduled["journey:first"]);
      // Planning again fires nothing again.
      await planFollowUps(prisma, SHOP, now, { queue });
      expect((await waiting()) - before).toBe(plan.scheduled["journey:first"]);
    } finally {
      await prisma.flowTriggerState.deleteMany();
      if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job WHERE name = 'flow-trigger'");
      else await prisma.job.deleteMany({ where: { queue: "flow-trigger" } });
    }
  });
});

describe("delivery channel: Shopify Flow without SMTP, or nothing", () => {
  const shopify = adminApiMock();
  const server = setupServer(...shopify.handlers);
  const ACCESS_TOKEN = "shpat_0123456789abcdef0123456789abcdef";
  beforeAll(() => {
    server.listen({ onUnhandledRequest: "error" });
    // @shopify/shopify-api's node adapter keeps the fetch it found at import: hand it MSW's.
    setAbstractFetchFunc(globalThis.fetch);
  });
  afterAll(() => server.close());
  beforeEach(() => shopify.reset());
  afterEach(async () => {
    const { prisma, db } = await app();
    await prisma.flowTriggerState.deleteMany();
    await prisma.session.deleteMany({ where: { shop: SHOP } });
    if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job WHERE name = 'flow-trigger'");
    else await prisma.job.deleteMany({ where: { queue: "flow-trigger" } });
    expect(shopify.violations).toEqual([]);
  });

  it("a Flow-only shop: the treated step is sent through Flow once, the holdout held, nothing paused, the results count it", async () => {
    const { prisma, queue, drain } = await app();
    await prisma.mailSettings.deleteMany();
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: "read_orders,read_customers" } });
    shopify.install(SHOP, ACCESS_TOKEN);
    await enableFirstJourney(prisma, 50);
    // One customer of each group, by the same hash the planner uses.
    const numbers = Array.from({ length: 40 }, (_, i) => i + 1);
    const treatedN = numbers.find((n) => !isInHoldout("journey:first", `gid://shopify/Customer/${n}`, 50))!;
    const heldN = numbers.find((n) => isInHoldout("journey:first", `gid://shopify/Customer/${n}`, 50))!;
    const treated = await customer(prisma, treatedN, [T0]);
    const held = await customer(prisma, heldN, [T0]);
    // 02:00 in Tokyo: outside sending hours, but Flow fires now.
    const night = new Date("2026-10-22T17:00:00Z");
    await prisma.flowTriggerState.create({ data: { shop: SHOP, handle: FOLLOW_UP_DUE_TRIGGER, enabled: true, updatedAt: night } });

    const plan = await planFollowUps(prisma, SHOP, night, { queue });
    expect(plan).toMatchObject({ scheduled: {}, viaFlow: { "journey:first": 1 }, held: { "journey:first": 1 } });
    expect(plan.skippedShop).toBeUndefined();
    expect((await planFollowUps(prisma, SHOP, night, { queue })).viaFlow).toEqual({});
    await drain();
    expect(shopify.flow.received).toEqual([
      { shop: SHOP, handle: FOLLOW_UP_DUE_TRIGGER, payload: expect.objectContaining({ customer_id: treatedN, "Journey key": "journey:first", "Step number": 1 }) },
    ]);

    const rows = await prisma.mailSend.findMany({ orderBy: { id: "asc" } });
    expect(rows.find((r) => r.customerId === treated.id)).toMatchObject({ group: "treated", status: "sent", sentAt: night, scheduledFor: night, messageId: FLOW_MESSAGE_ID, error: null });
    expect(rows.find((r) => r.customerId === held.id)).toMatchObject({ group: "holdout", status: "held", sentAt: null, scheduledFor: night, messageId: null });

    // The SMTP sender has nothing to do and pauses nothing.
    expect(await send(prisma, new Date(night.getTime() + DAY), { shop: SHOP })).toMatchObject({ claimed: 0, paused: [] });
    expect(await send(prisma, new Date(night.getTime() + DAY))).toMatchObject({ claimed: 0, paused: [] });
    expect(smtp.received).toHaveLength(0);
    expect(await prisma.mailSettings.count()).toBe(0);

    // The treated customer orders 3 days after the trigger: counted as a treated conversion.
    await orderAgain(prisma, treated.id, new Date(night.getTime() + 3 * DAY));
    const [result] = await loadCampaignResults(prisma, SHOP, "JPY");
    expect(result).toMatchObject({ key: "journey:first", overall: { treated: { customers: 1, converted: 1 }, holdout: { customers: 1, converted: 0 } } });
    expect(result!.steps).toMatchObject([{ step: 1, measurement: { treated: { customers: 1, converted: 1 } } }]);
  });

  it("plans nothing for a shop with neither SMTP sending on nor an active Flow workflow", async () => {
    const { prisma, queue } = await app();
    await enableFirstJourney(prisma);
    await customer(prisma, 1, [T0]);
    const now = new Date("2026-10-23T01:00:00Z");
    // Settings saved but sending off, no workflow.
    await prisma.mailSettings.update({ where: { shop: SHOP }, data: { enabled: false } });
    expect(await planFollowUps(prisma, SHOP, now, { queue })).toMatchObject({ skippedShop: "no-channel", scheduled: {}, viaFlow: {}, held: {} });
    // No settings at all; a workflow that was switched off.
    await prisma.mailSettings.deleteMany();
    await prisma.flowTriggerState.create({ data: { shop: SHOP, handle: FOLLOW_UP_DUE_TRIGGER, enabled: false, updatedAt: now } });
    expect(await planFollowUps(prisma, SHOP, now, { queue })).toMatchObject({ skippedShop: "no-channel" });
    // An active workflow, but a caller without a queue cannot fire it.
    await prisma.flowTriggerState.updateMany({ data: { enabled: true } });
    expect(await planFollowUps(prisma, SHOP, now)).toMatchObject({ skippedShop: "no-channel" });
    expect(await prisma.mailSend.count()).toBe(0);
    // With the queue, the same shop is served through Flow.
    expect((await planFollowUps(prisma, SHOP, now, { queue })).viaFlow).toEqual({ "journey:first": 1 });
  });
});
