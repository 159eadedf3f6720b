/**
 * End-to-end harness: the built app as `npm start` serves it (scripts/serve.mjs), on a free
 * loopback port, against a fresh SQLite database, with Shopify's Admin API faked inside the
 * server process (tests/e2e/server-preload.ts); Debian's Chromium driven by playwright-core
 * through the pages as a merchant opens them from Shopify's admin.
 *
 * - The shop's offline session is stored before the server starts (through the session storage
 *   the app uses), so authenticate.admin accepts the page's session token without an exchange.
 * - The shop's history arrives the way Shopify delivers it: signed webhooks to the running server,
 *   processed by its own queue worker (seed.ts).
 * - The browser reaches nothing but the server: every other request is aborted and listed, except
 *   App Bridge's script, which is answered with tests/e2e/app-bridge-stub.js (see there, and
 *   docs/decisions/0017-end-to-end-tests.md).
 * - Each page is opened like the admin opens the app's frame: ?embedded=1&shop&host&locale&id_token,
 *   in a browser context whose language matches (Accept-Language carries it on client-side
 *   navigations, which drop the query).
 */
import fs from "node:fs";
import path from "node:path";
import url from "node:url";
import Sqlite from "better-sqlite3";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { createDatabase } from "~/db.server";
import { freePort, startServer, type RunningServer } from "../../bench/lib/server";
import { sessionToken } from "../helpers/admin-request";
import { TEST_SHOPIFY_ENV, webhookRequest } from "../helpers/shopify";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { CHROMIUM, requireChromium } from "./chromium";
import type { ServerFakeState } from "./server-preload";

export const APP_BRIDGE_URL = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
export const SCREENSHOT_DIR = path.resolve("test-results/e2e");
const PRELOAD = url.fileURLToPath(new URL("./server-preload.ts", import.meta.url));
const STUB = fs.readFileSync(url.fileURLToPath(new URL("./app-bridge-stub.js", import.meta.url)), "utf8");

export type Locale = "ja" | "en";

/** What went wrong on a page: uncaught errors, console errors, 5xx answers, requests it made off the machine. */
export interface PageProblems {
  errors: string[];
  /** Non-loopback requests the harness refused (App Bridge's script is answered, not refused). */
  blocked: string[];
}

export interface AppPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

