/**
 * The follow-up pages in Chromium, built app, seeded shop: journeys (switch on the first-purchase
 * journey, edit a subject, the preview follows, save, still there after a reload), mail settings
 * (a bad port is refused at its field), campaign results (an enabled journey without mails is
 * "not yet conclusive"), the survey editor (switch on, add a choice, preview, save), the send
 * log, and the public unsubscribe page a shopper opens from a mail (a forged link, a real one).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { createDatabase } from "~/db.server";
import { keyringFromEnv } from "~/lib/secret-box.server";
import { unsubscribeLink } from "~/mail/unsubscribe.server";
import { CHROMIUM } from "./chromium";
import { startE2E, type E2E } from "./harness";
import { expectNoRawKeys, expectPagesClean, pageOpener, textOf } from "./pages";
import { CHIHIRO, EMILY, seedShop } from "./seed";

// The server inherits this process's environment (bench/lib/server.ts): with a key the mail
// settings page shows its form (without one it shows only the notice, covered by the
// integration tests) and unsubscribe links can be signed here and checked there.
process.env.TOKUI_ENCRYPTION_KEY = Buffer.alloc(32, 11).toString("base64");
delete process.env.TOKUI_ENCRYPTION_KEY_PREVIOUS;

let e2e: E2E;
const { open, closeAll } = pageOpener(() => e2e);

beforeAll(async () => {
  e2e = await startE2E({ seed: async (e) => void (await seedShop(e)) });
});
afterAll(async () => {
  await e2e?.stop();
});
afterEach(async () => {
  await expectPagesClean(e2e, await closeAll());
});

/** The toast App Bridge's stub draws inside the page. */
const toast = (page: Page, text: string) => page.getByText(text, { exact: true }).first().waitFor();

describe("Follow-up mail (journeys) and its results", () => {
  const subject = "{{customer_name}}様へ：新茶のご案内（e2e）";

  it("switches on the first-purchase journey, previews the edited subject as it is typed, saves it (ja)", async () => {
    const { page } = await open("/app/journeys", "ja");
    await page.getByText("初回購入後").first().waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "journeys-ja");

    // The first journey's card is the first-purchase one.
    const enabled = page.getByLabel("このシナリオを配信する").first();
    expect(await enabled.isChecked()).toBe(false);
    await enabled.check();
    const subjectField = page.getByLabel("件名（日本語）").first();
    await subjectField.fill(subject);
    await page.getByRole("button", { name: "日本語でプレビュー" }).first().click();
    // The sample customer is 山田 花子 (services/followup-settings/journeys.server.ts).
    await page.getByText("山田 花子様へ：新茶のご案内（e2e）", { exact: true }).waitFor();
    // The preview follows further typing without another click.
    await subjectField.fill(`${subject}第2弾`);
    await page.getByText("山田 花子様へ：新茶のご案内（e2e）第2弾", { exact: true }).waitFor();
    await e2e.screenshot(page, "journeys-preview-ja");

    await page.locator("ui-save-bar button[variant=primary]").click();
    await toast(page, "フォローメールを保存しました");
    expect(await page.locator("ui-save-bar[data-open]").count()).toBe(0);

    const { page: again } = await open("/app/journeys", "ja");
    expect(await again.getByLabel("件名（日本語）").first().inputValue()).toBe(`${subject}第2弾`);
    expect(await again.getByLabel("このシナリオを配信する").first().isChecked()).toBe(true);
    // Only the first journey was switched on.
    expect(await again.getByLabel("このシナリオを配信する").nth(1).isChecked()).toBe(false);
  });

  it("renders in English", async () => {
    const { page } = await open("/app/journeys", "en");
    await page.getByText("After the first order").first().waitFor();
    expect(await page.getByLabel("Send this journey").first().isChecked()).toBe(true);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "journeys-en");
  });

  // After the journey above was switched on: a campaign without a single mail yet.
  it("shows the switched-on journey as not yet conclusive (ja)", async () => {
    const { page } = await open("/app/campaign-results", "ja");
    await page.getByText("初回購入後").first().waitFor();
    const body = await textOf(page);
    expect(body).toContain("まだ判断できません");
    expect(body).toContain("グループの顧客数がまだ少なすぎます。");
    expect(body).not.toContain("まだ結果はありません");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "campaign-results-ja");
  });

  it("results render in English", async () => {
    const { page } = await open("/app/campaign-results", "en");
    await page.getByText("Not yet conclusive").first().waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "campaign-results-en");
  });
});

