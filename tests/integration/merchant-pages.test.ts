/**
 * The merchant pages (Ranks, Messages, Rewards, Order confirmation email), end to end: requests
 * as the Shopify admin sends them — a session token signed with the app's secret, exchanged for
 * an offline token at Shopify's token endpoint on first contact (shopify-app-remix's
 * token-exchange strategy) — through the real loaders and actions, the real database, and the
 * durable queue (the recompute job, then the rank syncs it queues, answered by the fake Admin
 * API). Runs on SQLite and PostgreSQL.
 */
import { Liquid } from "liquidjs";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultMessageTemplates } from "~/domain/messages";
import { defaultMilestones } from "~/domain/milestones";
import { defaultRankTiers, rankTag } from "~/domain/rank";
import type { RankForm } from "~/domain/rank-form";
import { milestonesToJson } from "~/domain/settings-json";
import { action as messagesAction, loader as messagesLoader } from "~/routes/app.messages";
import { loader as emailLoader } from "~/routes/app.email";
import { action as ranksAction, loader as ranksLoader } from "~/routes/app.ranks";
import { action as rewardsAction, loader as rewardsLoader } from "~/routes/app.rewards";
import { runRecomputeJob } from "~/services/recompute-job.server";
import { rankSyncFields, rankSyncFingerprint } from "~/shopify/rank-sync-plan";
import { adminJsonPost, adminPageRequest, sessionToken, tokenExchange } from "../helpers/admin-request";
import { app } from "../helpers/app";
import { adminApiMock } from "../mocks/admin-api";

const SHOP = "merchant-pages.myshopify.com";
const ACCESS_TOKEN = "shpat_merchantpages0000000000000000";
const shopify = adminApiMock();
const exchange = tokenExchange(() => ACCESS_TOKEN);
const server = setupServer(...shopify.handlers, exchange.handler);

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  setAbstractFetchFunc(globalThis.fetch);
});
afterAll(() => server.close());

