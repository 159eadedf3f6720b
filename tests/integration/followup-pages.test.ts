/**
 * The follow-up merchant pages and the public unsubscribe link, end to end: admin requests with
 * a real session token (exchanged at the fake Shopify token endpoint), the real loaders and
 * actions, the real database (SQLite and PostgreSQL), a real SMTP server on loopback for the
 * test mail, and the fake Admin API for the consent update.
 */
import net from "node:net";
import { setupServer } from "msw/node";
import { SMTPServer } from "smtp-server";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { documentHandler } from "../helpers/remix-document";
import * as mailSettingsRoute from "~/routes/app.mail-settings";
import * as journeysRoute from "~/routes/app.journeys";
import * as resultsRoute from "~/routes/app.campaign-results";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signUnsubscribeToken } from "~/domain/unsubscribe-token";
import { keyringFromEnv, openSecret, parseKey } from "~/lib/secret-box.server";
import { mailTransports } from "~/mail/transport.server";
import { unsubscribeLink } from "~/mail/unsubscribe.server";
import { action as settingsAction, loader as settingsLoader } from "~/routes/app.mail-settings";
import { action as journeysAction, loader as journeysLoader } from "~/routes/app.journeys";
import { loader as resultsLoader } from "~/routes/app.campaign-results";
import { action as unsubscribeAction, loader as unsubscribeLoader } from "~/routes/unsubscribe";
import { parseJourneyDefinition, parseReplenishmentDefinition } from "~/services/followup-settings/definition";
import { runConsentSyncJob } from "~/services/unsubscribe.server";
import { adminJsonPost, adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { TEST_SHOPIFY_ENV } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "followup-pages.myshopify.com";
const ACCESS_TOKEN = "shpat_followuppages00000000000000000";
const KEY = Buffer.alloc(32, 7).toString("base64");
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const server = setupServer(...shopify.handlers, exchange.handler);
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// A loopback SMTP server with a login, recording what it receives.

const SMTP_USER = "shop@example.jp";
const SMTP_PASSWORD = "pa55 wörd ♥";
const received: { rcptTo: string[]; raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error("5.7.8 Authentication credentials invalid"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback(null, "2.0.0 Ok: queued");
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  mailTransports.closeAll();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  server.close();
});

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["mailSend", "campaign", "productInterval", "mailSettings", "orderLine", "order", "customer", "rankTier", "shop", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  exchange.reset();
  shopify.install(SHOP, ACCESS_TOKEN);
  shopify.setShop(SHOP, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
  received.length = 0;
  process.env.TOKUI_ENCRYPTION_KEY = KEY;
  delete process.env.TOKUI_ENCRYPTION_KEY_PREVIOUS;
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (args: Args) => Promise<Response>;
const call = (handler: Handler, request: Request) => handler({ request, params: {}, context: {} });

async function load<T>(loader: Handler, path: string, locale = "en"): Promise<T> {
  const response = await call(loader, adminPageRequest(path, SHOP, { locale }));
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function post<T>(handler: Handler, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await call(handler, adminJsonPost(path, SHOP, body));
  return { status: response.status, body: (await response.json()) as T };
}

const settingsForm = (patch: Record<string, string> = {}) => ({
  host: "127.0.0.1",
  port: String(smtpPort),
  security: "none",
  user: SMTP_USER,
  password: SMTP_PASSWORD,
  fromAddress: "shop@example.jp",
  fromName: "山田商店",
  replyTo: "",
  sendFromHour: "9",
  sendToHour: "20",
  ...patch,
});

// ---------------------------------------------------------------------------------------------

describe("mail settings", () => {
  type Page = { keyProblem: string | null; saved: boolean; enabled: boolean; hasPassword: boolean; form: Record<string, string> };
  type Errors = { ok: false; errors: Record<string, { en: string; ja: string }>; message?: { en: string; ja: string } };

  it("without TOKUI_ENCRYPTION_KEY the page says what to set and nothing is saved", async () => {
    delete process.env.TOKUI_ENCRYPTION_KEY;
    const page = await load<Page>(settingsLoader, "/app/mail-settings");
    expect(page.keyProblem).toContain("TOKUI_ENCRYPTION_KEY is not set");
    expect(page.saved).toBe(false);
    const saved = await post<Errors>(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm() });
    expect(saved.status).toBe(422);
    expect(saved.body.message?.ja).toContain("TOKUI_ENCRYPTION_KEY");
    const { prisma } = await app();
    expect(await prisma.mailSettings.count()).toBe(0);
  });

  it("refuses bad fields with ja/en messages and writes nothing", async () => {
    const saved = await post<Errors>(settingsAction, "/app/mail-settings", {
      intent: "save",
      form: settingsForm({ host: "smtp://mail.example.jp", security: "tls", port: "587", fromAddress: "shop", sendFromHour: "20", sendToHour: "9" }),
    });
    expect(saved.status).toBe(422);
    expect(Object.keys(saved.body.errors).sort()).toEqual(["fromAddress", "host", "port", "sendingHours"]);
    expect(saved.body.errors.port!.ja).toContain("465");
    expect(saved.body.errors.sendingHours!.en).toContain("start before the end");
    const { prisma } = await app();
    expect(await prisma.mailSettings.count()).toBe(0);
  });

  it("seals the password (never stored in plain text), keeps it when left blank, and switching on lifts a pause", async () => {
    const { prisma } = await app();
    const first = await post<{ ok: boolean }>(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm() });
    expect(first).toEqual({ status: 200, body: { intent: "save", ok: true } });
    const row = (await prisma.mailSettings.findUniqueOrThrow({ where: { shop: SHOP } }))!;
    expect(row.passwordSealed).not.toContain(SMTP_PASSWORD);
    expect(JSON.stringify(row)).not.toContain("pa55");
    expect(openSecret(row.passwordSealed!, keyringFromEnv(), `smtp-password:${SHOP}`)).toBe(SMTP_PASSWORD);
    expect(row.enabled).toBe(false);

    const page = await load<Page>(settingsLoader, "/app/mail-settings");
    expect(page).toMatchObject({ keyProblem: null, saved: true, hasPassword: true });
    expect(page.form.password).toBe("");

    // Saving other fields with the password left blank keeps the stored one.
    await prisma.mailSettings.update({ where: { shop: SHOP }, data: { pausedAt: new Date(), pauseReason: '{"en":"x","ja":"x"}' } });
    expect((await post(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm({ password: "", fromName: "Yamada" }) })).status).toBe(200);
    const again = await prisma.mailSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(again.fromName).toBe("Yamada");
    expect(again.pausedAt).toBeNull();
    expect(openSecret(again.passwordSealed!, keyringFromEnv(), `smtp-password:${SHOP}`)).toBe(SMTP_PASSWORD);

    // After a key change without the previous key, a blank password must be entered again.
    process.env.TOKUI_ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
    const lost = await post<Errors>(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm({ password: "" }) });
    expect(lost.status).toBe(422);
    expect(lost.body.errors.password!.en).toContain("Enter it again");
    process.env.TOKUI_ENCRYPTION_KEY = KEY;

    await prisma.mailSettings.update({ where: { shop: SHOP }, data: { pausedAt: new Date(), pauseReason: '{"en":"Login refused","ja":"ログイン拒否"}' } });
    expect((await post(settingsAction, "/app/mail-settings", { intent: "enable", enabled: true })).status).toBe(200);
    const on = await prisma.mailSettings.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(on).toMatchObject({ enabled: true, pausedAt: null, pauseReason: null });
  });

  it("switching on before anything is saved is refused", async () => {
    const result = await post<{ ok: boolean; message: { en: string } }>(settingsAction, "/app/mail-settings", { intent: "enable", enabled: true });
    expect(result.status).toBe(422);
    expect(result.body.message.en).toBe("Save the SMTP settings first.");
  });

  it("sends a test mail to the loopback server, and names the failure when the login or the connection fails", async () => {
    const { prisma } = await app();
    await post(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm() });
    const sent = await post<{ ok: boolean; to: string }>(settingsAction, "/app/mail-settings", { intent: "test", to: "owner@example.jp", locale: "ja" });
    expect(sent).toEqual({ status: 200, body: { intent: "test", ok: true, to: "owner@example.jp" } });
    expect(received).toHaveLength(1);
    expect(received[0]!.rcptTo).toEqual(["owner@example.jp"]);
    expect(received[0]!.raw).toMatch(/^List-Unsubscribe: <https:\/\/tokui\.test\/unsubscribe\?token=/m);
    expect(received[0]!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);

    // Wrong password: stored sealed like any other, refused by the server.
    await post(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm({ password: "wrong" }) });
    const auth = await post<{ ok: false; kind: string; message: { en: string; ja: string } }>(settingsAction, "/app/mail-settings", { intent: "test", to: "owner@example.jp", locale: "en" });
    expect(auth.status).toBe(422);
    expect(auth.body.kind).toBe("auth");
    expect(auth.body.message.en).toContain("did not accept the user name or password");
    expect(auth.body.message.ja).toContain("535");

    await post(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm({ port: String(await closedPort()) }) });
    const refused = await post<{ ok: false; kind: string; message: { en: string } }>(settingsAction, "/app/mail-settings", { intent: "test", to: "owner@example.jp", locale: "en" });
    expect(refused.body.kind).toBe("connection");
    expect(refused.body.message.en).toContain("connection refused");

    const bad = await post<{ ok: false; kind: string }>(settingsAction, "/app/mail-settings", { intent: "test", to: "not an address", locale: "en" });
    expect(bad.body.kind).toBe("address");
    expect(received).toHaveLength(1);
    expect(await prisma.mailSend.count()).toBe(0); // a test mail is not a planned mail
  });
});

