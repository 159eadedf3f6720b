/**
 * What shoppers see: blocks/rank-badge.liquid rendered with liquidjs (see render.ts for the
 * Shopify stubs) for visitors and customers of every rank, in en and ja.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeDom, parse, renderBlock, type RankMetafields, type RenderOptions } from "./render";

afterAll(closeDom);

const customers = {
  first: { rank: "first", rank_label: "初回", order_count: 1, next_rank: "second", next_rank_label: "2回目", orders_to_next: 1 },
  second: { rank: "second", rank_label: "2回目", order_count: 2, next_rank: "regular", next_rank_label: "常連", orders_to_next: 1 },
  regular: {
    rank: "regular",
    rank_label: "常連",
    order_count: 3,
    next_rank: "vip",
    next_rank_label: "VIP",
    orders_to_next: 2,
    amount_to_next: 12000,
  },
  vip: { rank: "vip", rank_label: "VIP", order_count: 8 },
} satisfies Record<string, RankMetafields>;

const customersEn = {
  first: { ...customers.first, rank_label: "First purchase", next_rank_label: "Second purchase" },
  second: { ...customers.second, rank_label: "Second purchase", next_rank_label: "Regular" },
  regular: { ...customers.regular, rank_label: "Regular" },
  vip: customers.vip,
};

async function view(options: RenderOptions) {
  const html = await renderBlock(options);
  return { html, ...parse(html) };
}
const asCustomer = (metafields: RankMetafields, options: RenderOptions = {}) => view({ ...options, customer: { metafields } });

describe("visitors who are not logged in", () => {
  it.each(["en", "ja"] as const)("see nothing by default (%s)", async (locale) => {
    const { html } = await view({ locale });
    expect(html.trim()).toBe("");
  });

  it("see an invitation to log in when the merchant turns it on", async () => {
    const ja = await view({ locale: "ja", settings: { show_logged_out: true } });
    expect(ja.visibleText).toBe("ログインして会員ランクを確認する");
    expect(ja.html).toContain('href="/account/login"');
    const en = await view({ locale: "en", settings: { show_logged_out: true } });
    expect(en.visibleText).toBe("Log in to see your membership rank");
    expect(en.badge).toBeNull();
  });

  it("see the merchant's own login text, escaped", async () => {
    const { visibleText, html } = await view({ settings: { show_logged_out: true, login_text: "  Members <b>only</b>  " } });
    expect(visibleText).toBe("Members <b>only</b>");
    expect(html).toContain("Members &lt;b&gt;only&lt;/b&gt;");
  });

  it("blank login text falls back to the translated default", async () => {
    const { visibleText } = await view({ locale: "ja", settings: { show_logged_out: true, login_text: "   " } });
    expect(visibleText).toBe("ログインして会員ランクを確認する");
  });
});

describe("logged-in customers", () => {
  it.each([
    ["first", "ja", "初回", "あと1回のご購入で2回目"],
    ["second", "ja", "2回目", "あと1回のご購入で常連"],
    ["regular", "ja", "常連", "あと2回または¥12,000のご購入でVIP"],
    ["vip", "ja", "VIP", "VIPは最上位のランクです。いつもご愛顧いただきありがとうございます。"],
  ] as const)("%s (%s): badge %s, %s", async (rank, locale, label, progress) => {
    const dom = await asCustomer(customers[rank], { locale });
    expect(dom.text(".tokui-rank-badge__heading")).toBe("会員ランク");
    expect(normalizeText(dom.badge?.textContent)).toBe(label);
    expect(dom.badge?.classList.contains(`tokui-rank-badge__badge--${rank}`)).toBe(true);
    expect(dom.badge?.getAttribute("data-rank")).toBe(rank);
    expect(dom.progress).toBe(progress);
  });

  it.each([
    ["first", "First purchase", "1 more order to Second purchase"],
    ["second", "Second purchase", "1 more order to Regular"],
    ["regular", "Regular", "2 more orders or ¥12,000 more to VIP"],
    ["vip", "VIP", "VIP is our top rank. Thank you for your continued support!"],
  ] as const)("%s (en): badge %s, %s", async (rank, label, progress) => {
    const dom = await asCustomer(customersEn[rank], { locale: "en" });
    expect(dom.text(".tokui-rank-badge__heading")).toBe("Your membership rank");
    expect(normalizeText(dom.badge?.textContent)).toBe(label);
    expect(dom.badge?.classList.contains(`tokui-rank-badge__badge--${rank}`)).toBe(true);
    expect(dom.progress).toBe(progress);
  });

  it("each rank gets its own badge class, so each can look different", async () => {
    const classes = await Promise.all(
      (["first", "second", "regular", "vip"] as const).map(async (rank) => (await asCustomer(customers[rank])).badge?.className),
    );
    expect(new Set(classes).size).toBe(4);
  });

  describe("progress", () => {
    const toVip = { rank: "regular", rank_label: "常連", next_rank: "vip", next_rank_label: "VIP" };

    it.each([
      ["orders only", { orders_to_next: 2 }, "ja", "あと2回のご購入でVIP"],
      ["orders only", { orders_to_next: 2 }, "en", "2 more orders to VIP"],
      ["one order", { orders_to_next: 1 }, "en", "1 more order to VIP"],
      ["amount only", { amount_to_next: 12000 }, "ja", "あと¥12,000のご購入でVIP"],
      ["amount only", { amount_to_next: 12000 }, "en", "¥12,000 more to VIP"],
      ["both", { orders_to_next: 2, amount_to_next: 12000 }, "ja", "あと2回または¥12,000のご購入でVIP"],
      ["both", { orders_to_next: 2, amount_to_next: 12000 }, "en", "2 more orders or ¥12,000 more to VIP"],
      ["both, one order", { orders_to_next: 1, amount_to_next: 980.5 }, "en", "1 more order or ¥981 more to VIP"],
      ["neither", {}, "ja", "次のランク: VIP"],
      ["neither", {}, "en", "Next rank: VIP"],
      ["zero orders left is no line about orders", { orders_to_next: 0, amount_to_next: 500 }, "en", "¥500 more to VIP"],
    ] as const)("%s (%s → %s)", async (_name, extra, locale, expected) => {
      const dom = await asCustomer({ ...toVip, ...extra }, { locale });
      expect(dom.progress).toBe(expected);
    });

    it("formats amount_to_next in the shop's currency: decimals become hundredths for money", async () => {
      const usd = await asCustomer({ ...toVip, amount_to_next: 25.5 }, { locale: "en", shopCurrency: "USD" });
      expect(usd.progress).toBe("$25.50 more to VIP");
      // 19.99 × 100 = 1998.9999999999998 in floating point: the block rounds before `money`.
      const cents = await asCustomer({ ...toVip, amount_to_next: 19.99 }, { locale: "en", shopCurrency: "USD" });
      expect(cents.progress).toBe("$19.99 more to VIP");
      const eur = await asCustomer({ ...toVip, amount_to_next: 1234.5 }, { locale: "en", shopCurrency: "EUR" });
      expect(eur.progress).toBe("€1.234,50 more to VIP");
    });

    it("keeps the HTML of a money format that has some (_html keys are not escaped)", async () => {
      const dom = await asCustomer(
        { ...toVip, amount_to_next: 12000 },
        { locale: "ja", moneyFormat: "<span class=money>¥{{amount_no_decimals}}</span>" },
      );
      expect(dom.html).toContain("あと<span class=money>¥12,000</span>のご購入でVIP");
      expect(dom.progress).toBe("あと¥12,000のご購入でVIP");
    });

    it("never shows a shop-currency amount in another presentment currency", async () => {
      const amountOnly = await asCustomer(
        { ...toVip, amount_to_next: 12000 },
        { locale: "en", shopCurrency: "JPY", presentmentCurrency: "USD" },
      );
      expect(amountOnly.progress).toBe("Next rank: VIP");
      const both = await asCustomer(
        { ...toVip, orders_to_next: 2, amount_to_next: 12000 },
        { locale: "ja", shopCurrency: "JPY", presentmentCurrency: "USD" },
      );
      expect(both.progress).toBe("あと2回のご購入でVIP");
    });

    it("is hidden when the merchant turns it off", async () => {
      const dom = await asCustomer(customers.regular, { locale: "ja", settings: { show_progress: false } });
      expect(dom.badge).not.toBeNull();
      expect(dom.html).not.toContain("tokui-rank-badge__progress");
      const vip = await asCustomer(customers.vip, { locale: "ja", settings: { show_progress: false } });
      expect(vip.html).not.toContain("最上位");
    });
  });

  it("shows the order count when the merchant turns it on", async () => {
    const ja = await asCustomer(customers.regular, { locale: "ja", settings: { show_order_count: true } });
    expect(ja.text(".tokui-rank-badge__count")).toBe("これまでのご購入: 3回");
    const one = await asCustomer(customersEn.first, { locale: "en", settings: { show_order_count: true } });
    expect(one.text(".tokui-rank-badge__count")).toBe("1 order so far");
    const off = await asCustomer(customers.regular, { locale: "ja" });
    expect(off.html).not.toContain("tokui-rank-badge__count");
  });

  it("labels a built-in rank in the visitor's language when rank_label is missing", async () => {
    const ja = await asCustomer({ rank: "regular", next_rank: "vip", orders_to_next: 2 }, { locale: "ja" });
    expect(normalizeText(ja.badge?.textContent)).toBe("常連");
    expect(ja.progress).toBe("あと2回のご購入でVIP");
    const en = await asCustomer({ rank: "first", next_rank: "second", orders_to_next: 1 }, { locale: "en" });
    expect(normalizeText(en.badge?.textContent)).toBe("First purchase");
    expect(en.progress).toBe("1 more order to Second purchase");
  });

  it("shows a merchant's own rank key by its label, or by the key when there is no label", async () => {
    const labelled = await asCustomer({ rank: "Gold Member", rank_label: "ゴールド", next_rank: "platinum", orders_to_next: 3 }, { locale: "ja" });
    expect(normalizeText(labelled.badge?.textContent)).toBe("ゴールド");
    expect(labelled.badge?.classList.contains("tokui-rank-badge__badge--gold-member")).toBe(true);
    expect(labelled.progress).toBe("あと3回のご購入でplatinum");
  });

  it("escapes labels (they are interpolated into _html translations)", async () => {
    const dom = await asCustomer(
      { rank: "regular", rank_label: "<img src=x onerror=alert(1)>", next_rank: "vip", next_rank_label: "V&IP", orders_to_next: 2 },
      { locale: "en" },
    );
    expect(dom.html).not.toContain("<img");
    expect(normalizeText(dom.badge?.textContent)).toBe("<img src=x onerror=alert(1)>");
    expect(dom.progress).toBe("2 more orders to V&IP");
    const top = await asCustomer({ rank: "vip", rank_label: "<b>VIP</b>" }, { locale: "en" });
    expect(top.html).not.toContain("<b>");
    expect(top.progress).toBe("<b>VIP</b> is our top rank. Thank you for your continued support!");
  });

  it("uses the merchant's heading, or the translated default when blank", async () => {
    expect((await asCustomer(customers.vip, { settings: { heading: "Tokui Club" } })).text(".tokui-rank-badge__heading")).toBe("Tokui Club");
    expect((await asCustomer(customers.vip, { locale: "ja", settings: { heading: "" } })).text(".tokui-rank-badge__heading")).toBe("会員ランク");
  });

  describe("without rank metafields yet (no order)", () => {
    it("sees nothing by default", async () => {
      expect((await asCustomer({})).html.trim()).toBe("");
      expect((await asCustomer({ order_count: 0 }, { locale: "ja" })).html.trim()).toBe("");
    });

    it("sees a welcome line when the merchant turns it on", async () => {
      const ja = await asCustomer({}, { locale: "ja", settings: { show_welcome: true } });
      expect(ja.visibleText).toBe("ご登録ありがとうございます。初回のご購入後、こちらに会員ランクが表示されます。");
      const en = await asCustomer({}, { locale: "en", settings: { show_welcome: true } });
      expect(en.visibleText).toBe("Welcome! Your membership rank appears here after your first order.");
      expect(en.badge).toBeNull();
    });

    it("never sees the login invitation", async () => {
      expect((await asCustomer({}, { settings: { show_logged_out: true } })).html.trim()).toBe("");
    });
  });
});

describe("markup and settings", () => {
  it("puts the theme editor attributes, alignment and style classes on the root", async () => {
    const dom = await asCustomer(customers.regular, { settings: { alignment: "center", badge_style: "outline" } });
    expect(dom.root?.getAttribute("data-shopify-editor-block")).toBe("{}");
    expect(dom.root?.classList.contains("tokui-rank-badge--center")).toBe(true);
    expect(dom.root?.classList.contains("tokui-rank-badge--outline")).toBe(true);
  });

  it("passes the badge colors as custom properties, leaving out a cleared color", async () => {
    const dom = await asCustomer(customers.vip, { settings: { vip_color: "#112233", first_color: "" } });
    const style = dom.root?.getAttribute("style") ?? "";
    expect(style).toContain("--tokui-rank-badge-vip: #112233;");
    expect(style).toContain("--tokui-rank-badge-text: #FFFFFF;");
    expect(style).not.toContain("--tokui-rank-badge-first");
  });

  it("is static, semantic HTML: a heading and paragraphs, no script", async () => {
    const { html } = await asCustomer(customers.regular, { locale: "ja" });
    expect(html).toMatch(/<h2 class="tokui-rank-badge__heading">/);
    expect(html).toMatch(/<p class="tokui-rank-badge__progress">/);
    expect(html).not.toMatch(/<script|<style/);
  });
});

describe("theme editor without a logged-in customer", () => {
  it("previews sample data with a note, in the editor only", async () => {
    const dom = await view({ locale: "ja", designMode: true });
    expect(dom.text(".tokui-rank-badge__preview-note")).toContain("サンプルデータによるプレビュー");
    expect(normalizeText(dom.badge?.textContent)).toBe("常連");
    expect(dom.progress).toBe("あと2回のご購入でVIP");
    expect((await view({ locale: "ja", designMode: false })).html.trim()).toBe("");
  });

  it("shows a logged-in customer's real rank, not the sample", async () => {
    const dom = await view({ locale: "en", designMode: true, customer: { metafields: customersEn.vip } });
    expect(dom.html).not.toContain("tokui-rank-badge__preview-note");
    expect(normalizeText(dom.badge?.textContent)).toBe("VIP");
  });
});

function normalizeText(text: string | null | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}
