/** Small helpers the e2e test files share: open pages, close them, and hold them to "no problems". */
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { Page } from "playwright-core";
import type { AppPage, E2E, Locale } from "./harness";

/** Opens pages through the harness and remembers them, so afterEach can close and check them. */
export function pageOpener(e2e: () => E2E) {
  let opened: AppPage[] = [];
  return {
    open: async (pathname: string, locale: Locale, search?: Record<string, string>) => {
      const page = await e2e().open(pathname, { locale, search });
      opened.push(page);
      return page;
    },
    closeAll: async () => {
      const pages = opened;
      opened = [];
      for (const { context } of pages) await context.close();
      return pages;
    },
  };
}

/**
 * Every page worked without App Bridge's real script (no uncaught error, no console error, no
 * 5xx) and made no request off the machine; the fake Admin API saw only valid requests.
 * `known.consoleErrors`: console errors a test tolerates because they are reported (say which).
 */
export async function expectPagesClean(e2e: E2E, pages: AppPage[], known: { consoleErrors?: RegExp[] } = {}): Promise<void> {
  for (const { problems } of pages) {
    const isKnown = (error: string) => (known.consoleErrors ?? []).some((re) => error.startsWith("console.error: ") && re.test(error));
    expect(problems.errors.filter((error) => !isKnown(error))).toEqual([]);
    expect(problems.blocked).toEqual([]);
  }
  const fake = await e2e.fakeState();
  expect(fake.violations).toEqual([]);
  expect(fake.refusals).toEqual([]);
  expect(fake.unhandled).toEqual([]);
}

/** The page's visible text, whitespace folded (for texts that span elements). */
export async function textOf(page: Page): Promise<string> {
  return (await page.locator("body").innerText()).replace(/\s+/g, " ");
}

/** Every admin text key (app/locales/*.json): one showing on a page means a missing translation. */
const TEXT_KEYS = [
  ...new Set(
    fs
      .readdirSync("app/locales")
      .filter((name) => name.endsWith(".json"))
      .flatMap((name) => Object.keys(JSON.parse(fs.readFileSync(path.join("app/locales", name), "utf8")) as Record<string, string>)),
  ),
];

/** No text key shows instead of its text (t() falls back to the key when a language lacks it). */
export async function expectNoRawKeys(page: Page): Promise<void> {
  expect(TEXT_KEYS.length).toBeGreaterThan(100); // the locale files were found
  const text = await page.locator("body").innerText();
  expect(TEXT_KEYS.filter((key) => text.includes(key))).toEqual([]);
}