// ---------------------------------------------------------------------------------------------

describe("follow-up journeys", () => {
  type StepForm = { delayDays: string; subject: { ja: string; en: string }; body: { ja: string; en: string } };
  type JourneyForm = { phase: string; enabled: boolean; holdoutPercent: string; attributionDays: string; steps: StepForm[]; label?: unknown };
  type Page = {
    journeys: JourneyForm[];
    replenishment: { enabled: boolean; holdoutPercent: string; attributionDays: string; leadDays: string; subject: { ja: string; en: string }; body: { ja: string; en: string } };
    intervals: { productGid: string; title: string; lines: number; learnedDaysPerUnit: number | null; samplePairs: number; sampleCustomers: number; override: string }[];
    samples: { ja: Record<string, unknown>; en: Record<string, unknown> };
  };

  const body = (page: Page, overrides: Record<string, string> = {}) => ({
    intent: "save",
    journeys: page.journeys.map(({ label: _label, ...j }) => j),
    replenishment: page.replenishment,
    intervals: page.intervals.map((i) => ({ productGid: i.productGid, title: i.title, override: overrides[i.productGid] ?? i.override })),
  });

  async function seedProducts() {
    const { prisma } = await app();
    await prisma.shop.upsert({ where: { shop: SHOP }, create: { shop: SHOP, currency: "JPY" }, update: {} });
    const customer = await prisma.customer.create({ data: { shop: SHOP, gid: "gid://shopify/Customer/1" } });
    const at = new Date("2026-10-01T00:00:00Z");
    const order = await prisma.order.create({
      data: { shop: SHOP, gid: "gid://shopify/Order/1", name: "#1001", customerId: customer.id, processedAt: at, currency: "JPY", totalPrice: 3000n, sourceCurrentTotal: 3000n, currentTotal: 3000n, sourceUpdatedAt: at },
    });
    await prisma.orderLine.createMany({
      data: [
        { orderId: order.id, shop: SHOP, gid: "gid://shopify/LineItem/1", title: "詰め替え用シャンプー", productGid: "gid://shopify/Product/10", quantity: 1, unitPrice: 2000n },
        { orderId: order.id, shop: SHOP, gid: "gid://shopify/LineItem/2", title: "ハンドクリーム", productGid: "gid://shopify/Product/11", quantity: 1, unitPrice: 1000n },
      ],
    });
    await prisma.productInterval.create({
      data: { shop: SHOP, productGid: "gid://shopify/Product/10", title: "詰め替え用シャンプー", learnedDaysPerUnit: 30, samplePairs: 12, sampleCustomers: 7, learnedAt: at },
    });
  }

  it("shows the four phase journeys and the reminders with defaults, and learned intervals or 'not enough data'", async () => {
    await seedProducts();
    const page = await load<Page>(journeysLoader, "/app/journeys", "ja");
    expect(page.journeys.map((j) => j.phase)).toEqual(["first", "second", "regular", "vip"]);
    expect(page.journeys[0]!.steps.map((s) => s.delayDays)).toEqual(["21", "42", "63"]);
    expect(page.journeys.every((j) => !j.enabled && j.holdoutPercent === "10" && j.attributionDays === "14")).toBe(true);
    expect(page.replenishment.leadDays).toBe("7");
    const shampoo = page.intervals.find((i) => i.productGid === "gid://shopify/Product/10")!;
    expect(shampoo).toMatchObject({ learnedDaysPerUnit: 30, samplePairs: 12, sampleCustomers: 7, override: "" });
    expect(page.intervals.find((i) => i.productGid === "gid://shopify/Product/11")).toMatchObject({ learnedDaysPerUnit: null, title: "ハンドクリーム" });
    expect(page.samples.ja.customer_name).toBe("山田 花子");
  });

  it("refuses a journey with errors (keyed by field, ja/en) and writes nothing", async () => {
    await seedProducts();
    const page = await load<Page>(journeysLoader, "/app/journeys");
    const input = body(page, { "gid://shopify/Product/11": "0" });
    input.journeys[0]!.steps[1]!.delayDays = "10"; // before the first mail
    input.journeys[1]!.holdoutPercent = "60";
    input.journeys[2]!.steps[0]!.subject.en = "Hi {{nickname}}";
    input.replenishment.leadDays = "99";
    const result = await post<{ ok: false; errors: Record<string, { en: string; ja: string }> }>(journeysAction, "/app/journeys", input);
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors).sort()).toEqual([
      "intervals[1].override",
      "journeys[0].steps[1].delayDays",
      "journeys[1].holdoutPercent",
      "journeys[2].steps[0].subject.en",
      "replenishment.leadDays",
    ]);
    expect(result.body.errors["journeys[0].steps[1].delayDays"]!.ja).toBe("前のメールより後の日数を指定してください。");
    expect(result.body.errors["journeys[2].steps[0].subject.en"]!.en).toContain("Unknown variable “nickname”");
    const { prisma } = await app();
    expect(await prisma.campaign.count()).toBe(0);
    expect((await prisma.productInterval.findMany()).map((r) => r.overrideDaysPerUnit)).toEqual([null]);
    const jobs = Object.entries(await (await app()).queue.counts()).filter(([k, n]) => k.startsWith("followup-plan") && n > 0);
    expect(jobs).toEqual([]);
  });

  it("saves journeys, reminders and overrides into Campaign / ProductInterval and shows them again", async () => {
    await seedProducts();
    const page = await load<Page>(journeysLoader, "/app/journeys");
    const input = body(page, { "gid://shopify/Product/11": "４５日", "gid://shopify/Product/10": "" });
    input.journeys[0]!.enabled = true;
    input.journeys[0]!.holdoutPercent = "20%";
    input.journeys[0]!.steps = [input.journeys[0]!.steps[0]!, { ...input.journeys[0]!.steps[0]!, delayDays: "35", subject: { ja: "{{shop_name}}より", en: "From {{shop_name}}" } }];
    input.replenishment.enabled = true;
    input.replenishment.leadDays = "5";
    expect((await post(journeysAction, "/app/journeys", input)).status).toBe(200);

    const { prisma } = await app();
    const rows = await prisma.campaign.findMany({ where: { shop: SHOP }, orderBy: { key: "asc" } });
    expect(rows.map((r) => [r.key, r.kind, r.enabled, r.holdoutPercent, r.attributionDays])).toEqual([
      ["journey:first", "journey", true, 20, 14],
      ["journey:regular", "journey", false, 10, 14],
      ["journey:second", "journey", false, 10, 14],
      ["journey:vip", "journey", false, 10, 14],
      ["replenishment", "replenishment", true, 10, 14],
    ]);
    const first = parseJourneyDefinition(rows[0]!.definition)!;
    expect(first.steps.map((s) => [s.key, s.delayDays, s.subject.ja])).toEqual([
      ["step-1", 21, "【{{shop_name}}】お届けした商品はいかがでしょうか"],
      ["step-2", 35, "{{shop_name}}より"],
    ]);
    expect(parseReplenishmentDefinition(rows[4]!.definition)!.leadDays).toBe(5);
    // An enabled campaign is planned at once (the engine's job), not at the next tick.
    await expect((await app()).queue.counts()).resolves.toMatchObject({ "followup-plan:waiting": 1 });
    const intervals = await prisma.productInterval.findMany({ where: { shop: SHOP }, orderBy: { productGid: "asc" } });
    expect(intervals.map((r) => [r.productGid, r.overrideDaysPerUnit, r.learnedDaysPerUnit, r.title])).toEqual([
      ["gid://shopify/Product/10", null, 30, "詰め替え用シャンプー"],
      ["gid://shopify/Product/11", 45, null, "ハンドクリーム"],
    ]);

    const again = await load<Page>(journeysLoader, "/app/journeys");
    expect(again.journeys[0]).toMatchObject({ enabled: true, holdoutPercent: "20" });
    expect(again.journeys[0]!.steps.map((s) => s.delayDays)).toEqual(["21", "35"]);
    expect(again.intervals.find((i) => i.productGid === "gid://shopify/Product/11")!.override).toBe("45");
  });
});

