/**
 * The post-purchase survey in the thank-you extension: the real entry rendered with Preact into
 * happy-dom against the stand-in host, the backend stubbed with views built by the server's own
 * domain code (postPurchaseView + surveyOffer).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultSurvey, surveyOffer, type PostPurchaseBody, type SurveyOffer as ServerOffer, type SurveySettings } from "~/domain/survey";
import { SURVEY_MESSAGE_KEYS } from "../../extensions/shared/SurveyBlock";
import type { PostPurchaseView as ExtensionView } from "../../extensions/shared/post-purchase";
import { parseSurveyOffer, type SurveyOffer as ExtensionOffer } from "../../extensions/shared/survey";
import { rankView, type Locale } from "./fixtures";
import { APP_URL, TOKEN, installShopify, json, mount, orderGid, unmount, visibleText } from "./harness";

const ANSWER_ENDPOINT = `${APP_URL}/api/survey-answer`;

let fetchMock: ReturnType<typeof vi.fn>;
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  vi.stubEnv("APP_URL", APP_URL);
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});

afterEach(() => {
  unmount();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const $ = (selector: string) => document.body.querySelector(selector);
const $$ = (selector: string) => [...document.body.querySelectorAll(selector)];

const settings = (over: Partial<SurveySettings> = {}): SurveySettings => ({ ...defaultSurvey(), enabled: true, ...over });

/** The thank-you view with the survey, exactly as the server sends it. */
function body(locale: Locale, s: SurveySettings = settings()): PostPurchaseBody {
  return { ...rankView("second", locale), survey: surveyOffer(s, locale)! };
}

/** The page's answers: the view first, then whatever the survey's POSTs get. */
function backend(view: unknown, ...answers: (() => Promise<Response>)[]) {
  fetchMock.mockImplementation(async (url: string) => {
    if (url.endsWith("/api/post-purchase")) return json(view);
    const next = answers.shift();
    if (!next) throw new Error("unexpected survey request");
    return next();
  });
}

const surveyRequests = () =>
  fetchMock.mock.calls
    .filter(([url]) => String(url) === ANSWER_ENDPOINT)
    .map(([, init]) => ({ headers: new Headers((init as RequestInit).headers), body: JSON.parse(String((init as RequestInit).body)) as unknown }));

function choose(key: string) {
  const list = $("s-choice-list") as HTMLElement & { values?: string[] };
  list.values = [key];
  list.dispatchEvent(new Event("change"));
}

function type(text: string) {
  const area = $("s-text-area") as HTMLElement & { value?: string };
  area.value = text;
  area.dispatchEvent(new Event("input"));
}

const sendButton = () => $$("s-button").find((b) => /送信|Send/.test(b.textContent ?? "")) as HTMLElement;

/** Preact renders the picked answer on its next tick; a shopper cannot click sooner. */
const enabled = () => vi.waitFor(() => expect(sendButton().hasAttribute("disabled")).toBe(false));

async function shown() {
  await vi.waitFor(() => expect($("s-choice-list") ?? $("s-text-area")).not.toBeNull());
}

