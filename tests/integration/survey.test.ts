/**
 * The post-purchase survey end to end on the server: offered with the thank-you view through the
 * real POST /api/post-purchase, answered through the real POST /api/survey-answer (session
 * tokens signed like Shopify's, CORS, the shared rate limit), stored once per order, part of the
 * customer's personal data (data request, redact), and tallied for the dashboard.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { action as postPurchaseAction } from "~/routes/api.post-purchase";
import { action as answerAction, loader as answerLoader } from "~/routes/api.survey-answer";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { deleteShopData } from "~/models/shop.server";
import { customerData } from "~/services/customer-data.server";
import { customerDetail } from "~/services/customers/customer-detail.server";
import { documentHandler } from "../helpers/remix-document";
import * as dashboardRoute from "~/routes/app._index";
import * as surveyRoute from "~/routes/app.survey";
import { forgetSurveySettings, saveSurveySettings, surveySettingsForEditing } from "~/services/survey.server";
import { surveyResults } from "~/services/survey-results.server";
import { defaultSurvey, type SurveyForm } from "~/domain/survey";
import { app } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { adminOrderFrom, postPurchaseRequest, sessionToken } from "../helpers/post-purchase";
import { TEST_SHOP, TEST_SHOPIFY_ENV, webhookRequest } from "../helpers/shopify";
import { adminApiMock } from "../mocks/admin-api";
import { adminJsonPost, adminPageRequest, tokenExchange } from "../helpers/admin-request";
import { action as surveyPageAction, loader as surveyPageLoader } from "~/routes/app.survey";

const ACCESS_TOKEN = "shpat_survey_0123456789abcdef";
const HANAKO_ID = 7409876543210;
const HANAKO = `gid://shopify/Customer/${HANAKO_ID}`;
const TARO_ID = 7409876543299;
const TARO = `gid://shopify/Customer/${TARO_ID}`;
const OTHER_SHOP = "someone-else.myshopify.com";

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
  for (const table of ["surveyResponse", "messageView", "rewardGrant", "orderLine", "order", "refund", "rankChange", "customer", "rankTier", "shop", "webhookEvent", "job", "session"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  if (db.kind === "postgresql") await prisma.$executeRawUnsafe("DELETE FROM pgboss.job");
  shopify.reset();
  forgetSurveySettings(TEST_SHOP);
  for (const shop of [TEST_SHOP, OTHER_SHOP]) {
    await prisma.session.create({
      data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: ACCESS_TOKEN, scope: "read_orders,write_orders,read_customers,write_customers,write_discounts" },
    });
    shopify.install(shop, ACCESS_TOKEN);
  }
});

afterEach(() => {
  expect(shopify.violations).toEqual([]);
});

const ctx = { params: {}, context: {} };
const identity = (n: number) => `gid://shopify/OrderIdentity/${n}`;

async function view(orderId: string, token: string, locale = "ja") {
  const response = await postPurchaseAction({ request: postPurchaseRequest({ orderId, locale }, token), ...ctx });
  expect(response.status).toBe(200);
  return (await response.json()) as { message: string; survey?: { questionKey: string; question: string; choices: { key: string; label: string }[]; freeText: boolean } };
}

function answerRequest(body: unknown, token: string | null, method = "POST"): Request {
  const headers = new Headers({ Origin: "https://extensions.shopifycdn.com", "Content-Type": "application/json" });
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return new Request(`${TEST_SHOPIFY_ENV.SHOPIFY_APP_URL}/api/survey-answer`, { method, headers, ...(method === "POST" ? { body: JSON.stringify(body) } : {}) });
}

const answer = (orderId: number, body: { choiceKey?: string | null; freeText?: string | null }, token = sessionToken({ customer: HANAKO })) =>
  answerAction({ request: answerRequest({ orderId: identity(orderId), ...body }, token), ...ctx });

/** One order per scenario, delivered by webhook and processed. */
async function order(id: number, customerId: number | null, createdAt = "2026-10-01T10:00:00+09:00") {
  const body = orderPayload({ id, customerId, total: "3000", createdAt, firstName: customerId === TARO_ID ? "太郎" : "花子" });
  expect((await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), ...ctx })).status).toBe(200);
  await (await app()).drain();
}

