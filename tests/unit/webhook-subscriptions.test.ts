/**
 * Every webhook subscription in shopify.app.toml reaches a route file at its uri, and its topic
 * has a payload parser (app/services/webhook-topics.ts): a subscription without either would be
 * answered 404 or "no handler" by an app that Shopify believes is listening.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { WEBHOOK_TOPICS } from "~/services/webhook-topics";

const toml = fs.readFileSync(path.join(process.cwd(), "shopify.app.toml"), "utf8");
const subscriptions = [...toml.matchAll(/^\s*(?:compliance_)?topics = \[([^\]]*)\]\s*\n\s*uri = "([^"]+)"/gm)].map((m) => ({
  topics: [...m[1]!.matchAll(/"([^"]+)"/g)].map((t) => t[1]!),
  uri: m[2]!,
}));

it("reads the subscriptions", () => {
  expect(subscriptions.length).toBeGreaterThanOrEqual(12);
});

it.each(subscriptions.map((s) => [s.topics.join(", "), s] as const))("%s: route file at its uri and a parser", (_name, subscription) => {
  const route = path.join(process.cwd(), "app", "routes", `${subscription.uri.slice(1).replaceAll("/", ".")}.tsx`);
  expect(fs.existsSync(route), route).toBe(true);
  for (const topic of subscription.topics) expect(Object.keys(WEBHOOK_TOPICS)).toContain(topic);
});

it("every topic with a parser is subscribed", () => {
  const subscribed = new Set(subscriptions.flatMap((s) => s.topics));
  expect(Object.keys(WEBHOOK_TOPICS).filter((t) => !subscribed.has(t))).toEqual([]);
});