// ---------------------------------------------------------------------------------------------

describe("campaign results", () => {
  type Group = { customers: number; converted: number; conversionRate: number | null; revenuePerCustomer: string | null };
  type View = {
    treated: Group;
    holdout: Group;
    conversion: { uplift: number | null; ci: { low: number; high: number } | null; verdict: { kind: string; text: string; reasons: string[] }; need: { moreCustomers: number } | null };
    revenue: { uplift: string | null; verdict: { kind: string; reasons: string[] } };
  };
  type Page = { campaigns: { key: string; label: string; overall: View; steps: (View & { step: number; delayDays: number | null })[] }[] };

  const T0 = new Date("2026-09-01T03:00:00Z");

  /**
   * journey:first, 14-day window. Treated: A (mail 1 and 2; orders ¥5,000 at +3 d and ¥1,000 at
   * mail 2 + 2 d), B (order at +20 d: outside), C (a cancelled order at +1 d: not counted), F
   * (mail failed: still treated, no order). Holdout: D (¥2,000 at +1 d), E (nothing). G is
   * scheduled and H skipped: not exposed, not counted.
   */
  async function seed() {
    const { prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP, currency: "JPY" } });
    await prisma.campaign.create({
      data: { shop: SHOP, key: "journey:first", kind: "journey", enabled: true, holdoutPercent: 10, attributionDays: 14, definition: JSON.stringify({ v: 1, phase: "first", steps: [{ key: "step-1", delayDays: 21, subject: { ja: "a", en: "a" }, body: { ja: "b", en: "b" } }, { key: "step-2", delayDays: 42, subject: { ja: "a", en: "a" }, body: { ja: "b", en: "b" } }] }) },
    });
    const ids: Record<string, number> = {};
    for (const name of ["A", "B", "C", "D", "E", "F", "G", "H"]) {
      ids[name] = (await prisma.customer.create({ data: { shop: SHOP, gid: `gid://shopify/Customer/${name.charCodeAt(0)}`, firstName: name } })).id;
    }
    let n = 0;
    const order = async (who: string, at: Date, total: bigint, cancelled = false) => {
      n++;
      await prisma.order.create({
        data: { shop: SHOP, gid: `gid://shopify/Order/${n}`, name: `#${n}`, customerId: ids[who]!, processedAt: at, currency: "JPY", totalPrice: total, sourceCurrentTotal: total, currentTotal: total, sourceUpdatedAt: at, cancelledAt: cancelled ? at : null },
      });
    };
    const send = (who: string, step: number, group: string, status: string, at: Date) =>
      prisma.mailSend.create({
        data: { shop: SHOP, campaignKey: "journey:first", customerId: ids[who]!, referenceKey: "gid://shopify/Order/0", step, group, status, scheduledFor: at, sentAt: status === "sent" ? at : null },
      });
    const plus = (days: number, from = T0) => new Date(from.getTime() + days * DAY);
    await send("A", 1, "treated", "sent", T0);
    await send("A", 2, "treated", "sent", plus(21));
    await send("B", 1, "treated", "sent", T0);
    await send("C", 1, "treated", "sent", T0);
    await send("F", 1, "treated", "failed", T0);
    await send("D", 1, "holdout", "held", T0);
    await send("E", 1, "holdout", "held", T0);
    await send("G", 1, "treated", "scheduled", T0);
    await send("H", 1, "treated", "skipped", T0);
    await order("A", plus(3), 5000n);
    await order("A", plus(23), 1000n);
    await order("B", plus(20), 9000n);
    await order("C", plus(1), 7000n, true);
    await order("D", plus(1), 2000n);
    await order("G", plus(1), 4000n);
    await order("H", plus(1), 4000n);
    // Exactly at the end of the window counts.
    await order("E", plus(14), 0n); // a ¥0 order (free sample) converts without revenue
  }

  it("counts customers, conversion and revenue per customer by hand-computed values, and says 'not yet conclusive' with its reasons", async () => {
    await seed();
    const page = await load<Page>(resultsLoader, "/app/campaign-results");
    expect(page.campaigns.map((c) => c.key)).toEqual(["journey:first"]);
    const c = page.campaigns[0]!;
    expect(c.label).toBe("After the first order");
    // Overall (per customer): treated A B C F → A converted (5,000 + 1,000); holdout D E → both converted (2,000 + 0).
    expect(c.overall.treated).toMatchObject({ customers: 4, converted: 1, conversionRate: 0.25, revenuePerCustomer: "1500" });
    expect(c.overall.holdout).toMatchObject({ customers: 2, converted: 2, conversionRate: 1, revenuePerCustomer: "1000" });
    expect(c.overall.conversion.uplift).toBeCloseTo(-0.75, 10);
    expect(c.overall.conversion.verdict.kind).toBe("not-conclusive");
    expect(c.overall.conversion.verdict.text).toBe("Not yet conclusive");
    expect(c.overall.conversion.verdict.reasons).toContain("Too few customers in a group so far.");
    expect(c.overall.revenue.verdict.kind).toBe("not-conclusive");
    // Step 1: A (5,000 at +3 d; the +23 d order is 23 days after mail 1), B, C, F treated; D, E held.
    const step1 = c.steps.find((s) => s.step === 1)!;
    expect(step1.delayDays).toBe(21);
    expect(step1.treated).toMatchObject({ customers: 4, converted: 1, revenuePerCustomer: "1250" });
    expect(step1.holdout).toMatchObject({ customers: 2, converted: 2, revenuePerCustomer: "1000" });
    // Step 2: only A, whose ¥1,000 order came 2 days after it; no holdout row yet.
    const step2 = c.steps.find((s) => s.step === 2)!;
    expect(step2.treated).toMatchObject({ customers: 1, converted: 1, revenuePerCustomer: "1000" });
    expect(step2.holdout).toMatchObject({ customers: 0, converted: 0, revenuePerCustomer: null });
    expect(step2.conversion.uplift).toBeNull();
    expect(step2.conversion.verdict.kind).toBe("not-conclusive");

    const ja = await load<Page>(resultsLoader, "/app/campaign-results", "ja");
    expect(ja.campaigns[0]!.overall.conversion.verdict.text).toBe("まだ判断できません");
    expect(ja.campaigns[0]!.label).toBe("初回購入後");
  });

  it("a larger dataset with a clear difference is called 'better' only when the interval excludes zero", async () => {
    const { prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP, currency: "JPY" } });
    await prisma.campaign.create({ data: { shop: SHOP, key: "replenishment", kind: "replenishment", enabled: true, holdoutPercent: 50, attributionDays: 14, definition: "{}" } });
    // 100 treated of whom 60 order ¥1,000 two days later; 100 held out of whom 20 do.
    const customers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => prisma.customer.create({ data: { shop: SHOP, gid: `gid://shopify/Customer/${1000 + i}` } })),
    );
    const T = new Date("2026-08-01T00:00:00Z");
    await prisma.mailSend.createMany({
      data: customers.map((c, i) => ({ shop: SHOP, campaignKey: "replenishment", customerId: c.id, referenceKey: `p|${i}`, step: 1, group: i < 100 ? "treated" : "holdout", status: i < 100 ? "sent" : "held", scheduledFor: T, sentAt: i < 100 ? T : null })),
    });
    const at = new Date(T.getTime() + 2 * DAY);
    await prisma.order.createMany({
      data: customers
        .filter((_, i) => i < 60 || (i >= 100 && i < 120))
        .map((c, k) => ({ shop: SHOP, gid: `gid://shopify/Order/${k + 1}`, name: `#${k}`, customerId: c.id, processedAt: at, currency: "JPY", totalPrice: 1000n, sourceCurrentTotal: 1000n, currentTotal: 1000n, sourceUpdatedAt: at })),
    });
    const page = await load<Page>(resultsLoader, "/app/campaign-results");
    const overall = page.campaigns[0]!.overall;
    expect(overall.treated).toMatchObject({ customers: 100, converted: 60, revenuePerCustomer: "600" });
    expect(overall.holdout).toMatchObject({ customers: 100, converted: 20, revenuePerCustomer: "200" });
    expect(overall.conversion.uplift).toBeCloseTo(0.4, 10);
    expect(overall.conversion.ci!.low).toBeGreaterThan(0);
    expect(overall.conversion.verdict.kind).toBe("better");
    expect(overall.revenue.verdict.kind).toBe("better");
    expect(overall.revenue.uplift).toBe("400");
  });
});