const recent = () => new Date(Date.now() - 60_000).toISOString();

/** The default survey switched on, with the keys the defaults give (search, instagram, …). */
async function switchOn(over: Partial<SurveyForm> = {}) {
  const d = defaultSurvey();
  const form: SurveyForm = { enabled: true, question: d.question, freeText: true, choices: d.choices.map((c) => ({ key: c.key, label: c.label })), ...over };
  const result = await saveSurveySettings((await app()).prisma, TEST_SHOP, form);
  expect(result.ok).toBe(true); // saving also drops this instance's 5-second cache of the settings
  return result;
}

describe("offered with the thank-you view", () => {
  it("offers nothing while the survey is off (the default)", async () => {
    await order(5001, HANAKO_ID);
    const body = await view(identity(5001), sessionToken({ customer: HANAKO }));
    expect(body.message).toContain("花子様");
    expect(body).not.toHaveProperty("survey");
  });

  it("offers the question in the shopper's language on the thank-you page only, and no more once answered", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    const token = sessionToken({ customer: HANAKO });
    const ja = await view(identity(5001), token, "ja");
    expect(ja.survey).toMatchObject({ questionKey: "heard-from", question: "当店を何で知りましたか？", freeText: true });
    expect(ja.survey!.choices.slice(0, 2)).toEqual([
      { key: "search", label: "検索エンジン（Google・Yahoo!など）" },
      { key: "instagram", label: "Instagram" },
    ]);
    expect((await view(identity(5001), token, "en")).survey?.question).toBe("How did you hear about us?");
    // The order status page never asks.
    expect(await view("gid://shopify/Order/5001", token, "en")).not.toHaveProperty("survey");

    expect((await answer(5001, { choiceKey: "instagram" })).status).toBe(200);
    expect(await view(identity(5001), token)).not.toHaveProperty("survey");
  });
});