beforeEach(async () => {
  const { db, prisma } = await app();
  for (const table of ["rewardGrant", "rankChange", "orderLine", "order", "customer", "rankTier", "recomputeRun", "shop", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  exchange.reset();
  // The shop installed the app; its offline token exists only once the first request exchanges one.
  shopify.install(SHOP, ACCESS_TOKEN);
  shopify.setShop(SHOP, { currencyCode: "JPY", ianaTimezone: "Asia/Tokyo" });
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
  expect(exchange.refusals).toEqual([]);
});

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
const call = <T,>(handler: (args: Args) => Promise<T>, request: Request) => handler({ request, params: {}, context: {} });

async function load<T>(loader: (args: Args) => Promise<Response>, path: string, search: Record<string, string> = {}, locale = "en"): Promise<T> {
  const response = await call(loader, adminPageRequest(path, SHOP, { search, locale }));
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function post<T>(handler: (args: Args) => Promise<Response>, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await call(handler, adminJsonPost(path, SHOP, body));
  return { status: response.status, body: (await response.json()) as T };
}

interface RanksPage {
  locale: string;
  currency: string;
  form: RankForm;
  customers: number;
  run: { id: number; status: string; total: number; done: number; changed: number; error: string | null } | null;
}

const DAY = 86_400_000;

/** Customers with orders in the last weeks (within any window): A 1 × ¥5,000 … D 10 × ¥1,000. */
async function seedCustomers() {
  const { prisma } = await app();
  const people: [string, number, bigint][] = [
    ["A", 1, 5_000n],
    ["B", 2, 3_000n],
    ["C", 3, 40_000n], // ¥120,000 in the window
    ["D", 10, 1_000n],
  ];
  let order = 1;
  for (const [name, orders, each] of people) {
    const customer = await prisma.customer.create({ data: { shop: SHOP, gid: `gid://shopify/Customer/${name.charCodeAt(0)}`, firstName: name } });
    for (let i = 0; i < orders; i++) {
      const at = new Date(Date.now() - (i + 1) * DAY);
      const n = order++;
      await prisma.order.create({
        data: {
          shop: SHOP, gid: `gid://shopify/Order/${n}`, name: `#${1000 + n}`, customerId: customer.id, processedAt: at,
          currency: "JPY", totalPrice: each, sourceCurrentTotal: each, currentTotal: each, sourceUpdatedAt: at,
        },
      });
    }
  }
}

async function ranks(): Promise<Record<string, string | null>> {
  const { prisma } = await app();
  const rows = await prisma.customer.findMany({ where: { shop: SHOP }, select: { firstName: true, rankKey: true }, orderBy: { firstName: "asc" } });
  return Object.fromEntries(rows.map((r) => [r.firstName!, r.rankKey]));
}

/** The default ladder as the form shows it, with some rows changed. */
function form(rows: Record<string, Partial<RankForm["tiers"][number]>> = {}, windowMonths = "12"): RankForm {
  return {
    windowMonths,
    tiers: [
      { key: "first", labelJa: "初回", labelEn: "First purchase", minOrders: "1", minWindowSpent: "", combine: "any" },
      { key: "second", labelJa: "2回目", labelEn: "Second purchase", minOrders: "2", minWindowSpent: "", combine: "any" },
      { key: "regular", labelJa: "常連", labelEn: "Regular", minOrders: "3", minWindowSpent: "", combine: "any" },
      { key: "vip", labelJa: "VIP", labelEn: "VIP", minOrders: "10", minWindowSpent: "100000", combine: "any" },
    ].map((row) => ({ ...row, ...rows[row.key] })) as RankForm["tiers"],
  };
}

describe("authentication", () => {
  it("exchanges the first session token for the shop's offline token, then reuses the stored session", async () => {
    const page = await load<RanksPage>(ranksLoader, "/app/ranks");
    expect(exchange.exchanges).toEqual([{ shop: SHOP, requestedTokenType: "urn:shopify:params:oauth:token-type:offline-access-token" }]);
    const { prisma } = await app();
    expect(await prisma.session.findUnique({ where: { id: `offline_${SHOP}` } })).toMatchObject({ shop: SHOP, accessToken: ACCESS_TOKEN });
    // afterAuth asked Shopify for the shop's currency (the fake's only call so far).
    expect(shopify.calls.map((c) => c.operationName)).toEqual(["ShopSettings"]);
    expect(page.currency).toBe("JPY");

    await load(messagesLoader, "/app/messages");
    expect(exchange.exchanges).toHaveLength(1);
  });

  it("refuses a token signed with another secret, and saves nothing", async () => {
    const forged = sessionToken(SHOP, { secret: "not-the-app-secret" });
    const attempt = call(ranksAction, adminJsonPost("/app/ranks", SHOP, { intent: "save", form: form() }, { token: forged }));
    await expect(attempt).rejects.toSatisfy((r: unknown) => r instanceof Response && r.status === 401);
    const { prisma } = await app();
    expect(await prisma.recomputeRun.count()).toBe(0);
    expect(exchange.exchanges).toEqual([]);
  });

  it("answers 400 to a body the pages never send", async () => {
    await load(ranksLoader, "/app/ranks");
    const attempt = call(ranksAction, adminJsonPost("/app/ranks", SHOP, { intent: "save", form: { tiers: "all of them" } }));
    await expect(attempt).rejects.toSatisfy((r: unknown) => r instanceof Response && r.status === 400);
  });
});

describe("Ranks", () => {
  it("shows the default ladder and window of a new shop, with no recompute yet", async () => {
    const page = await load<RanksPage>(ranksLoader, "/app/ranks", {}, "ja");
    expect(page).toMatchObject({ locale: "ja", currency: "JPY", form: form(), run: null, customers: 0 });
  });

  it("saves tiers, recomputes every customer in the background and reports progress until done", async () => {
    await load(ranksLoader, "/app/ranks");
    await seedCustomers();
    // VIP now needs ¥200,000 (or 10 orders), so C (3 orders, ¥120,000) is a regular.
    const saved = await post<{ ok: boolean; runId: number }>(ranksAction, "/app/ranks", {
      intent: "save",
      form: form({ vip: { minWindowSpent: "200,000" }, regular: { labelEn: "Regular customer" } }, "6"),
    });
    expect(saved).toEqual({ status: 200, body: { ok: true, runId: expect.any(Number) } });

    const { prisma, drain } = await app();
    expect(await prisma.rankTier.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "vip" } } })).toMatchObject({ minWindowSpent: 200000n });
    expect(await prisma.rankTier.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "regular" } } })).toMatchObject({ labelEn: "Regular customer" });
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).rankWindowMonths).toBe(6);
    const queued = await load<RanksPage>(ranksLoader, "/app/ranks");
    expect(queued.run).toMatchObject({ id: saved.body.runId, status: "queued", done: 0 });
    expect(queued.form.tiers[3]!.minWindowSpent).toBe("200000");

    // The recompute, one rank sync per customer whose rank changed (4: none had one), the RFM refresh.
    expect(await drain()).toEqual({ done: 6, retried: 0, failed: 0 });
    expect(await ranks()).toEqual({ A: "first", B: "second", C: "regular", D: "vip" });
    const done = await load<RanksPage>(ranksLoader, "/app/ranks");
    expect(done.run).toMatchObject({ id: saved.body.runId, status: "done", total: 4, done: 4, changed: 4, error: null });
    expect(shopify.customer(SHOP, "gid://shopify/Customer/67").tags).toEqual([rankTag("regular")]); // C

    // Lowering VIP's spend moves only C.
    const again = await post<{ ok: boolean; runId: number }>(ranksAction, "/app/ranks", { intent: "save", form: form({ vip: { minWindowSpent: "100000" } }) });
    expect(again.body.runId).toBeGreaterThan(saved.body.runId);
    expect(await drain()).toEqual({ done: 3, retried: 0, failed: 0 }); // the recompute, C's rank sync, the RFM refresh
    expect((await load<RanksPage>(ranksLoader, "/app/ranks")).run).toMatchObject({ status: "done", total: 4, done: 4, changed: 1 });
    expect((await ranks()).C).toBe("vip");
    const change = await prisma.rankChange.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { id: "desc" } });
    expect(change).toMatchObject({ fromRank: "regular", toRank: "vip", reason: expect.stringMatching(/^recompute as of /) });
  });

  it("records progress after every chunk of customers", async () => {
    await load(ranksLoader, "/app/ranks");
    const { db, prisma, queue } = await app();
    const at = new Date(Date.now() - DAY);
    // 2,100 one-order customers already ranked "first" and synced to Shopify but the last: two
    // chunks (2,000 + 100), no rank changes.
    const synced = rankSyncFingerprint(rankSyncFields({ orderCount: 1, windowSpent: 1000n }, defaultRankTiers("JPY"), { currency: "JPY", locale: "ja" }));
    await prisma.customer.createMany({
      data: Array.from({ length: 2100 }, (_, i) => ({
        shop: SHOP, gid: `gid://shopify/Customer/${5000 + i}`, orderCount: 1, lifetimeSpent: 1000n, windowSpent: 1000n, rankKey: "first", firstOrderAt: at, lastOrderAt: at,
        rankSyncedFingerprint: i === 2099 ? null : synced,
      })),
    });
    const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true } });
    await prisma.order.createMany({
      data: customers.map((c, i) => ({
        shop: SHOP, gid: `gid://shopify/Order/${9000 + i}`, customerId: c.id, processedAt: at, currency: "JPY",
        totalPrice: 1000n, sourceCurrentTotal: 1000n, currentTotal: 1000n, sourceUpdatedAt: at,
      })),
    });
    const run = await prisma.recomputeRun.create({ data: { shop: SHOP } });
    // Watch the progress writes through a view of the client (Prisma's delegates are proxies:
    // spying on them in place breaks them for the other tests).
    const recorded: { done: number; total: number }[] = [];
    const runs = new Proxy(prisma.recomputeRun, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== "updateMany" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
        return (args: { data: { done?: number; total?: number } }) => {
          if (typeof args.data.done === "number" && args.data.total !== 0) recorded.push({ done: args.data.done, total: args.data.total! });
          return value.call(target, args);
        };
      },
    });
    const observed = new Proxy(prisma, {
      get(target, prop) {
        if (prop === "recomputeRun") return runs;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await runRecomputeJob({ ...db, prisma: observed }, queue, SHOP, run.id);
    expect(recorded.map((d) => [d.done, d.total])).toEqual([
      [0, 2100],
      [2000, 2100],
      [2100, 2100],
    ]);
    expect(await prisma.recomputeRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: "done", done: 2100, total: 2100, changed: 0 });
    // Nothing Shopify shows moved; the one customer never synced (on the sweep's second page) is.
    const syncs =
      db.kind === "sqlite"
        ? (await prisma.job.findMany({ where: { queue: "rank-sync" }, select: { payload: true } })).map((j) => JSON.parse(j.payload) as unknown)
        : (await prisma.$queryRawUnsafe<{ data: unknown }[]>("SELECT data FROM pgboss.job WHERE name = 'rank-sync'")).map((j) => j.data);
    const last = await prisma.customer.findFirstOrThrow({ where: { shop: SHOP, gid: "gid://shopify/Customer/7099" }, select: { id: true } });
    expect(syncs).toEqual([expect.objectContaining({ customerId: last.id })]); // pg-boss data also names the shop
  });

  it("returns field errors for invalid input and changes nothing", async () => {
    await load(ranksLoader, "/app/ranks");
    const result = await post<{ ok: false; errors: Record<string, { en: string; ja: string }> }>(ranksAction, "/app/ranks", {
      intent: "save",
      form: form({ regular: { minOrders: "2" }, vip: { minWindowSpent: "100000.5", labelJa: "" } }, "0"),
    });
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors).sort()).toEqual(["tiers[2].minOrders", "tiers[3].labelJa", "tiers[3].minWindowSpent", "windowMonths"]);
    expect(result.body.errors["tiers[2].minOrders"]).toEqual({
      en: 'Must be more than 2 orders, the threshold of the lower rank "Second purchase".',
      ja: "下位ランク「2回目」の2回より多くしてください。",
    });
    expect(result.body.errors["tiers[3].minWindowSpent"]!.ja).toBe("JPYの金額には小数点以下を入力できません。");

    const { prisma } = await app();
    expect(await prisma.rankTier.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "regular" } } })).toMatchObject({ minOrders: 3 });
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).rankWindowMonths).toBe(12);
    expect(await prisma.recomputeRun.count()).toBe(0);
    const counts = await (await app()).queue.counts();
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it("starts no recompute when nothing changed, and shares a run that has not started yet", async () => {
    await load(ranksLoader, "/app/ranks");
    expect((await post(ranksAction, "/app/ranks", { intent: "save", form: form() })).body).toEqual({ ok: true, runId: null });
    const first = await post<{ runId: number }>(ranksAction, "/app/ranks", { intent: "save", form: form({ vip: { minOrders: "12" } }) });
    const second = await post<{ runId: number }>(ranksAction, "/app/ranks", { intent: "save", form: form({ vip: { minOrders: "15" } }) });
    expect(second.body.runId).toBe(first.body.runId);
    const { prisma, drain } = await app();
    expect(await prisma.recomputeRun.count()).toBe(1);
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 }); // the recompute, then the RFM refresh
    expect(await prisma.rankTier.findUniqueOrThrow({ where: { shop_key: { shop: SHOP, key: "vip" } } })).toMatchObject({ minOrders: 15 });
  });

  it("keeps a rank that a reward is triggered by", async () => {
    await load(ranksLoader, "/app/ranks");
    const { prisma } = await app();
    await prisma.shop.update({
      where: { shop: SHOP },
      data: { milestones: milestonesToJson([{ key: "vip-gift", trigger: { kind: "rank", rankKey: "vip" }, reward: defaultMilestones()[1]!.reward }]) },
    });
    const result = await post<{ ok: false; errors: Record<string, { en: string }> }>(ranksAction, "/app/ranks", {
      intent: "save",
      form: { ...form(), tiers: form().tiers.slice(0, 3) },
    });
    expect(result.status).toBe(422);
    expect(result.body.errors.tiers?.en).toMatch(/"vip" is the trigger of the reward vip-gift/);
    expect(await prisma.rankTier.count({ where: { shop: SHOP } })).toBe(4);
  });

  it("shows a failed run with its reason, and runs again on request", async () => {
    await load(ranksLoader, "/app/ranks");
    const saved = await post<{ runId: number }>(ranksAction, "/app/ranks", { intent: "save", form: form({ vip: { minOrders: "11" } }) });
    const { prisma, drain } = await app();
    // The shop's row vanishes before the job runs (as after shop/redact): the recompute cannot run.
    await prisma.shop.delete({ where: { shop: SHOP } });
    expect(await drain()).toEqual({ done: 0, retried: 0, failed: 1 }); // not retried: the page says what happened
    const page = await load<RanksPage>(ranksLoader, "/app/ranks");
    expect(page.run).toMatchObject({ id: saved.body.runId, status: "failed", error: expect.stringMatching(/no shop merchant-pages/) });

    const again = await post<{ ok: boolean; runId: number }>(ranksAction, "/app/ranks", { intent: "recompute" });
    expect(again.body.runId).toBeGreaterThan(saved.body.runId);
    expect(await drain()).toEqual({ done: 2, retried: 0, failed: 0 }); // the recompute, then the RFM refresh
    expect((await load<RanksPage>(ranksLoader, "/app/ranks")).run).toMatchObject({ id: again.body.runId, status: "done" });
  });
});

