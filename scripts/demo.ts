/**
 * `npm run demo` (after scripts/demo.sh has installed, migrated and built): start the built app
 * on 127.0.0.1 with the local demo shop switched on, send it a shop's worth of sample orders as
 * signed webhooks — the same path Shopify's deliveries take — and print what Tokui made of them.
 *   --port <n>   port to listen on (default 3000)
 *   --exit       stop after seeding and printing (for smoke tests)
 */
import { spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createDatabase } from "../app/db.server";
import { DEMO_SHOP } from "../app/demo.server";
import { shopReport } from "../app/services/report.server";
import { demoEvents } from "./demo-data";

const { values } = parseArgs({ options: { port: { type: "string", default: "3000" }, exit: { type: "boolean", default: false } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);

const base = `http://127.0.0.1:${port}`;
const secret = randomBytes(24).toString("base64url"); // this run only: nothing outside can sign for it
const server = spawn(process.execPath, ["scripts/serve.mjs"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    HOST: "127.0.0.1", // loopback only
    PORT: String(port),
    TOKUI_DEMO: "1",
    SHOPIFY_API_KEY: "tokui-demo",
    SHOPIFY_API_SECRET: secret,
    SHOPIFY_APP_URL: base,
  },
});
const stop = () => server.kill("SIGTERM");
process.on("SIGINT", () => {
  stop();
  process.exit(0);
});
server.on("exit", (code) => {
  if (code) {
    console.error(`the app stopped with code ${code}`);
    process.exit(code);
  }
});

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app did not answer on ${base} within 20 s`);
}

async function send(topic: string, eventId: string, body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  const response = await fetch(`${base}/webhooks/${topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": DEMO_SHOP,
      "X-Shopify-API-Version": "2026-04",
      "X-Shopify-Webhook-Id": eventId,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(raw).digest("base64"),
    },
    body: raw,
  });
  return response.status;
}

await waitForServer();
const events = demoEvents({ now: new Date() });
const statuses = new Map<number, number>();
const queue = [...events];
// Orders first, then cancellations and refunds; a few deliveries at a time like Shopify.
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (let event = queue.shift(); event; event = queue.shift()) {
      const status = await send(event.topic, event.eventId, event.body);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }),
);
console.log(`sent ${events.length} signed webhooks to ${base}: ${[...statuses].map(([s, n]) => `${n} × HTTP ${s}`).join(", ")}`);

const db = createDatabase();
for (let i = 0; i < 150; i++) {
  const pending = await db.prisma.webhookEvent.count({ where: { shop: DEMO_SHOP, status: "pending" } });
  if (pending === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
const report = await shopReport(db.prisma, DEMO_SHOP);
await db.prisma.$disconnect();
console.log(`\nTokui demo shop ${DEMO_SHOP}`);
console.log(JSON.stringify(report, null, 2));
console.log(`\nOpen ${base}/demo (English) or ${base}/demo?locale=ja (日本語). Ctrl+C stops the app.`);
if (values.exit) {
  stop();
  process.exit(0);
}