describe("POST /api/survey-answer", () => {
  it("stores the answer for the customer, free text trimmed and otherwise as typed", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    const response = await answer(5001, { choiceKey: "friend", freeText: "  <b>姉</b>に勧められて\n買いました  " });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.json()).toEqual({ status: "saved" });
    const { prisma } = await app();
    const hanako = await prisma.customer.findUnique({ where: { shop_gid: { shop: TEST_SHOP, gid: HANAKO } } });
    expect(await prisma.surveyResponse.findMany({ select: { shop: true, customerId: true, orderGid: true, questionKey: true, choiceKey: true, freeText: true } })).toEqual([
      { shop: TEST_SHOP, customerId: hanako!.id, orderGid: "gid://shopify/Order/5001", questionKey: "heard-from", choiceKey: "friend", freeText: "<b>姉</b>に勧められて\n買いました" },
    ]);
  });

  it("takes the same answer again (a retry) with 200 and refuses a different second answer with 409", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    expect((await answer(5001, { choiceKey: "ad", freeText: "雑誌" })).status).toBe(200);
    expect((await answer(5001, { choiceKey: "ad", freeText: " 雑誌 " })).status).toBe(200);
    const second = await answer(5001, { choiceKey: "search" });
    expect(second.status).toBe(409);
    expect(second.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const { prisma } = await app();
    expect(await prisma.surveyResponse.findMany({ select: { choiceKey: true, freeText: true } })).toEqual([{ choiceKey: "ad", freeText: "雑誌" }]);
  });

  it("stores one answer when the same order is answered twice at the same moment", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    const statuses = (await Promise.all([answer(5001, { choiceKey: "ad" }), answer(5001, { choiceKey: "search" })])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(await (await app()).prisma.surveyResponse.count()).toBe(1);
  });

  it.each<[string, { choiceKey?: string | null; freeText?: string | null }, string]>([
    ["a choice the survey does not have", { choiceKey: "tv" }, 'no choice "tv"'],
    ["free text over 500 characters", { freeText: "あ".repeat(501) }, "longer than 500"],
    ["an empty answer", { choiceKey: null, freeText: "   " }, "empty"],
  ])("refuses %s with 400 and stores nothing", async (_, body, reason) => {
    await switchOn();
    await order(5001, HANAKO_ID);
    const response = await answer(5001, body);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain(reason);
    expect(await (await app()).prisma.surveyResponse.count()).toBe(0);
  });

  it("checks the choice against the settings of now: a choice removed since is refused, a renamed one keeps its key", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    await order(5002, HANAKO_ID, "2026-10-02T10:00:00+09:00");
    const d = defaultSurvey();
    const renamed = d.choices.filter((c) => c.key !== "x").map((c) => (c.key === "ad" ? { key: "ad", label: { ja: "ネット広告", en: "Online ad" } } : { key: c.key, label: c.label }));
    await switchOn({ choices: renamed });
    expect((await answer(5001, { choiceKey: "x" })).status).toBe(400);
    expect((await answer(5002, { choiceKey: "ad" })).status).toBe(200);
  });

  it("refuses answers while the survey is off", async () => {
    await order(5001, HANAKO_ID);
    expect((await answer(5001, { choiceKey: "search" })).status).toBe(400);
  });

  it("404s an order of another customer, of another shop, and one the shop does not have", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    expect((await answer(5001, { choiceKey: "ad" }, sessionToken({ customer: TARO }))).status).toBe(404);
    expect((await answer(5001, { choiceKey: "ad" }, sessionToken({ shop: OTHER_SHOP, customer: HANAKO }))).status).toBe(404);
    expect((await answer(9999, { choiceKey: "ad" }))).toHaveProperty("status", 404);
    expect(await (await app()).prisma.surveyResponse.count()).toBe(0);
  });

  it("lets a guest checkout answer for its just-placed order (no customer), but not for an older order", async () => {
    await switchOn();
    const guest = orderPayload({ id: 7001, customerId: null, total: "2000", createdAt: recent() });
    shopify.seedOrder(TEST_SHOP, adminOrderFrom(guest));
    // The thank-you view fetches and stores the late order, and offers the survey.
    expect((await view(identity(7001), sessionToken(), "en")).survey?.question).toBe("How did you hear about us?");
    expect((await answer(7001, { choiceKey: "search" }, sessionToken())).status).toBe(200);
    const { prisma } = await app();
    expect(await prisma.surveyResponse.findFirst({ select: { customerId: true, orderGid: true } })).toEqual({ customerId: null, orderGid: "gid://shopify/Order/7001" });

    await order(7002, null, "2026-10-01T10:00:00+09:00");
    expect((await answer(7002, { choiceKey: "search" }, sessionToken())).status).toBe(404);
    await order(5001, HANAKO_ID);
    expect((await answer(5001, { choiceKey: "search" }, sessionToken())).status).toBe(404);
  });

  it("answers the preflight and refuses a missing or forged token with 401, CORS headers included", async () => {
    const preflight = await answerLoader({ request: answerRequest(null, null, "OPTIONS"), ...ctx });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    for (const token of [null, sessionToken({ customer: HANAKO, secret: "not-our-secret" })]) {
      const response = await answerAction({ request: answerRequest({ orderId: identity(5001), choiceKey: "ad" }, token), ...ctx });
      expect(response.status).toBe(401);
      expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    }
    // Only the thank-you page asks: an Order GID (order status page) is not a survey answer.
    const orderStatus = await answerAction({ request: answerRequest({ orderId: "gid://shopify/Order/5001", choiceKey: "ad" }, sessionToken({ customer: HANAKO })), ...ctx });
    expect(orderStatus.status).toBe(400);
  });
});