interface MessagesPage {
  templates: Record<string, { ja: string; en: string }>;
  defaults: Record<string, { ja: string; en: string }>;
  tiers: { key: string }[];
}

describe("Messages", () => {
  it("shows a template per rank and the guest, defaults first, and round-trips the merchant's text", async () => {
    const page = await load<MessagesPage>(messagesLoader, "/app/messages");
    const defaults = defaultMessageTemplates();
    expect(Object.keys(page.templates)).toEqual(["first", "second", "regular", "vip", "guest"]);
    expect(page.templates).toEqual({ first: defaults.first, second: defaults.second, regular: defaults.regular, vip: defaults.vip, guest: defaults.guest });
    expect(page.defaults.vip).toEqual(defaults.vip);

    const vip = { ja: "{{#first_name}}{{first_name}}様、{{/first_name}}<VIP>の皆様へ & 感謝を込めて", en: "Dear {{rank}} {{first_name}}: thanks!" };
    const saved = await post(messagesAction, "/app/messages", { intent: "save", templates: { ...page.templates, vip } });
    expect(saved).toEqual({ status: 200, body: { ok: true } });
    expect((await load<MessagesPage>(messagesLoader, "/app/messages")).templates.vip).toEqual(vip);
    const { prisma } = await app();
    expect(JSON.parse((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).messageTemplates!).vip).toEqual(vip);
  });

  it("returns errors per template and language, and saves nothing", async () => {
    const page = await load<MessagesPage>(messagesLoader, "/app/messages");
    const result = await post<{ ok: false; errors: Record<string, { en: string }> }>(messagesAction, "/app/messages", {
      intent: "save",
      templates: { ...page.templates, vip: { ja: "{{#first_name}}閉じていない", en: "Hi {{nickname}}" }, guest: { ja: "", en: "x".repeat(501) } },
    });
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors).sort()).toEqual(["templates.guest.en", "templates.guest.ja", "templates.vip.en", "templates.vip.ja"]);
    expect(result.body.errors["templates.vip.en"]!.en).toMatch(/Unknown variable “nickname”/);
    const { prisma } = await app();
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).messageTemplates).toBeNull();
  });
});