export interface E2E {
  shop: string;
  baseUrl: string;
  /** Opens `pathname` as Shopify's admin opens the app frame and waits until React has hydrated. */
  open(pathname: string, options: { locale: Locale; search?: Record<string, string> }): Promise<AppPage>;
  /** Full-page screenshot to test-results/e2e/<name>.png; returns the file. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Read-only SQL on the app's database (to find ids the pages link to; never to assert a page). */
  query<T>(sql: string, ...params: unknown[]): T[];
  /** `SELECT count(*) …` as a number. */
  count(sql: string, ...params: unknown[]): number;
  /** What the fake Admin API in the server saw. */
  fakeState(): Promise<ServerFakeState>;
  /** A command to the fake Admin API in the server (tests/e2e/server-preload.ts): what Shopify has and does. */
  fake<T = unknown>(command: "/orders" | "/customers" | "/bulk/run" | "/bulk/finish", body: unknown): Promise<T>;
  /** POSTs a webhook to the server, signed as Shopify signs it; returns the HTTP status. */
  webhook(topic: string, body: unknown, eventId?: string): Promise<number>;
  /** Waits until the server's worker has processed every webhook and every job that is due. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const E2E_SHOP = "tokui-e2e.myshopify.com";
const ACCESS_TOKEN = "shpat_e2e00000000000000000000000000";

export async function startE2E(options: { seed?: (e2e: E2E) => Promise<void> } = {}): Promise<E2E> {
  requireChromium();
  const stops: (() => Promise<unknown> | unknown)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await Promise.resolve(fn()).catch((error: unknown) => console.error(error));
    stops.length = 0;
  };
  try {
    const database: TestDatabase = await createTestDatabase("sqlite");
    stops.push(() => database.drop());
    await storeOfflineSession(database.url);

    const [port, controlPort] = [await freePort(), await freePort()];
    const baseUrl = `http://127.0.0.1:${port}`;
    const server: RunningServer = await startServer({
      port,
      databaseUrl: database.url,
      secret: TEST_SHOPIFY_ENV.SHOPIFY_API_SECRET,
      nodeOptions: ["--import", "tsx", "--import", PRELOAD],
      inlineWorker: true,
      startTimeoutMs: 60_000,
      env: {
        SHOPIFY_API_KEY: TEST_SHOPIFY_ENV.SHOPIFY_API_KEY,
        SHOPIFY_APP_URL: baseUrl,
        SCOPES: TEST_SHOPIFY_ENV.SCOPES,
        TZ: "UTC",
        TOKUI_E2E_SHOP: E2E_SHOP,
        TOKUI_E2E_ACCESS_TOKEN: ACCESS_TOKEN,
        TOKUI_E2E_CONTROL_PORT: String(controlPort),
        TOKUI_LOG: process.env.TOKUI_LOG ?? "silent",
      },
    });
    stops.push(() => server.stop());

    const sqlite = new Sqlite(database.url.replace(/^file:/, ""), { readonly: true });
    sqlite.pragma("busy_timeout = 5000");
    stops.push(() => sqlite.close());

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    stops.push(() => browser.close());
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

    const e2e: E2E = {
      shop: E2E_SHOP,
      baseUrl,
      open: (pathname, openOptions) => openPage(browser, baseUrl, pathname, openOptions),
      async screenshot(page, name) {
        const file = path.join(SCREENSHOT_DIR, `${name}.png`);
        // The whole page, by making the window as tall as the page first: Playwright's fullPage
        // capture resizes behind the page's back, and Polaris' IndexTable then draws its sticky
        // header over the rows and clips the last column in the picture (not on screen).
        const viewport = page.viewportSize();
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.setViewportSize({ width: viewport?.width ?? 1280, height: Math.min(height, 20_000) });
        // The resize makes charts measure and draw again: keep the picture once two frames agree.
        let previous: Buffer | null = null;
        for (let attempt = 0; attempt < 20; attempt++) {
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
          const shot = await page.screenshot({ animations: "disabled" });
          if (previous?.equals(shot)) break;
          previous = shot;
        }
        fs.writeFileSync(file, previous!);
        if (viewport) await page.setViewportSize(viewport);
        return file;
      },
      query: <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as T[],
      count: (sql: string, ...params: unknown[]) => Number(sqlite.prepare(sql).pluck().get(...params)),
      async fakeState() {
        const response = await fetch(`http://127.0.0.1:${controlPort}/state`);
        return (await response.json()) as ServerFakeState;
      },
      async fake<T>(command: string, body: unknown) {
        const response = await fetch(`http://127.0.0.1:${controlPort}${command}`, { method: "POST", body: JSON.stringify(body) });
        if (response.status !== 200) throw new Error(`the fake Admin API refused ${command}: HTTP ${response.status} ${await response.text()}`);
        return (await response.json()) as T;
      },
      async webhook(topic, body, eventId) {
        const signed = webhookRequest({ topic, body, shop: E2E_SHOP, ...(eventId ? { eventId, webhookId: eventId } : {}) });
        const response = await fetch(`${baseUrl}${new URL(signed.url).pathname}`, { method: "POST", headers: signed.headers, body: await signed.text() });
        await response.body?.cancel();
        return response.status;
      },
      async settled(timeoutMs = 60_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [events] = sqlite.prepare(`SELECT count(*) AS n FROM "WebhookEvent" WHERE status = 'pending'`).all() as { n: number }[];
          // Jobs due now (a job planned for later, e.g. a scheduler's next round, is not waited for).
          const [jobs] = sqlite
            .prepare(`SELECT count(*) AS n FROM "Job" WHERE status = 'running' OR (status = 'queued' AND "runAt" <= ?)`)
            .all(new Date().toISOString()) as { n: number }[];
          if (events!.n === 0 && jobs!.n === 0) return;
          if (Date.now() > deadline) {
            const waiting = sqlite.prepare(`SELECT queue, status, attempts, lastError FROM "Job" WHERE status IN ('queued', 'running') LIMIT 5`).all();
            throw new Error(`the server's worker did not finish within ${timeoutMs / 1000} s: ${events!.n} webhooks pending, jobs ${JSON.stringify(waiting)}`);
          }
          await Promise.race([new Promise((r) => setTimeout(r, 200)), server.exited]);
        }
      },
      stop,
    };
    await options.seed?.(e2e);
    return e2e;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The shop's offline session as the app stores it after install (scopes = the app's, so no re-exchange). */
async function storeOfflineSession(databaseUrl: string): Promise<void> {
  const db = createDatabase(databaseUrl);
  try {
    const storage = new PrismaSessionStorage(db.prisma);
    const session = new Session({ id: `offline_${E2E_SHOP}`, shop: E2E_SHOP, state: "e2e", isOnline: false });
    session.scope = TEST_SHOPIFY_ENV.SCOPES;
    session.accessToken = ACCESS_TOKEN;
    if (!(await storage.storeSession(session))) throw new Error("could not store the offline session");
  } finally {
    await db.prisma.$disconnect();
  }
}

/** The admin's `host` parameter: base64 of the shop's admin URL. */
const hostParam = (shop: string) => Buffer.from(`admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}`).toString("base64url");

async function openPage(browser: Browser, baseUrl: string, pathname: string, options: { locale: Locale; search?: Record<string, string> }): Promise<AppPage> {
  const context = await browser.newContext({
    // Headless Chromium calls itself HeadlessChrome, which shopify-app-remix turns away as a bot (410).
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`,
    locale: options.locale === "ja" ? "ja-JP" : "en-US",
    timezoneId: "Asia/Tokyo",
    viewport: { width: 1280, height: 900 },
    // Charts (polaris-viz) then draw at once instead of animating: screenshots show final bars.
    reducedMotion: "reduce",
  });
  const problems: PageProblems = { errors: [], blocked: [] };
  await context.exposeFunction("__tokuiSessionToken", () => sessionToken(E2E_SHOP));
  await context.route("**/*", async (route) => {
    const requestUrl = route.request().url();
    if (requestUrl.startsWith(`${baseUrl}/`)) return route.continue();
    if (requestUrl.split("?")[0] === APP_BRIDGE_URL) {
      return route.fulfill({ status: 200, contentType: "text/javascript; charset=utf-8", body: STUB });
    }
    problems.blocked.push(requestUrl);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.errors.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // The browser's own line for a request the harness refused is not the app's error.
    if (/ERR_BLOCKED_BY_CLIENT/.test(message.text())) return;
    // Chromium logs every 4xx answer; a 422 for a refused form is the app working (5xx are caught below).
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
    problems.errors.push(`console.error: ${message.text()}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 500) problems.errors.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });

  const target = new URL(pathname, baseUrl);
  for (const [key, value] of Object.entries(options.search ?? {})) target.searchParams.set(key, value);
  target.searchParams.set("embedded", "1");
  target.searchParams.set("shop", E2E_SHOP);
  target.searchParams.set("host", hostParam(E2E_SHOP));
  target.searchParams.set("locale", options.locale);
  target.searchParams.set("id_token", sessionToken(E2E_SHOP));
  const response = await page.goto(target.href);
  if (!response || response.status() !== 200) {
    const body = response ? (await response.text()).slice(0, 500) : "no response";
    await context.close();
    throw new Error(`GET ${pathname} answered ${response?.status()}: ${body}`);
  }
  await waitForHydration(page);
  return { page, context, problems };
}

/**
 * React has hydrated the document once Remix's <ScrollRestoration> effect has run (react-router
 * sets history.scrollRestoration to "manual" in it); before that, clicks and typing are lost.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => window.history.scrollRestoration === "manual", undefined, { timeout: 30_000 });
}