describe("personal data", () => {
  async function answered() {
    await switchOn();
    await order(5001, HANAKO_ID);
    await order(5002, TARO_ID);
    expect((await answer(5001, { choiceKey: "friend", freeText: "姉の紹介です" })).status).toBe(200);
    expect((await answer(5002, { choiceKey: "ad" }, sessionToken({ customer: TARO }))).status).toBe(200);
  }

  it("customers/data_request includes the customer's answers, in today's wording", async () => {
    await answered();
    const data = await customerData((await app()).prisma, TEST_SHOP, HANAKO);
    expect(data?.surveyAnswers).toEqual([
      {
        orderGid: "gid://shopify/Order/5001",
        answeredAt: expect.any(Date),
        question: { ja: "当店を何で知りましたか？", en: "How did you hear about us?" },
        choice: { ja: "家族・知人の紹介", en: "A friend or family member" },
        freeText: "姉の紹介です",
      },
    ]);
  });

  it("shows the answer in the customer's timeline, in the admin's language", async () => {
    await answered();
    const { prisma } = await app();
    const ja = await customerDetail(prisma, TEST_SHOP, String(HANAKO_ID), "ja");
    expect(ja?.timeline.filter((e) => e.kind === "survey")).toEqual([
      { kind: "survey", at: expect.any(String), id: expect.stringMatching(/^survey-\d+$/), question: "当店を何で知りましたか？", choice: "家族・知人の紹介", freeText: "姉の紹介です", orderName: "#5001" },
    ]);
    const en = await customerDetail(prisma, TEST_SHOP, String(HANAKO_ID), "en");
    expect(en?.timeline.find((e) => e.kind === "survey")).toMatchObject({ question: "How did you hear about us?", choice: "A friend or family member" });
    // Taro's answer is on Taro's page only.
    expect((await customerDetail(prisma, TEST_SHOP, String(TARO_ID), "en"))?.timeline.filter((e) => e.kind === "survey")).toHaveLength(1);
  });

  it("customers/redact deletes the customer's answers and those on the orders named, nobody else's", async () => {
    await answered();
    const { prisma } = await app();
    // A guest answer on an order Shopify names in orders_to_redact.
    await prisma.surveyResponse.create({ data: { shop: TEST_SHOP, orderGid: "gid://shopify/Order/6012345678901", questionKey: "heard-from", freeText: "guest words" } });
    const body = { shop_id: 1, shop_domain: TEST_SHOP, customer: { id: HANAKO_ID, email: "hanako@example.jp" }, orders_to_redact: [5001, 6012345678901] };
    expect((await customersRedact({ request: webhookRequest({ topic: "customers/redact", body }), ...ctx })).status).toBe(200);
    await (await app()).drain();
    expect(await prisma.surveyResponse.findMany({ select: { orderGid: true } })).toEqual([{ orderGid: "gid://shopify/Order/5002" }]);
  });

  it("shop/redact deletes every answer of the shop, guests' included", async () => {
    await answered();
    const { prisma } = await app();
    await prisma.surveyResponse.create({ data: { shop: TEST_SHOP, orderGid: "gid://shopify/Order/7001", questionKey: "heard-from", choiceKey: "ad" } });
    await prisma.surveyResponse.create({ data: { shop: OTHER_SHOP, orderGid: "gid://shopify/Order/7001", questionKey: "heard-from", choiceKey: "ad" } });
    await prisma.$transaction((tx) => deleteShopData(tx, TEST_SHOP));
    expect(await prisma.surveyResponse.findMany({ select: { shop: true } })).toEqual([{ shop: OTHER_SHOP }]);
  });
});