// ---------------------------------------------------------------------------------------------

describe("unsubscribe", () => {
  const APP = TEST_SHOPIFY_ENV.SHOPIFY_APP_URL;
  const GID = "gid://shopify/Customer/501";

  async function seed(locale: string | null = "ja") {
    const { prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP, currency: "JPY", locale: "en" } });
    await prisma.mailSettings.create({ data: { shop: SHOP, host: "127.0.0.1", port: 25, security: "none", fromAddress: "shop@example.jp", fromName: "山田商店" } });
    const customer = await prisma.customer.create({ data: { shop: SHOP, gid: GID, email: "hanako@example.jp", emailMarketingConsent: "SUBSCRIBED", locale } });
    const T = new Date("2026-11-01T00:00:00Z");
    await prisma.mailSend.createMany({
      data: [
        { shop: SHOP, campaignKey: "journey:first", customerId: customer.id, referenceKey: "o1", step: 1, group: "treated", status: "sent", scheduledFor: T, sentAt: T },
        { shop: SHOP, campaignKey: "journey:first", customerId: customer.id, referenceKey: "o1", step: 2, group: "treated", status: "scheduled", scheduledFor: new Date(T.getTime() + 21 * DAY) },
        { shop: SHOP, campaignKey: "replenishment", customerId: customer.id, referenceKey: "p|o1", step: 1, group: "treated", status: "scheduled", scheduledFor: new Date(T.getTime() + 9 * DAY) },
      ],
    });
    return customer;
  }

  const token = (now = new Date()) => unsubscribeLink({ keyring: keyringFromEnv(), appUrl: APP, shop: SHOP, customerGid: GID, campaign: "journey:first", now }).token;
  const get = (t: string, lang = "en") =>
    call(unsubscribeLoader as Handler, new Request(`${APP}/unsubscribe?token=${encodeURIComponent(t)}`, { headers: { "Accept-Language": lang } }));
  const postForm = (t: string, form: string) =>
    call(
      unsubscribeAction as Handler,
      new Request(`${APP}/unsubscribe?token=${encodeURIComponent(t)}`, { method: "POST", body: form, headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
    );

  async function state() {
    const { prisma } = await app();
    const customer = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: GID } } });
    const sends = await prisma.mailSend.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
    return { consent: customer.emailMarketingConsent, sends: sends.map((s) => [s.status, s.error]) };
  }

  /** The shop's offline session exists once the merchant opened the app (token exchange). */
  const openApp = () => load(journeysLoader, "/app/journeys");

  it("GET shows a confirm page in the customer's language and changes nothing; POST unsubscribes locally, skips scheduled mail and tells Shopify", async () => {
    await seed("ja");
    await openApp();
    const t = token();
    const page = await get(t, "en");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    expect(page.headers.get("Referrer-Policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("山田商店からのメール配信停止");
    expect(html).toContain('<form method="post"');
    expect(html).not.toContain("app-bridge");
    expect(html).not.toContain("<script");
    expect(await state()).toEqual({ consent: "SUBSCRIBED", sends: [["sent", null], ["scheduled", null], ["scheduled", null]] });

    const done = await postForm(t, "confirm=1");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("配信を停止しました");
    expect(await state()).toEqual({ consent: "UNSUBSCRIBED", sends: [["sent", null], ["skipped", "unsubscribed"], ["skipped", "unsubscribed"]] });

    const { prisma, drain } = await app();
    expect(await prisma.customer.count({ where: { consentUpdatedAt: { not: null } } })).toBe(1);
    await drain();
    const calls = shopify.succeeded("CustomerEmailConsentUpdate");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.variables).toMatchObject({ input: { customerId: GID, emailMarketingConsent: { marketingState: "UNSUBSCRIBED" } } });
    expect(shopify.customer(SHOP, GID).emailMarketingConsent?.marketingState).toBe("UNSUBSCRIBED");

    // Idempotent: a second click shows the same page and sends Shopify nothing more.
    const twice = await postForm(t, "confirm=1");
    expect(twice.status).toBe(200);
    await drain();
    expect(shopify.succeeded("CustomerEmailConsentUpdate")).toHaveLength(1);
    expect(await (await get(t)).text()).toContain("配信を停止しました");
  });

  it("names the shop as its customers know it: the mail sender name, else Shopify's shop name, never the myshopify handle when a name is known", async () => {
    await seed("ja");
    const { prisma } = await app();
    await prisma.mailSettings.deleteMany({ where: { shop: SHOP } });
    await prisma.shop.update({ where: { shop: SHOP }, data: { name: "お茶の山田園" } });
    const page = await (await get(token())).text();
    expect(page).toContain("お茶の山田園");
    expect(page).not.toContain(SHOP.replace(/\.myshopify\.com$/, ""));
  });

  it("RFC 8058 one-click POST (List-Unsubscribe=One-Click) unsubscribes; a POST without either form field does not", async () => {
    await seed("en");
    const t = token();
    const bare = await postForm(t, "");
    expect(bare.status).toBe(400);
    expect((await state()).consent).toBe("SUBSCRIBED");
    const response = await postForm(t, "List-Unsubscribe=One-Click");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("You are unsubscribed");
    expect((await state()).consent).toBe("UNSUBSCRIBED");
  });

  it("an expired link still offers the button and unsubscribes; a forged or altered one gets 400 and changes nothing", async () => {
    await seed(null); // no customer locale: the shop's (en)
    const old = token(new Date(Date.now() - 200 * DAY));
    const page = await get(old, "ja");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("older than usual");
    expect((await postForm(old, "confirm=1")).status).toBe(200);
    expect((await state()).consent).toBe("UNSUBSCRIBED");

    const { prisma } = await app();
    await prisma.customer.updateMany({ data: { emailMarketingConsent: "SUBSCRIBED" } });
    // Signed by another installation's key, and a valid token with one character changed.
    const otherKeyring = { current: parseKey(Buffer.alloc(32, 3).toString("base64")), previous: [] };
    const forged = signUnsubscribeToken({ shop: SHOP, customerGid: GID, campaign: "x", expiresAt: new Date(Date.now() + DAY) }, Buffer.from(otherKeyring.current.bytes));
    const valid = token();
    const altered = `${valid.slice(0, 5)}${valid[5] === "A" ? "B" : "A"}${valid.slice(6)}`;
    for (const bad of [forged, altered, "nonsense"]) {
      const get400 = await get(bad, "ja");
      expect(get400.status).toBe(400);
      expect(await get400.text()).toContain("このリンクは無効です");
      expect((await postForm(bad, "List-Unsubscribe=One-Click")).status).toBe(400);
    }
    expect((await state()).consent).toBe("SUBSCRIBED");
  });

  it("the consent job retries when Shopify is unavailable and gives up on userErrors", async () => {
    await seed("ja");
    await openApp();
    await postForm(token(), "List-Unsubscribe=One-Click");
    const { prisma } = await app();
    const customer = await prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: SHOP, gid: GID } } });
    shopify.failNext({ kind: "http", status: 503 }, { operation: "CustomerEmailConsentUpdate" });
    await expect(runConsentSyncJob(prisma, SHOP, customer.id)).rejects.toMatchObject({ name: "RetryableJobError" });
    shopify.failNext({ kind: "userErrors", field: "customerEmailMarketingConsentUpdate", userErrors: [{ field: ["input", "customerId"], message: "Customer must have an email address" }] });
    await expect(runConsentSyncJob(prisma, SHOP, customer.id)).rejects.toMatchObject({ name: "PermanentJobError" });
    expect(await runConsentSyncJob(prisma, SHOP, customer.id)).toBe("sent");
    // Subscribed again meanwhile (Shopify said so): nothing to send.
    await prisma.customer.update({ where: { id: customer.id }, data: { emailMarketingConsent: "SUBSCRIBED" } });
    expect(await runConsentSyncJob(prisma, SHOP, customer.id)).toBe("skipped");
  });
});

