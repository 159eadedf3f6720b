/**
 * `npm run tokui -- worker` as its own process (the TOKUI_INLINE_WORKER=0 set-up): it picks up
 * what the web process stored, and stops cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import { expect, it } from "vitest";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { app, customerByGid } from "../helpers/app";
import { orderPayload } from "../helpers/payloads";
import { webhookRequest } from "../helpers/shopify";

it("processes stored webhooks in a separate worker process and exits 0 on SIGTERM", async () => {
  const body = orderPayload({ id: 4242001, customerId: 4242, total: "3000" });
  const response = await ordersCreate({ request: webhookRequest({ topic: "orders/create", body }), params: {}, context: {} });
  expect(response.status).toBe(200);

  const worker = spawn(process.execPath, ["--import", "tsx", "app/cli/tokui.ts", "worker"], {
    env: { ...process.env, TOKUI_LOG: "silent" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  worker.stderr.on("data", (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => worker.on("exit", resolve));
  try {
    const { prisma } = await app();
    for (let i = 0; i < 100 && (await prisma.webhookEvent.count({ where: { status: "processed" } })) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await customerByGid("gid://shopify/Customer/4242")).toMatchObject({ orderCount: 1, rankKey: "first" });
  } finally {
    worker.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  expect(stderr).toMatch(/worker started on .*\n[\s\S]*worker stopping after the jobs in hand/);
}, 30_000);