interface RewardsPage {
  currency: string;
  rows: Record<string, string>[];
  lockedKeys: string[];
  counts: { byStatus: Record<string, number>; issued: number; redeemed: number };
  grants: { rows: { id: number; status: string; code: string | null; orderName: string | null; customer: { firstName: string | null } }[]; total: number; page: number; pages: number; status: string | null };
}

describe("Rewards", () => {
  it("shows the default milestones and round-trips edited ones exactly", async () => {
    const page = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    expect(page.rows.map((r) => [r.key, r.triggerKind, r.count, r.rewardKind])).toEqual([
      ["order-5", "orderCount", "5", "discount"],
      ["order-10", "orderCount", "10", "freeSample"],
    ]);
    const rows = [
      { ...page.rows[0]!, discountType: "fixed", amount: "1,500", minimumSubtotal: "5000", expiresInDays: "30" },
      { ...page.rows[1]!, triggerKind: "rank", rankKey: "vip", packerNoteJa: "VIP到達記念のサンプルを同梱", orderTag: "vip-sample" },
    ];
    expect(await post(rewardsAction, "/app/rewards", { intent: "save", rows })).toEqual({ status: 200, body: { ok: true } });

    const { prisma } = await app();
    const stored = JSON.parse((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).milestones!);
    expect(stored[0]).toEqual({
      key: "order-5",
      trigger: { kind: "orderCount", count: 5 },
      reward: { kind: "discount", value: { type: "fixed", amount: "1500" }, expiresInDays: 30, minimumSubtotal: "5000" },
    });
    expect(stored[1]).toMatchObject({ key: "order-10", trigger: { kind: "rank", rankKey: "vip" }, reward: { kind: "freeSample", orderTag: "vip-sample" } });
    const reloaded = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    expect(reloaded.rows[0]).toMatchObject({ discountType: "fixed", amount: "1500", minimumSubtotal: "5000", expiresInDays: "30" });
    expect(reloaded.rows[1]).toMatchObject({ triggerKind: "rank", rankKey: "vip", packerNoteJa: "VIP到達記念のサンプルを同梱" });
  });

  it("returns field errors for invalid milestones and saves nothing", async () => {
    const page = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    const rows = [
      { ...page.rows[0]!, percent: "150", expiresInDays: "0" },
      { ...page.rows[1]!, key: "order-5", orderTag: "a,b" },
    ];
    const result = await post<{ ok: false; errors: Record<string, { en: string }> }>(rewardsAction, "/app/rewards", { intent: "save", rows });
    expect(result.status).toBe(422);
    expect(Object.keys(result.body.errors).sort()).toEqual([
      "milestones[0].reward.expiresInDays",
      "milestones[0].reward.value",
      "milestones[1].key",
      "milestones[1].reward.orderTag",
    ]);
    const { prisma } = await app();
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).milestones).toBeNull();
  });

  it("lists the rewards given, filtered and paginated, with issued / redeemed counts", async () => {
    await load(rewardsLoader, "/app/rewards");
    await seedCustomers();
    const { prisma } = await app();
    const [a, b] = await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { firstName: "asc" } });
    const milestone = milestonesToJson([defaultMilestones()[0]!]).slice(1, -1);
    const at = (days: number) => new Date(Date.UTC(2026, 4, 1) + days * DAY);
    const grant = (customerId: number, n: number, status: string, extra: Record<string, unknown> = {}) => ({
      shop: SHOP, customerId, milestoneKey: `order-${n}`, activeSlot: status === "revoked" ? null : `order-${n}`, milestone, kind: "discount",
      orderGid: "gid://shopify/Order/2", status, code: status === "pending" ? null : `TOKUI-${n}TH-AAAA-BBB${n % 10}`, createdAt: at(n), ...extra,
    });
    await prisma.rewardGrant.createMany({
      data: [
        grant(a!.id, 1, "issued", { issuedAt: at(1) }),
        grant(a!.id, 2, "redeemed", { issuedAt: at(2), redeemedAt: at(3) }),
        grant(a!.id, 3, "revoked", { issuedAt: at(3), revokedAt: at(4) }),
        grant(a!.id, 4, "pending"),
        grant(a!.id, 5, "failed", { error: "Shopify refused the code" }),
        // 22 more issued to B: three pages of 20 for "all", two for "issued".
        ...Array.from({ length: 22 }, (_, i) => grant(b!.id, 10 + i, "issued", { issuedAt: at(10 + i) })),
      ],
    });

    const all = await load<RewardsPage>(rewardsLoader, "/app/rewards");
    expect(all.counts).toEqual({ byStatus: { pending: 1, issued: 23, redeemed: 1, revoked: 1, failed: 1, held: 0 }, issued: 25, redeemed: 1 });
    expect(all.grants).toMatchObject({ total: 27, page: 1, pages: 2, status: null });
    expect(all.grants.rows).toHaveLength(20);
    expect(all.grants.rows[0]).toMatchObject({ status: "issued", code: "TOKUI-31TH-AAAA-BBB1", orderName: "#1002", customer: { firstName: "B" } });

    const lastPage = await load<RewardsPage>(rewardsLoader, "/app/rewards", { page: "2" });
    expect(lastPage.grants.rows.map((g) => g.status)).toEqual(["issued", "issued", "failed", "pending", "revoked", "redeemed", "issued"]);

    const redeemed = await load<RewardsPage>(rewardsLoader, "/app/rewards", { status: "redeemed" });
    expect(redeemed.grants).toMatchObject({ total: 1, pages: 1, status: "redeemed" });
    expect(redeemed.grants.rows.map((g) => g.code)).toEqual(["TOKUI-2TH-AAAA-BBB2"]);
    // An unknown filter shows everything rather than failing.
    expect((await load<RewardsPage>(rewardsLoader, "/app/rewards", { status: "lost" })).grants.status).toBeNull();
    // Milestones with grants keep their key.
    expect(all.lockedKeys).toContain("order-1");
  });
});