describe.each<[Locale, string, string, string, string]>([
  ["ja", "ja-JP", "当店を何で知りましたか？", "その他・ご感想（任意）", "ご回答ありがとうございました。"],
  ["en", "en-US", "How did you hear about us?", "Anything you'd like to add? (optional)", "Thank you for your answer!"],
])("survey in %s", (locale, language, question, freeTextLabel, thanks) => {
  it("shows the question below the greeting, with the shop's choices and a free-text field", async () => {
    installShopify({ surface: "thank-you", language });
    backend(body(locale));
    await mount("thank-you");
    await shown();

    const sections = $$("s-section");
    expect(sections).toHaveLength(2);
    expect(sections[0]!.querySelector("s-badge")?.textContent).toBe(locale === "ja" ? "2回目" : "Second purchase"); // the greeting first
    expect(sections[1]!.querySelector("s-heading")?.textContent).toBe(question);
    expect($("s-choice-list")?.getAttribute("label")).toBe(question);
    expect($$("s-choice").map((c) => [c.getAttribute("value"), c.textContent])).toEqual(
      defaultSurvey().choices.map((c) => [c.key, c.label[locale]]),
    );
    expect($("s-text-area")?.getAttribute("label")).toBe(freeTextLabel);
    // Nothing to send yet.
    expect(sendButton().hasAttribute("disabled")).toBe(true);
  });

  it("sends the chosen key and the trimmed text with the session token, then thanks the shopper", async () => {
    installShopify({ surface: "thank-you", language });
    backend(body(locale), async () => json({ status: "saved" }));
    await mount("thank-you");
    await shown();

    choose("instagram");
    type("  リール動画で見ました \n");
    await vi.waitFor(() => expect(sendButton().hasAttribute("disabled")).toBe(false));
    sendButton().click();

    await vi.waitFor(() => expect(visibleText()).toContain(thanks));
    expect(surveyRequests()).toEqual([
      {
        headers: expect.any(Headers),
        body: { orderId: orderGid("thank-you"), choiceKey: "instagram", freeText: "リール動画で見ました" },
      },
    ]);
    expect(surveyRequests()[0]!.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
    expect($("s-choice-list")).toBeNull();
    expect($("s-badge")).not.toBeNull(); // the greeting stays
  });
});

describe("survey", () => {
  it("says quietly that sending failed, keeps the answer, and thanks once a retry goes through", async () => {
    installShopify({ surface: "thank-you", language: "ja" });
    backend(
      body("ja"),
      async () => new Response("Service Unavailable", { status: 503 }),
      async () => Promise.reject(new TypeError("Failed to fetch")),
      async () => json({ status: "saved" }),
    );
    await mount("thank-you");
    await shown();
    choose("friend");
    await enabled();

    sendButton().click();
    await vi.waitFor(() => expect(visibleText()).toContain("送信できませんでした。もう一度お試しください。"));
    expect($("s-choice-list")).not.toBeNull();
    sendButton().click();
    await vi.waitFor(() => expect(surveyRequests()).toHaveLength(2));
    await vi.waitFor(() => expect(sendButton().hasAttribute("loading")).toBe(false));
    expect(visibleText()).toContain("送信できませんでした");
    sendButton().click();
    await vi.waitFor(() => expect(visibleText()).toContain("ご回答ありがとうございました。"));
    expect(surveyRequests().map((r) => (r.body as { choiceKey: string }).choiceKey)).toEqual(["friend", "friend", "friend"]);
    expect(warn).toHaveBeenCalled();
  });

  it("thanks the shopper when the order was answered already (409, e.g. in another tab)", async () => {
    installShopify({ surface: "thank-you", language: "en" });
    backend(body("en"), async () => json({ error: "this order was answered already" }, 409));
    await mount("thank-you");
    await shown();
    choose("ad");
    await enabled();
    sendButton().click();
    await vi.waitFor(() => expect(visibleText()).toContain("Thank you for your answer!"));
  });

  it("asks with free text only when the shop has no choices, labelled with the question", async () => {
    installShopify({ surface: "thank-you", language: "en" });
    backend(body("en", settings({ choices: [], question: { ja: "ご感想をお聞かせください", en: "Any thoughts for us?" } })), async () => json({ status: "saved" }));
    await mount("thank-you");
    await shown();
    expect($("s-choice-list")).toBeNull();
    expect($("s-text-area")?.getAttribute("label")).toBe("Any thoughts for us?");
    type("Lovely wrapping");
    await vi.waitFor(() => expect(sendButton().hasAttribute("disabled")).toBe(false));
    sendButton().click();
    await vi.waitFor(() => expect(visibleText()).toContain("Thank you for your answer!"));
    expect(surveyRequests()[0]!.body).toEqual({ orderId: orderGid("thank-you"), choiceKey: null, freeText: "Lovely wrapping" });
  });

  it("offers no text field when the shop takes none, and holds back text over 500 characters", async () => {
    installShopify({ surface: "thank-you", language: "ja" });
    backend(body("ja", settings({ freeText: false })));
    await mount("thank-you");
    await shown();
    expect($("s-text-area")).toBeNull();
    unmount();

    backend(body("ja"));
    await mount("thank-you");
    await shown();
    type("あ".repeat(501));
    await vi.waitFor(() => expect($("s-text-area")?.getAttribute("error")).toBe("500文字以内でご記入ください。"));
    expect(sendButton().hasAttribute("disabled")).toBe(true);
    sendButton().click();
    expect(surveyRequests()).toEqual([]);
  });

  it("shows no survey when the server offers none", async () => {
    installShopify({ surface: "thank-you", language: "ja" });
    backend(rankView("second", "ja"));
    await mount("thank-you");
    await vi.waitFor(() => expect($("s-badge")).not.toBeNull());
    expect($$("s-section")).toHaveLength(1);
    expect($("s-choice-list")).toBeNull();
  });

  it("never shows a survey on the order status page, even if a body carried one", async () => {
    installShopify({ surface: "order-status", language: "ja" });
    backend(body("ja"));
    await mount("order-status");
    await vi.waitFor(() => expect($("s-badge")).not.toBeNull());
    expect($("s-choice-list")).toBeNull();
    expect($("s-text-area")).toBeNull();
  });

  it("drops a malformed survey and still shows the greeting", async () => {
    installShopify({ surface: "thank-you", language: "ja" });
    backend({ ...rankView("second", "ja"), survey: { question: 42 } });
    await mount("thank-you");
    await vi.waitFor(() => expect($("s-badge")).not.toBeNull());
    expect($("s-choice-list")).toBeNull();
  });
});

describe("parseSurveyOffer", () => {
  it.each<[string, unknown]>([
    ["no question", { questionKey: "q", question: " ", choices: [{ key: "a", label: "A" }], freeText: false }],
    ["nothing to answer with", { questionKey: "q", question: "Q?", choices: [], freeText: false }],
    ["no freeText flag", { questionKey: "q", question: "Q?", choices: [{ key: "a", label: "A" }] }],
  ])("refuses %s", (_, value) => expect(parseSurveyOffer(value)).toBeUndefined());

  it("keeps the well-formed choices", () => {
    expect(parseSurveyOffer({ questionKey: "q", question: "Q?", choices: [{ key: "a", label: "A" }, { key: 1 }], freeText: false })).toEqual({
      questionKey: "q",
      question: "Q?",
      choices: [{ key: "a", label: "A" }],
      freeText: false,
    });
  });
});

describe("translations", () => {
  it.each(["en", "ja"] as const)("the settings page's preview (%s) uses the extension's own words", (lang) => {
    const file = lang === "en" ? "en.default.json" : "ja.json";
    const ext = JSON.parse(readFileSync(resolve(__dirname, "../../extensions/thank-you/locales", file), "utf8")) as { survey: Record<string, string> };
    const admin = JSON.parse(readFileSync(resolve(__dirname, `../../app/locales/survey.${lang}.json`), "utf8")) as Record<string, string>;
    expect([admin["survey.preview.freeTextLabel"], admin["survey.preview.submit"]]).toEqual([ext.survey.freeTextLabel, ext.survey.submit]);
  });

  const keys = (node: Record<string, unknown>, prefix = ""): string[] =>
    Object.entries(node).flatMap(([k, v]) => (typeof v === "object" && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
  it.each(["en.default.json", "ja.json"])("thank-you/locales/%s has every survey text", (file) => {
    const messages = JSON.parse(readFileSync(resolve(__dirname, "../../extensions/thank-you/locales", file), "utf8")) as Record<string, unknown>;
    expect(keys(messages)).toEqual(expect.arrayContaining([...SURVEY_MESSAGE_KEYS]));
  });
});

// Both ways assignable: a field added, removed or retyped on either side fails `npm run typecheck`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const offerContract: Same<ServerOffer, ExtensionOffer> = true;
const bodyContract: Same<PostPurchaseBody, ExtensionView> = true;
describe("contract", () => {
  it("the extensions' SurveyOffer and view match app/domain/survey.ts", () => expect([offerContract, bodyContract]).toEqual([true, true]));
});
