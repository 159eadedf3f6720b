/** Small helpers the e2e test files share: open pages, close them, and hold them to "no problems". */
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
 */
export async function expectPagesClean(e2e: E2E, pages: AppPage[]): Promise<void> {
  for (const { problems } of pages) {
    expect(problems.errors).toEqual([]);
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
