/**
 * The real extension entries rendered with Preact into happy-dom, against a stand-in host and a
 * stubbed backend that answers with views built by the server's own domain code.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { couponReward, guestView, rankView, sampleReward, type Locale, type RankCase } from "./fixtures";
import { APP_URL, ENDPOINT, SURFACES, TOKEN, installShopify, json, mount, orderGid, unmount, visibleText, type Surface } from "./harness";

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
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const $ = (selector: string) => document.body.querySelector(selector);
const $$ = (selector: string) => [...document.body.querySelectorAll(selector)];
const paragraphs = () => $$("s-paragraph").map((p) => p.textContent);

/** Waits until the request has been answered and the block has settled (no skeleton). */
async function settled(calls = 1) {
  await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(calls));
  await vi.waitFor(() => expect($("s-skeleton-paragraph")).toBeNull());
}

function lastRequest() {
  const [url, init] = fetchMock.mock.calls.at(-1) as [string, RequestInit];
  return { url, init, headers: new Headers(init.headers), body: JSON.parse(String(init.body)) as unknown };
}

const RANK_EXPECTATIONS: Record<RankCase, Record<Locale, { badge: string; greeting: string; progress: string }>> = {
  first: {
    ja: { badge: "初回", greeting: "花子様、本日は多くの店舗の中から、お選びいただきありがとうございます。", progress: "あと1回のご購入で2回目" },
    en: { badge: "First purchase", greeting: "Thank you, 花子, for choosing us out of so many shops today.", progress: "1 more order to Second purchase" },
  },
  second: {
    ja: { badge: "2回目", greeting: "花子様、2度目のご購入、誠にありがとうございます。", progress: "あと1回のご購入で常連" },
    en: { badge: "Second purchase", greeting: "Welcome back, 花子! Thank you for your second order", progress: "1 more order to Regular" },
  },
  regular: {
    ja: { badge: "常連", greeting: "花子様、いつも、ご愛顧いただき誠にありがとうございます。", progress: "あと2回のご購入、または60,000円のお買い上げでVIP" },
    en: { badge: "Regular", greeting: "Thank you, 花子, for your continued support.", progress: "2 more orders or ¥60,000 more to VIP" },
  },
  vip: {
    ja: { badge: "VIP", greeting: "VIPのお客様へ、スタッフ一同、感謝の気持ちを込めてお届けいたします。", progress: "最上位ランクです" },
    en: { badge: "VIP", greeting: "As one of our VIP customers, you have our special thanks.", progress: "You're at our top rank" },
  },
};