interface EmailPage {
  shopLocale: string;
  snippets: { ja: string; en: string };
  unavailableVariablesUsed: { ja: boolean; en: boolean };
}

describe("Order confirmation email", () => {
  const liquid = new Liquid();

  it("gives a snippet that follows the shop's tiers and templates", async () => {
    const before = await load<EmailPage>(emailLoader, "/app/email");
    expect(before.shopLocale).toBe("ja");
    expect(before.unavailableVariablesUsed).toEqual({ ja: false, en: false });
    expect(before.snippets.ja).toContain(`{%- when "${rankTag("vip")}" -%}`);

    // A new top rank "gold" and a VIP greeting that mentions the distance to it.
    const tiers = [...form().tiers, { key: "gold", labelJa: "ゴールド", labelEn: "Gold", minOrders: "20", minWindowSpent: "", combine: "any" as const }];
    expect((await post(ranksAction, "/app/ranks", { intent: "save", form: { windowMonths: "12", tiers } })).status).toBe(200);
    const messages = await load<MessagesPage>(messagesLoader, "/app/messages");
    const vip = { ja: "{{rank}}の{{first_name}}様、次は{{next_rank}}です{{#orders_to_next}}（あと{{orders_to_next}}回）{{/orders_to_next}}", en: "Thanks, {{rank}} member" };
    await post(messagesAction, "/app/messages", { intent: "save", templates: { ...messages.templates, vip } });

    const after = await load<EmailPage>(emailLoader, "/app/email");
    expect([...after.snippets.ja.matchAll(/\{%- when "tokui-rank:([a-z0-9-]+)" -%\}/g)].map((m) => m[1])).toEqual(["first", "second", "regular", "vip", "gold"]);
    expect(after.unavailableVariablesUsed).toEqual({ ja: true, en: false });
    const greeting = (snippet: string, tags: string[]) => liquid.parseAndRender(snippet, { customer: { first_name: "花子", tags } });
    expect((await greeting(after.snippets.ja, [rankTag("vip")])).trim()).toBe("VIPの花子様、次はゴールドです<br><br>");
    expect((await greeting(after.snippets.en, [rankTag("vip")])).trim()).toBe("Thanks, VIP member<br><br>");
    expect((await greeting(after.snippets.ja, [rankTag("gold")])).trim()).toMatch(/^花子様、いつも、ご愛顧いただき/); // fallback greeting
  });
});