describe("Mail settings", () => {
  it("shows the form (the key is set) and refuses a bad port at its field (ja)", async () => {
    const { page } = await open("/app/mail-settings", "ja");
    await page.getByLabel("ホスト名").waitFor();
    expect(await textOf(page)).not.toContain("暗号化キーを設定してください");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "mail-settings-ja");

    await page.getByLabel("ホスト名").fill("smtp.example.jp");
    await page.getByLabel("ポート", { exact: true }).fill("70000");
    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("ポートは1〜65535で入力してください（通常は587または465）。").waitFor();
    // The error is the port field's own (Polaris links it to the input).
    const describedBy = await page.getByLabel("ポート", { exact: true }).getAttribute("aria-describedby");
    expect(describedBy).toMatch(/Error/);
    await e2e.screenshot(page, "mail-settings-error-ja");
    // Nothing was saved.
    expect(e2e.count(`SELECT count(*) FROM "MailSettings"`)).toBe(0);
  });

  it("renders in English", async () => {
    const { page } = await open("/app/mail-settings", "en");
    await page.getByLabel("Host").waitFor();
    await page.getByLabel("Port", { exact: true }).fill("0");
    await page.locator("ui-save-bar button[variant=primary]").click();
    await page.getByText("Enter a port from 1 to 65535 (usually 587 or 465).").waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "mail-settings-en");
  });
});

describe("Survey", () => {
  it("switches the survey on, adds a choice, previews it in both languages and saves it (ja)", async () => {
    const { page } = await open("/app/survey", "ja");
    await page.getByText("プレビュー（日本語）").waitFor();
    await expectNoRawKeys(page);
    expect(await textOf(page)).toContain("オフ：サンクスページにアンケートは表示されません。");

    await page.getByLabel("サンクスページにアンケートを表示する").check();
    await page.getByRole("button", { name: "選択肢を追加" }).click();
    // The new choice's fields are the last ones labelled by language.
    await page.getByLabel("日本語", { exact: true }).last().fill("e2eの店頭ポスター");
    await page.getByLabel("英語", { exact: true }).last().fill("A poster in the e2e shop");
    await page.getByRole("radio", { name: "e2eの店頭ポスター" }).waitFor();
    await page.getByRole("radio", { name: "A poster in the e2e shop" }).waitFor();
    expect(await textOf(page)).not.toContain("オフ：サンクスページにアンケートは表示されません。");
    await e2e.screenshot(page, "survey-ja");

    // Nothing stored yet: the page's own Save (the save bar opens only for changes to a stored survey).
    await page.getByRole("button", { name: "保存", exact: true }).first().click();
    await toast(page, "アンケートを保存しました");

    const { page: again } = await open("/app/survey", "ja");
    expect(await again.getByLabel("日本語", { exact: true }).last().inputValue()).toBe("e2eの店頭ポスター");
    expect(await again.getByLabel("サンクスページにアンケートを表示する").isChecked()).toBe(true);
    await again.getByRole("radio", { name: "e2eの店頭ポスター" }).waitFor();
  });

  it("renders in English", async () => {
    const { page } = await open("/app/survey", "en");
    await page.getByText("Preview — Japanese").waitFor();
    await page.getByRole("radio", { name: "A poster in the e2e shop" }).waitFor();
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "survey-en");
  });
});

describe("Send log", () => {
  // The page is a view over MailSend. Rows with each outcome are written here through the app's
  // own Prisma client: producing a refused or skipped mail for real needs an SMTP server and
  // days of waiting, which the integration suites (followup, mail-log) cover.
  beforeAll(async () => {
    const { file } = e2e.query<{ file: string }>(`PRAGMA database_list`)[0]!;
    const db = createDatabase(`file:${file}`);
    try {
      const id = (gid: string) => e2e.query<{ id: number }>(`SELECT id FROM "Customer" WHERE gid = ?`, gid)[0]!.id;
      const [chihiro, emily] = [id(CHIHIRO.gid), id(EMILY.gid)];
      const at = (iso: string) => new Date(iso);
      const base = { shop: e2e.shop, group: "treated", scheduledFor: at("2026-11-20T00:00:00Z") };
      await db.prisma.mailSend.createMany({
        data: [
          { ...base, campaignKey: "journey:first", customerId: emily, referenceKey: "e2e-1", status: "sent", sentAt: at("2026-11-20T00:00:04Z"), attempts: 1, smtpReply: "250 2.0.0 Ok" },
          { ...base, campaignKey: "journey:first", customerId: chihiro, referenceKey: "e2e-2", group: "holdout", status: "held" },
          { ...base, campaignKey: "journey:regular", customerId: chihiro, referenceKey: "e2e-3", status: "failed", attempts: 1, error: "rejected", smtpReply: "550 5.1.1 <chihiro.mori@example.jp>: Recipient address rejected" },
          { ...base, campaignKey: "replenishment", customerId: emily, referenceKey: "e2e-4", status: "skipped", error: "ordered-again" },
        ],
      });
    } finally {
      await db.prisma.$disconnect();
    }
  });

  it("lists every mail with its outcome, filters by status, and links to the customer (ja)", async () => {
    const { page } = await open("/app/mail-log", "ja");
    await page.getByRole("heading", { name: "4通" }).waitFor();
    const body = await textOf(page);
    expect(body).toContain("SMTPサーバーがこのメールを拒否しました。サーバーの応答：550 5.1.1 <chihiro.mori@example.jp>: Recipient address rejected");
    expect(body).toContain("未送信：お客様が再度購入しました。");
    expect(body).toContain("比較グループ"); // the held-out customer's row: no mail, by design
    // 00:00:04 UTC is 09:00 in Tokyo (the shop's time zone).
    expect(body).toContain("2026-11-20 09:00");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "mail-log-ja");

    await page.getByLabel("状態").selectOption("failed");
    await page.getByRole("heading", { name: "1通" }).waitFor();
    expect(new URL(page.url()).searchParams.get("status")).toBe("failed");
    expect(await page.locator("tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: "森 千尋" }).click();
    await page.waitForURL(new RegExp(`/app/customers/${CHIHIRO.id}(\\?|$)`));
    await page.getByText("タイムライン").waitFor();
  });

  it("renders in English", async () => {
    const { page } = await open("/app/mail-log", "en", { campaign: "journey:first" });
    await page.getByRole("heading", { name: "2 mails" }).waitFor();
    expect(await textOf(page)).toContain("Holdout");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "mail-log-en");
  });
});