// ---------------------------------------------------------------------------------------------
// The pages as HTML, through Remix's request handler (as tests/integration/survey.test.ts).

const handle = documentHandler([
  { id: "routes/app.mail-settings", path: "mail-settings", module: mailSettingsRoute },
  { id: "routes/app.journeys", path: "journeys", module: journeysRoute },
  { id: "routes/app.campaign-results", path: "campaign-results", module: resultsRoute },
]);

async function html(path: string, locale: string): Promise<string> {
  const response = await handle(adminPageRequest(path, SHOP, { locale }));
  const body = await response.text();
  expect(response.status, body.slice(0, 2000)).toBe(200);
  const start = body.indexOf("<body");
  return body
    .slice(start, body.indexOf("<script>window.__remixContext"))
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

describe("pages rendered", () => {
  it("Mail settings without the key says what to set; with settings saved shows them (never the password)", async () => {
    delete process.env.TOKUI_ENCRYPTION_KEY;
    expect(await html("/app/mail-settings", "ja")).toContain("フォローメールを使うには暗号化キーを設定してください");
    process.env.TOKUI_ENCRYPTION_KEY = KEY;
    await post(settingsAction, "/app/mail-settings", { intent: "save", form: settingsForm() });
    const { prisma } = await app();
    await prisma.mailSettings.update({ where: { shop: SHOP }, data: { pausedAt: new Date(), pauseReason: JSON.stringify({ en: "The SMTP server did not accept the login.", ja: "ログインが拒否されました。" }) } });
    const page = await html("/app/mail-settings", "en");
    expect(page).toContain("Sending is paused");
    expect(page).toContain("The SMTP server did not accept the login.");
    expect(page).toContain("A password is saved. Leave this empty to keep it.");
    expect(page).not.toContain(SMTP_PASSWORD);
  });

  it("Follow-up mail shows the four journeys, the reminders and the intervals table in ja and en", async () => {
    const ja = await html("/app/journeys", "ja");
    for (const text of ["初回購入後", "2回目購入後", "常連のお客様", "VIPのお客様", "買い替え・補充のお知らせ", "買い替え周期", "先にSMTP設定を保存し、配信をオンにしてください"]) expect(ja).toContain(text);
    const en = await html("/app/journeys", "en");
    expect(en).toContain("After the first order");
    expect(en).toContain("{{customer_name}}");
  });

  it("Follow-up mail says follow-ups go through Shopify Flow when a workflow is active and SMTP sending is not", async () => {
    const { prisma } = await app();
    await prisma.flowTriggerState.create({ data: { shop: SHOP, handle: "tokui-follow-up-due", enabled: true, updatedAt: new Date() } });
    try {
      const ja = await html("/app/journeys", "ja");
      expect(ja).toContain("フォローはShopify Flowで配信されます");
      expect(ja).not.toContain("まだメールは送信されません");
      expect(await html("/app/journeys", "en")).toContain("Follow-ups go out through Shopify Flow");
    } finally {
      await prisma.flowTriggerState.deleteMany({ where: { shop: SHOP } });
    }
  });

  it("Campaign results explain each figure and show 'not yet conclusive' with its reasons", async () => {
    const { prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP, currency: "JPY" } });
    await prisma.campaign.create({ data: { shop: SHOP, key: "journey:second", kind: "journey", enabled: true, holdoutPercent: 10, attributionDays: 14, definition: "{}" } });
    const customer = await prisma.customer.create({ data: { shop: SHOP, gid: "gid://shopify/Customer/9" } });
    await prisma.mailSend.create({ data: { shop: SHOP, campaignKey: "journey:second", customerId: customer.id, referenceKey: "o", step: 1, group: "treated", status: "sent", scheduledFor: new Date(), sentAt: new Date() } });
    const ja = await html("/app/campaign-results", "ja");
    for (const text of ["結果の見方", "2回目購入後", "まだ判断できません", "グループの顧客数がまだ少なすぎます。", "配信グループ", "比較グループ"]) expect(ja).toContain(text);
    expect(ja).toContain("0円"); // revenue per customer as the admin writes money, not "0 JPY"
    expect(ja).not.toContain("0 JPY");
    const en = await html("/app/campaign-results", "en");
    expect(en).toContain("¥0");
    expect(en).toContain("Not yet conclusive");
    expect(en).toContain("The range in brackets is the 95% interval");
  });
});
