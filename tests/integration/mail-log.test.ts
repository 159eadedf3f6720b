/**
 * The send log page (/app/mail-log) on seeded MailSend rows, SQLite and PostgreSQL: filters by
 * status and campaign, keyset pages forwards and back, another shop's rows never shown, times in
 * the shop's time zone, errors in the merchant's language with the SMTP reply.
 */
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loader } from "~/routes/app.mail-log";
import { loadMailLog, mailLogQueryFromUrl, type MailLogQuery } from "~/services/followup-results/send-log.server";
import { adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "mail-log.myshopify.com";
const OTHER = "mail-log-other.myshopify.com";
const ACCESS_TOKEN = "shpat_maillog000000000000000000000000";
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const server = setupServer(...shopify.handlers, exchange.handler);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());
afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

const NONE: MailLogQuery = { status: null, campaign: null, after: null, before: null };
/** Ids of the seeded rows by name, so assertions read as the seed. */
let ids: Record<string, number> = {};

beforeEach(async () => {
  const { prisma } = await app();
  for (const table of ["mailSend", "customer", "rankTier", "shop", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  shopify.reset();
  exchange.reset();
  shopify.install(SHOP, ACCESS_TOKEN);
  shopify.setShop(SHOP, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
  await prisma.shop.create({ data: { shop: SHOP, currency: "JPY", ianaTimezone: "Asia/Tokyo" } });
  await prisma.shop.create({ data: { shop: OTHER, currency: "USD", ianaTimezone: "America/New_York" } });
  const hanako = await prisma.customer.create({ data: { shop: SHOP, gid: "gid://shopify/Customer/1001", firstName: "花子", lastName: "山田", email: "hanako@example.jp" } });
  const ken = await prisma.customer.create({ data: { shop: SHOP, gid: "gid://shopify/Customer/1002", firstName: "Ken", lastName: "Ito", email: "ken@example.jp" } });
  const stranger = await prisma.customer.create({ data: { shop: OTHER, gid: "gid://shopify/Customer/2001", firstName: "Other", lastName: "Shop", email: "o@example.com" } });

  ids = {};
  const at = (iso: string) => new Date(iso);
  const row = async (name: string, data: Record<string, unknown>) => {
    const created = await prisma.mailSend.create({
      data: { shop: SHOP, referenceKey: `gid://shopify/Order/${name}`, group: "treated", scheduledFor: at("2026-11-20T00:00:00Z"), ...data } as never,
    });
    ids[name] = created.id;
  };
  // Created in this order, so ids ascend: the log shows them in reverse.
  await row("sent", { campaignKey: "journey:first", customerId: hanako.id, status: "sent", sentAt: at("2026-11-20T00:00:05Z"), attempts: 1, smtpReply: "250 2.0.0 Ok" });
  await row("held", { campaignKey: "journey:first", customerId: ken.id, status: "held", group: "holdout" });
  await row("failed", { campaignKey: "journey:first", customerId: ken.id, status: "failed", step: 2, attempts: 1, error: "rejected", smtpReply: "550 5.1.1 No such user" });
  await row("skipped", { campaignKey: "replenishment", customerId: hanako.id, status: "skipped", error: "ordered-again" });
  await row("scheduled", { campaignKey: "replenishment", customerId: ken.id, status: "scheduled", scheduledFor: at("2026-11-25T15:30:00Z") });
  // Another shop's rows, with the statuses and campaigns the filters ask for.
  for (const status of ["sent", "failed", "scheduled"]) {
    await prisma.mailSend.create({
      data: { shop: OTHER, campaignKey: "journey:first", customerId: stranger.id, referenceKey: `o-${status}`, group: "treated", status, scheduledFor: at("2026-11-21T00:00:00Z"), error: status === "failed" ? "auth" : null },
    });
  }
});

describe("the send log", () => {
  it("lists only this shop's rows, newest first, times in the shop's time zone", async () => {
    const { prisma } = await app();
    const log = await loadMailLog(prisma, SHOP, NONE);
    expect(log.rows.map((r) => r.id)).toEqual([ids.scheduled, ids.skipped, ids.failed, ids.held, ids.sent]);
    expect(log.total).toBe(5);
    expect(log.next).toBeNull();
    expect(log.previous).toBeNull();
    expect(log.campaigns.map((c) => c.key)).toEqual(["journey:first", "replenishment"]);
    const scheduled = log.rows[0]!;
    // 15:30 UTC is 00:30 the next day in Tokyo.
    expect(scheduled.scheduledFor).toBe("2026-11-26 00:30");
    expect(scheduled.sentAt).toBeNull();
    const sent = log.rows.at(-1)!;
    expect(sent).toMatchObject({ customerId: "1001", status: "sent", sentAt: "2026-11-20 09:00", attempts: 1, error: null });
    expect(log.rows.find((r) => r.id === ids.held)).toMatchObject({ group: "holdout", customerId: "1002" });
  });

  it("filters by status and by campaign, together", async () => {
    const { prisma } = await app();
    const failed = await loadMailLog(prisma, SHOP, { ...NONE, status: "failed" });
    expect(failed.rows.map((r) => r.id)).toEqual([ids.failed]);
    expect(failed.total).toBe(1);
    const reminders = await loadMailLog(prisma, SHOP, { ...NONE, campaign: "replenishment" });
    expect(reminders.rows.map((r) => r.id)).toEqual([ids.scheduled, ids.skipped]);
    const both = await loadMailLog(prisma, SHOP, { ...NONE, campaign: "journey:first", status: "scheduled" });
    expect(both.rows).toEqual([]);
    expect(both.total).toBe(0);
    // The other shop has a scheduled journey:first row: it stays invisible.
    expect((await loadMailLog(prisma, OTHER, { ...NONE, campaign: "journey:first", status: "scheduled" })).total).toBe(1);
  });

  it("pages by id forwards and back, and the filter holds on every page", async () => {
    const { prisma } = await app();
    const first = await loadMailLog(prisma, SHOP, NONE, 2);
    expect(first.rows.map((r) => r.id)).toEqual([ids.scheduled, ids.skipped]);
    expect(first.previous).toBeNull();
    expect(first.next).toBe(ids.skipped);
    const second = await loadMailLog(prisma, SHOP, { ...NONE, after: first.next }, 2);
    expect(second.rows.map((r) => r.id)).toEqual([ids.failed, ids.held]);
    expect(second.previous).toBe(ids.failed);
    const third = await loadMailLog(prisma, SHOP, { ...NONE, after: second.next }, 2);
    expect(third.rows.map((r) => r.id)).toEqual([ids.sent]);
    expect(third.next).toBeNull();
    expect(third.total).toBe(5);
    // Back from the last page and from the second: the same pages as going forwards.
    const back = await loadMailLog(prisma, SHOP, { ...NONE, before: third.previous }, 2);
    expect(back.rows.map((r) => r.id)).toEqual([ids.failed, ids.held]);
    expect(back.next).toBe(ids.held);
    expect(back.previous).toBe(ids.failed);
    const top = await loadMailLog(prisma, SHOP, { ...NONE, before: back.previous }, 2);
    expect(top.rows.map((r) => r.id)).toEqual([ids.scheduled, ids.skipped]);
    expect(top.previous).toBeNull();

    const journeys = await loadMailLog(prisma, SHOP, { ...NONE, campaign: "journey:first" }, 2);
    expect(journeys.rows.map((r) => r.id)).toEqual([ids.failed, ids.held]);
    const journeys2 = await loadMailLog(prisma, SHOP, { ...NONE, campaign: "journey:first", after: journeys.next }, 2);
    expect(journeys2.rows.map((r) => r.id)).toEqual([ids.sent]);
    expect(journeys2.next).toBeNull();
  });

  it("reads its query from the URL and drops values the page never writes", () => {
    const url = (search: string) => new URL(`https://app.example/app/mail-log?${search}`);
    expect(mailLogQueryFromUrl(url("status=failed&campaign=replenishment&after=12"))).toEqual({ status: "failed", campaign: "replenishment", after: 12, before: null });
    expect(mailLogQueryFromUrl(url("status=DELETE&after=-3&before=1e9"))).toEqual(NONE);
  });
});

describe("the page's loader", () => {
  type Data = {
    total: number;
    rows: { id: number; customerId: string | null; customerName: string; campaign: string; status: string; error: string | null; scheduledFor: string }[];
  };
  const load = async (locale: string, search: Record<string, string> = {}) => {
    const response = await loader({ request: adminPageRequest("/app/mail-log", SHOP, { locale, search }), params: {}, context: {} });
    expect(response.status).toBe(200);
    return (await response.json()) as Data;
  };

  it("writes errors with the SMTP reply and names in Japanese", async () => {
    const data = await load("ja");
    expect(data.total).toBe(5);
    const byId = new Map(data.rows.map((r) => [r.id, r]));
    expect(byId.get(ids.failed!)).toMatchObject({
      customerName: "Ito Ken",
      campaign: "初回購入後",
      error: "SMTPサーバーがこのメールを拒否しました。サーバーの応答：550 5.1.1 No such user",
    });
    expect(byId.get(ids.skipped!)).toMatchObject({ customerName: "山田 花子", campaign: "買い替え・補充のお知らせ", error: "未送信：お客様が再度購入しました。" });
    expect(byId.get(ids.sent!)!.error).toBeNull();
  });

  it("in English, with the filters from the URL, never another shop's rows", async () => {
    const data = await load("en", { status: "failed" });
    expect(data.total).toBe(1);
    expect(data.rows).toEqual([
      expect.objectContaining({
        customerId: "1002",
        customerName: "Ken Ito",
        campaign: "After the first order",
        status: "failed",
        error: "The SMTP server refused this mail. Server reply: 550 5.1.1 No such user",
      }),
    ]);
  });
});