describe("the settings page /app/survey", () => {
  type Page = { locale: string; settings: ReturnType<typeof defaultSurvey>; stored: boolean; answers: number };
  const load = async (locale = "ja") => {
    const response = await surveyPageLoader({ request: adminPageRequest("/app/survey", TEST_SHOP, { locale }), ...ctx });
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };
  const save = (survey: unknown) => surveyPageAction({ request: adminJsonPost("/app/survey", TEST_SHOP, { intent: "save", survey }), ...ctx });

  it("shows the defaults switched off, saves a renamed and a new choice (keys kept and handed out), and refuses bad input", async () => {
    const first = await load();
    expect(first).toMatchObject({ locale: "ja", stored: false, answers: 0, settings: defaultSurvey() });

    const choices = first.settings.choices.map((c) => ({ key: c.key, label: c.label }));
    choices[0] = { key: "search", label: { ja: "Google検索", en: "Google" } };
    const saved = await save({ enabled: true, question: first.settings.question, freeText: false, choices: [...choices.slice(0, 2), { key: null, label: { ja: "テレビ", en: "TV" } }] });
    expect(saved.status).toBe(200);
    const after = await load("en");
    expect(after.stored).toBe(true);
    expect(after.settings.choices.filter((c) => !c.removed).map((c) => [c.key, c.label.ja])).toEqual([
      ["search", "Google検索"],
      ["instagram", "Instagram"],
      ["c1", "テレビ"],
    ]);
    expect(after.settings.choices.filter((c) => c.removed).map((c) => c.key)).toEqual(["x", "friend", "ad", "marketplace"]);

    const refused = await save({ enabled: true, question: { ja: "", en: "" }, freeText: false, choices: [] });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: unknown }).errors).toEqual({
      "question.ja": { en: "Enter the question in Japanese or English.", ja: "質問を日本語か英語で入力してください。" },
      choices: { en: "Add a choice or offer a free-text answer.", ja: "選択肢を追加するか、自由記述欄を表示してください。" },
    });
    await expect(save({ enabled: "yes" })).rejects.toMatchObject({ status: 400 });
    expect((await load()).settings.choices.filter((c) => !c.removed)).toHaveLength(3); // nothing changed by the refusals
  });
});

