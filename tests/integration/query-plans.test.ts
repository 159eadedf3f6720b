/**
 * Every statement the ingest path sends SQLite — webhooks through the real routes and worker,
 * refunds, the bulk import — finds its rows by key, never by walking one of the shop's indexes:
 * a plan that reads "every order of the shop" for each webhook is invisible on a test shop and
 * takes seconds on a real one. The statements are recorded as they run and explained on a second
 * connection, with their own parameters. Without statistics (Prisma never runs ANALYZE), SQLite
 * prefers a covering index on (shop, …) to an id lookup; that is what this guards against.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionFunctionArgs } from "@remix-run/node";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { importOrdersJsonl } from "~/services/import-orders.server";
import { app } from "../helpers/app";
import { orderPayload, refundPayload } from "../helpers/payloads";
import { TEST_SHOP, webhookRequest, type WebhookRequestOptions } from "../helpers/shopify";

const DB_KIND = process.env.TOKUI_TEST_DB ?? "sqlite";
type Action = (args: ActionFunctionArgs) => Promise<Response>;
const send = (route: Action, options: WebhookRequestOptions) => route({ request: webhookRequest(options), params: {}, context: {} });

// Tables that grow with the shop: a lookup in them must use more than the shop.
const BIG = ["Customer", "Order", "OrderLine", "Refund", "RankChange", "RewardGrant", "WebhookEvent", "Job", "MessageView", "MailSend"];
const shopOnly = new RegExp(`USING (COVERING )?INDEX (${BIG.join("|")})_\\w+ \\(shop=\\?\\)$`);
const fullScan = new RegExp(`^SCAN (${BIG.join("|")})( |$)`);

interface Recorded {
  sql: string;
  params: unknown[];
}

describe.runIf(DB_KIND === "sqlite")("SQLite query plans of the ingest path", () => {
  const recorded: Recorded[] = [];
  const originals: Record<string, (...args: unknown[]) => unknown> = {};
  let proto: Record<string, (...args: unknown[]) => unknown>;

  beforeAll(() => {
    const probe = new Database(":memory:");
    proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as typeof proto;
    probe.close();
    // Prisma's adapter binds first (stmt.bind(args).run()); our statements pass them to run/all.
    const bound = new WeakMap<object, unknown[]>();
    const bind = proto.bind!;
    originals.bind = bind;
    proto.bind = function (this: object, ...params: unknown[]) {
      bound.set(this, params);
      return bind.apply(this, params);
    };
    for (const method of ["run", "all", "get", "iterate"]) {
      const original = proto[method]!;
      originals[method] = original;
      proto[method] = function (this: { source: string }, ...params: unknown[]) {
        recorded.push({ sql: this.source, params: params.length > 0 ? params : (bound.get(this) ?? []) });
        return original.apply(this, params);
      };
    }
  });
  afterAll(() => Object.assign(proto, originals));

  it("finds rows by key in every statement of webhooks, refunds and the import", async () => {
    const { drain, db, queue } = await app();
    for (let i = 0; i < 3; i++) {
      const body = orderPayload({ id: 9100 + i, total: "4000", customerId: 501 });
      expect((await send(ordersCreate, { topic: "orders/create", body })).status).toBe(200);
    }
    await drain();
    const refund = refundPayload({ id: 9900, orderId: 9100, amount: "1000", createdAt: "2026-11-02T10:00:00+09:00" });
    expect((await send(refundsCreate, { topic: "refunds/create", body: refund })).status).toBe(200);
    await drain();
    await importOrdersJsonl(db, queue, path.join(process.cwd(), "tests/fixtures/bulk/orders.jsonl"), { shop: TEST_SHOP });
    // Again: the same updated_at makes the import compare the stored orders' line counts.
    await importOrdersJsonl(db, queue, path.join(process.cwd(), "tests/fixtures/bulk/orders.jsonl"), { shop: TEST_SHOP });

    const file = db.url.replace(/^file:/, "");
    const explain = new Database(file, { readonly: true });
    const offenders: string[] = [];
    const seen = new Set<string>();
    try {
      for (const { sql, params } of recorded) {
        if (!/^\s*(SELECT|UPDATE|DELETE|INSERT)/i.test(sql) || seen.has(sql)) continue;
        seen.add(sql);
        const plan = explain.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
        for (const { detail } of plan) {
          if (shopOnly.test(detail) || fullScan.test(detail)) offenders.push(`${detail}  ←  ${sql.replace(/\s+/g, " ").slice(0, 160)}`);
        }
      }
    } finally {
      explain.close();
    }
    expect(seen.size).toBeGreaterThan(10); // the recording saw the path
    expect(offenders).toEqual([]);
  });
});