describe("Unsubscribe page (public, opened from a mail)", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A shopper's browser: no admin, no App Bridge; every problem collected as in the admin pages. */
  async function shopperPage(locale: "ja" | "en") {
    const context = await browser.newContext({ locale: locale === "ja" ? "ja-JP" : "en-US", viewport: { width: 800, height: 600 } });
    const errors: string[] = [];
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
    page.on("console", (message) => {
      // The 400 of a refused link is the page working; anything else (a CSP refusal …) is not.
      if (message.type() === "error" && !/^Failed to load resource: the server responded with a status of 400/.test(message.text())) {
        errors.push(`console.error: ${message.text()}`);
      }
    });
    return { page, context, errors };
  }

  // A link we did not sign: the page is in the browser's language (the token names no customer we can trust).
  it.each([
    ["ja", "このリンクは無効です", "メールからもう一度開くか"],
    ["en", "This link does not work", "Open it again from the email"],
  ] as const)("shows a clear error for a forged link and changes nothing (%s)", async (locale, title, advice) => {
    const { page, context, errors } = await shopperPage(locale);
    const before = e2e.count(`SELECT count(*) FROM "Customer" WHERE "emailMarketingConsent" = 'UNSUBSCRIBED'`);
    const response = await page.goto(`${e2e.baseUrl}/unsubscribe?token=forged.${"A".repeat(40)}`);
    expect(response?.status()).toBe(400);
    await page.getByRole("heading", { name: title }).waitFor();
    expect(await textOf(page)).toContain(advice);
    expect(await page.locator("form, button").count()).toBe(0);
    await expectNoRawKeys(page);
    await e2e.screenshot(page, `unsubscribe-invalid-${locale}`);
    expect(errors).toEqual([]);
    expect(e2e.count(`SELECT count(*) FROM "Customer" WHERE "emailMarketingConsent" = 'UNSUBSCRIBED'`)).toBe(before);
    await context.close();
  });

  // A real link: the page speaks the customer's language, else the shop's (ja), not the browser's.
  it("unsubscribes with a real link only after the shopper confirms (ja)", async () => {
    const consent = () => e2e.query<{ c: string | null }>(`SELECT "emailMarketingConsent" AS c FROM "Customer" WHERE gid = ?`, EMILY.gid)[0]!.c;
    expect(consent()).not.toBe("UNSUBSCRIBED");
    const { url } = unsubscribeLink({ keyring: keyringFromEnv(), appUrl: e2e.baseUrl, shop: e2e.shop, customerGid: EMILY.gid, campaign: "journey:first", now: new Date() });
    const { page, context, errors } = await shopperPage("en");
    await page.goto(url);
    const button = page.getByRole("button", { name: "配信を停止する" });
    await button.waitFor();
    // Opening the link alone (as a mail scanner does) changes nothing.
    expect(consent()).not.toBe("UNSUBSCRIBED");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "unsubscribe-confirm-ja");
    await button.click();
    await page.getByRole("heading", { name: "配信を停止しました" }).waitFor();
    expect(consent()).toBe("UNSUBSCRIBED");
    await expectNoRawKeys(page);
    await e2e.screenshot(page, "unsubscribe-done-ja");
    expect(errors).toEqual([]);
    await context.close();
    // The consent reaches Shopify through the consent-sync job; the fake saw only valid requests (afterEach).
    await e2e.settled();
  });
});
