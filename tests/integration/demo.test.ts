/** The local demo shop can only ever answer on loopback, with TOKUI_DEMO=1 and a loopback app URL. */
import { afterEach, describe, expect, it } from "vitest";
import { loader as demoLoader } from "~/routes/demo";
import { parseEnv } from "~/env.server";
import { demoEnabled } from "~/demo.server";

const load = (url: string) => demoLoader({ request: new Request(url), params: {}, context: {} });
const saved = { TOKUI_DEMO: process.env.TOKUI_DEMO, SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL };
afterEach(() => Object.assign(process.env, saved));

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

describe("demo shop locks", () => {
  it("is off unless TOKUI_DEMO=1: /demo is a plain 404", async () => {
    delete process.env.TOKUI_DEMO;
    process.env.SHOPIFY_APP_URL = "http://127.0.0.1:3000";
    expect(await status(load("http://127.0.0.1:3000/demo"))).toBe(404);
  });

  it("answers on loopback when switched on", async () => {
    Object.assign(process.env, { TOKUI_DEMO: "1", SHOPIFY_APP_URL: "http://127.0.0.1:3000" });
    expect(await status(load("http://127.0.0.1:3000/demo"))).toBe(200);
  });

  it.each([
    ["a request to a public host", "https://tokui.example.com/demo", "http://127.0.0.1:3000"],
    ["an app whose URL is public", "http://127.0.0.1:3000/demo", "https://tokui.example.com"],
  ])("stays 404 for %s even with TOKUI_DEMO=1", async (_case, requestUrl, appUrl) => {
    Object.assign(process.env, { TOKUI_DEMO: "1", SHOPIFY_APP_URL: appUrl });
    expect(await status(load(requestUrl))).toBe(404);
  });

  it("refuses to start a production-like app (public https URL) with TOKUI_DEMO=1", () => {
    const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", TOKUI_DEMO: "1" };
    expect(() => parseEnv({ ...base, SHOPIFY_APP_URL: "https://tokui.example.com" })).toThrow(
      /TOKUI_DEMO: the local demo shop runs only with SHOPIFY_APP_URL on 127.0.0.1 or localhost/,
    );
    expect(parseEnv({ ...base, SHOPIFY_APP_URL: "http://localhost:3000" }).TOKUI_DEMO).toBe("1");
  });

  it("demoEnabled reads only the environment it is given", () => {
    const request = new Request("http://localhost:3000/demo");
    expect(demoEnabled(request, { TOKUI_DEMO: "1", SHOPIFY_APP_URL: "http://localhost:3000" })).toBe(true);
    expect(demoEnabled(request, { TOKUI_DEMO: "0", SHOPIFY_APP_URL: "http://localhost:3000" })).toBe(false);
  });
});

describe("environment errors are readable", () => {
  it("lists every missing or bad variable at once", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(
      /SHOPIFY_API_KEY: Required[\s\S]*SHOPIFY_API_SECRET: Required[\s\S]*SHOPIFY_APP_URL: Required[\s\S]*DATABASE_URL: must start with "file:"/,
    );
  });
});