describe.each(SURFACES)("%s block", (surface: Surface) => {
  describe.each<[RankCase, Locale, string]>([
    ["first", "ja", "ja"],
    ["first", "en", "en-US"],
    ["second", "ja", "ja-JP"],
    ["second", "en", "en"],
    ["regular", "ja", "ja"],
    ["regular", "en", "en-GB"],
    ["vip", "ja", "ja"],
    ["vip", "en", "en-US"],
  ])("rank %s in %s (shopper language %s)", (rank, locale, language) => {
    it("greets for the rank that includes this order and shows the progress", async () => {
      installShopify({ surface, language });
      fetchMock.mockResolvedValue(json(rankView(rank, locale)));
      await mount(surface);
      await settled();

      const expected = RANK_EXPECTATIONS[rank][locale];
      expect($("s-badge")?.textContent).toBe(expected.badge);
      expect(paragraphs().join("")).toContain(expected.greeting);
      expect($("s-stack > s-text[color='subdued']")?.textContent).toBe(expected.progress);
      expect($("s-section")?.getAttribute("accessibilitylabel")).toBe(
        locale === "ja" ? "ショップからのメッセージ" : "A message from the shop",
      );
      expect($("s-clipboard-item")).toBeNull(); // no reward this time

      const request = lastRequest();
      expect(request.url).toBe(ENDPOINT);
      expect(request.init.method).toBe("POST");
      expect(request.headers.get("Authorization")).toBe(`Bearer ${TOKEN}`);
      expect(request.headers.get("Content-Type")).toBe("application/json");
      expect(request.body).toEqual({ orderId: orderGid(surface), locale });
    });
  });

  describe.each<[Locale, string, string, string]>([
    ["ja", "ja", "有効期限：2026年9月30日 14:05まで", "コードをコピー"],
    ["en", "en-US", "Valid until September 30, 2026 at 2:05 PM", "Copy code"],
  ])("discount reward in %s", (locale, language, expiryLine, copyLabel) => {
    it("shows the code with a copy control and the expiry in the shopper's locale", async () => {
      installShopify({ surface, language, timeZone: "Asia/Tokyo" });
      fetchMock.mockResolvedValue(json(rankView("regular", locale, [couponReward()])));
      await mount(surface);
      await settled();

      const code = "TOKUI-5TH-7KQ4-M9XD";
      expect($("s-heading")?.textContent).toBe(locale === "ja" ? "5回目のご購入記念" : "A thank-you for your 5th order");
      expect(visibleText()).toContain(locale === "ja" ? "次回のお買い物で使える10%OFFクーポンをお贈りします。" : "Here's 10% off your next order.");
      expect($("s-text[type='strong']")?.textContent).toBe(code);

      // The copy button drives the clipboard item that holds the code.
      const clipboard = $("s-clipboard-item")!;
      const button = $("s-button")!;
      expect(clipboard.getAttribute("text")).toBe(code);
      expect(button.getAttribute("command")).toBe("--copy");
      expect(button.getAttribute("commandfor")).toBe(clipboard.id);
      expect(button.textContent).toBe(copyLabel);
      expect(button.getAttribute("accessibilitylabel")).toContain(code);

      expect(visibleText()).toContain(expiryLine);
    });

    it("confirms a successful copy on the button and stays quiet when copying fails", async () => {
      installShopify({ surface, language });
      fetchMock.mockResolvedValue(json(rankView("regular", locale, [couponReward()])));
      await mount(surface);
      await settled();

      $("s-clipboard-item")!.dispatchEvent(new Event("copyerror"));
      expect(warn).toHaveBeenCalled();
      expect($("s-button")!.textContent).toBe(copyLabel);

      $("s-clipboard-item")!.dispatchEvent(new Event("copy"));
      await vi.waitFor(() => expect($("s-button")!.textContent).toBe(locale === "ja" ? "コピーしました" : "Copied"));
    });
  });

  it("formats the expiry in the shopper's own English and time zone (en-GB, London)", async () => {
    installShopify({ surface, language: "en-GB", timeZone: "Europe/London" });
    fetchMock.mockResolvedValue(json(rankView("regular", "en", [couponReward()])));
    await mount(surface);
    await settled();
    expect(visibleText()).toContain("Valid until 30 September 2026 at 06:05");
  });

  it.each<[Locale, string]>([
    ["ja", "5,000円以上のご注文でご利用いただけます。"],
    ["en", "On orders of ¥5,000 or more."],
  ])("shows a coupon's minimum order in %s", async (locale, condition) => {
    installShopify({ surface, language: locale });
    fetchMock.mockResolvedValue(json(rankView("regular", locale, [couponReward(5_000n)])));
    await mount(surface);
    await settled();
    expect(visibleText()).toContain(condition);
  });

  it.each<[Locale, string, string]>([
    ["ja", "10回目のご購入記念", "感謝の気持ちを込めて、今回のご注文に無料サンプルを同梱してお届けします。"],
    ["en", "A thank-you for your 10th order", "As a thank-you, we'll include a free sample with this order."],
  ])("shows a free-sample notice in %s, with nothing to copy", async (locale, title, text) => {
    installShopify({ surface, language: locale });
    fetchMock.mockResolvedValue(json(rankView("vip", locale, [sampleReward])));
    await mount(surface);
    await settled();
    expect($("s-heading")?.textContent).toBe(title);
    expect(paragraphs()).toContain(text);
    expect($("s-button")).toBeNull();
    expect($("s-clipboard-item")).toBeNull();
  });

  it("shows both rewards when one order unlocks a coupon and a sample", async () => {
    installShopify({ surface, language: "ja" });
    fetchMock.mockResolvedValue(json(rankView("vip", "ja", [couponReward(), sampleReward])));
    await mount(surface);
    await settled();
    expect($$("s-heading").map((h) => h.textContent)).toEqual(["5回目のご購入記念", "10回目のご購入記念"]);
    expect($$("s-clipboard-item")).toHaveLength(1);
  });

  it.each<[Locale, string]>([
    ["ja", "本日は多くの店舗の中から、お選びいただきありがとうございます。心を込めてお届けいたします。"],
    ["en", "Thank you for choosing us out of so many shops today. We'll pack your order with care."],
  ])("greets a guest checkout as a first purchase in %s, without rank or progress", async (locale, greeting) => {
    installShopify({ surface, language: locale });
    fetchMock.mockResolvedValue(json(guestView(locale)));
    await mount(surface);
    await settled();
    expect(paragraphs()).toEqual([greeting]);
    expect($("s-badge")).toBeNull();
    expect($("s-text")).toBeNull();
  });

  it("renders a multi-line greeting as paragraphs of plain text, never as markup", async () => {
    installShopify({ surface, language: "ja" });
    const view = { ...guestView("ja"), message: "<b>ようこそ</b>\n\n<script>alert(1)</script>また来てね" };
    fetchMock.mockResolvedValue(json(view));
    await mount(surface);
    await settled();
    expect(paragraphs()).toEqual(["<b>ようこそ</b>", "<script>alert(1)</script>また来てね"]);
    expect($("b")).toBeNull();
    expect($("script")).toBeNull();
  });

  it("shows a light skeleton while loading, then the block", async () => {
    installShopify({ surface, language: "ja" });
    let answer!: (response: Response) => void;
    fetchMock.mockReturnValue(new Promise<Response>((resolve) => (answer = resolve)));
    await mount(surface);
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    expect($("s-skeleton-paragraph")).not.toBeNull();
    expect($("s-banner")).toBeNull();

    answer(json(rankView("first", "ja")));
    await vi.waitFor(() => expect($("s-badge")?.textContent).toBe("初回"));
    expect($("s-skeleton-paragraph")).toBeNull();
  });

  it("retries while the order is pending (1 s, 2 s) and shows the view once it is ready", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    installShopify({ surface, language: "en" });
    fetchMock
      .mockResolvedValueOnce(json({ status: "pending" }, 202))
      .mockResolvedValueOnce(json({ status: "pending" }, 202))
      .mockResolvedValueOnce(json(rankView("second", "en")));
    await mount(surface);

    await vi.advanceTimersByTimeAsync(0);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect($("s-skeleton-paragraph")).not.toBeNull();
    await vi.advanceTimersByTimeAsync(999);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    await vi.waitFor(() => expect($("s-badge")?.textContent).toBe("Second purchase"));
    // A fresh token for every attempt: tokens expire, the host caches them.
    expect(installShopifyTokenCalls()).toBe(3);
    expect(lastRequest().body).toEqual({ orderId: orderGid(surface), locale: "en" });
  });

  it("gives up quietly when the order is still pending after 1 s, 2 s and 4 s", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    installShopify({ surface, language: "ja" });
    fetchMock.mockImplementation(async () => json({ status: "pending" }, 202));
    await mount(surface);
    await vi.advanceTimersByTimeAsync(7000);
    expect(fetchMock).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchMock).toHaveBeenCalledTimes(4);
    await vi.waitFor(() => expect($("s-skeleton-paragraph")).toBeNull());
    expect(document.body.innerHTML).toBe("");
  });

  it.each<[string, () => Promise<Response>]>([
    ["401", async () => json({ error: "unauthorized" }, 401)],
    ["404", async () => json({ error: "not found" }, 404)],
    ["429", async () => json({ error: "slow down" }, 429)],
    ["500", async () => new Response("Internal Server Error", { status: 500 })],
    ["a network failure", async () => Promise.reject(new TypeError("Failed to fetch"))],
    ["a 200 that is not JSON", async () => new Response("<html>proxy error</html>", { status: 200 })],
    ["a 200 with the wrong shape", async () => json({ hello: "world" })],
  ])("shows nothing and does not throw on %s", async (_, respond) => {
    installShopify({ surface, language: "ja" });
    fetchMock.mockImplementation(respond);
    await expect(mount(surface)).resolves.toBeUndefined();
    await settled();
    expect(document.body.innerHTML).toBe("");
    expect(warn).toHaveBeenCalled(); // the console is the only place a failure shows
  });

  it("shows nothing when the session token cannot be had", async () => {
    const host = installShopify({ surface, language: "en" });
    host.getToken.mockRejectedValue(new Error("no token"));
    await mount(surface);
    await vi.waitFor(() => expect($("s-skeleton-paragraph")).toBeNull());
    expect(fetchMock).not.toHaveBeenCalled();
    expect(document.body.innerHTML).toBe("");
  });

  it("shows nothing and calls nobody when the build had no APP_URL", async () => {
    vi.stubEnv("APP_URL", "");
    installShopify({ surface, language: "ja" });
    await mount(surface);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining("APP_URL")));
    expect(fetchMock).not.toHaveBeenCalled();
    expect(document.body.innerHTML).toBe("");
  });

  it("waits for the host to know the order, then asks for it", async () => {
    const host = installShopify({ surface, language: "ja", orderId: null });
    fetchMock.mockResolvedValue(json(rankView("first", "ja")));
    await mount(surface);
    await new Promise((resolve) => setTimeout(resolve, 150)); // past Preact's effect flush
    expect(fetchMock).not.toHaveBeenCalled();
    expect(document.body.innerHTML).toBe("");

    host.order.value = orderGid(surface, 1001);
    await settled();
    expect(lastRequest().body).toEqual({ orderId: orderGid(surface, 1001), locale: "ja" });
    expect($("s-badge")?.textContent).toBe("初回");
  });
});

// The token spy lives on the installed global; read it from there.
function installShopifyTokenCalls(): number {
  return (globalThis as unknown as { shopify: { sessionToken: { get: { mock: { calls: unknown[] } } } } }).shopify.sessionToken.get.mock.calls.length;
}