describe("settings", () => {
  it("starts from the defaults, switched off, and saves nothing that does not validate", async () => {
    const { prisma } = await app();
    expect(await surveySettingsForEditing(prisma, TEST_SHOP)).toEqual({ settings: defaultSurvey(), stored: false });
    const bad = await saveSurveySettings(prisma, TEST_SHOP, { enabled: true, question: { ja: "", en: "" }, freeText: false, choices: [] });
    expect(bad.ok).toBe(false);
    expect((await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.survey).toBeNull();
  });
});

describe("dashboard tally", () => {
  it("counts the period's answers per choice and lists the latest free text, for the current question only", async () => {
    await switchOn();
    const { prisma } = await app();
    const hanako = await (async () => {
      await order(5001, HANAKO_ID);
      return prisma.customer.findUniqueOrThrow({ where: { shop_gid: { shop: TEST_SHOP, gid: HANAKO } } });
    })();
    const at = (iso: string) => new Date(iso);
    const rows = [
      { orderGid: "o1", choiceKey: "search", freeText: null, createdAt: at("2026-11-01T00:00:00Z") },
      { orderGid: "o2", choiceKey: "search", freeText: null, createdAt: at("2026-11-10T00:00:00Z") },
      { orderGid: "o3", choiceKey: "instagram", freeText: "リール動画で", createdAt: at("2026-11-11T00:00:00Z"), customerId: hanako.id },
      { orderGid: "o4", choiceKey: null, freeText: "ラジオ", createdAt: at("2026-11-12T00:00:00Z") },
      // Outside the period (its end is exclusive), another question, another shop: not counted.
      { orderGid: "o5", choiceKey: "search", freeText: null, createdAt: at("2026-12-01T00:00:00Z") },
      { orderGid: "o6", choiceKey: "search", freeText: "old", createdAt: at("2026-11-05T00:00:00Z"), questionKey: "older-question" },
    ];
    for (const r of rows) await prisma.surveyResponse.create({ data: { shop: TEST_SHOP, questionKey: "heard-from", ...r } });
    await prisma.surveyResponse.create({ data: { shop: OTHER_SHOP, orderGid: "o1", questionKey: "heard-from", choiceKey: "ad", createdAt: at("2026-11-02T00:00:00Z") } });

    const results = await surveyResults(prisma, { shop: TEST_SHOP, from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z"), locale: "en", freeTextOnlyLabel: "Own words only" });
    if (results.status !== "ready") throw new Error("expected results");
    expect(results.total).toBe(4);
    expect(results.rows.map((r) => [r.key, r.count, r.percent])).toEqual([
      ["search", 2, 50],
      ["instagram", 1, 25],
      ["x", 0, 0],
      ["friend", 0, 0],
      ["ad", 0, 0],
      ["marketplace", 0, 0],
      [null, 1, 25],
    ]);
    expect(results.latestFreeText.map((t) => [t.text, t.choice, t.customerId, t.customerName])).toEqual([
      ["ラジオ", null, null, null],
      ["リール動画で", "Instagram", String(HANAKO_ID), "花子 山田"],
    ]);
  });

  it("says 'not set up' for a shop that never saved a survey", async () => {
    const results = await surveyResults((await app()).prisma, { shop: TEST_SHOP, from: new Date(0), to: new Date(), locale: "ja", freeTextOnlyLabel: "自由記述のみ" });
    expect(results).toEqual({ status: "notSetUp" });
  });
});

describe("rate limit", () => {
  it("shares the post-purchase route's per-shop limit: 429 with Retry-After and CORS", async () => {
    await switchOn();
    await order(5001, HANAKO_ID);
    const responses = await Promise.all(Array.from({ length: 160 }, () => answer(5001, { choiceKey: "ad" })));
    expect(responses.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited[0]!.headers.get("Access-Control-Allow-Origin")).toBe("*");
  });
});

// ---------------------------------------------------------------------------------------------
// The pages as HTML, through Remix's request handler (as tests/integration/dashboard-page.test.ts).

const handle = documentHandler([
  { id: "routes/app._index", index: true, module: dashboardRoute },
  { id: "routes/app.survey", path: "survey", module: surveyRoute },
]);

async function html(path: string, locale: string, search: Record<string, string> = {}): Promise<string> {
  const response = await handle(adminPageRequest(path, TEST_SHOP, { locale, search }));
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
  it.each<[string, string, string, string]>([
    ["ja", "サンクスページにアンケートを表示する", "当店を何で知りましたか？", "その他・ご感想（任意）"],
    ["en", "Show the survey on the thank-you page", "How did you hear about us?", "Anything you'd like to add? (optional)"],
  ])("/app/survey in %s: the editor and the preview of both languages", async (locale, toggle, question, freeTextLabel) => {
    await switchOn();
    const text = await html("/app/survey", locale);
    expect(text).toContain(toggle);
    expect(text).toContain(question);
    expect(text).toContain(freeTextLabel); // the preview, in the preview's language
    expect(text).toContain("How did you hear about us?");
    expect(text).toContain("当店を何で知りましたか？");
  });

  it("the dashboard's survey card counts the period's answers and shows the latest words, escaped", async () => {
    await switchOn();
    await order(5001, HANAKO_ID, new Date(Date.now() - 86_400_000).toISOString());
    const { prisma } = await app();
    await prisma.surveyResponse.create({ data: { shop: TEST_SHOP, orderGid: "gid://shopify/Order/5001", questionKey: "heard-from", choiceKey: "instagram", freeText: "<script>alert(1)</script>リールで" } });
    const text = await html("/app", "ja");
    expect(text).toContain("購入後アンケート");
    expect(text).toContain("この期間の回答：1件");
    expect(text).toContain("<script>alert(1)</script>リールで"); // shown as text: the markup arrived escaped
  });
});
