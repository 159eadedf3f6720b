/**
 * vitest setupFiles for the integration projects: before a test file's imports run, point
 * DATABASE_URL at a fresh database and give the Shopify library its test credentials, so the
 * real app modules (shopify.server, db.server) start exactly as in production.
 */
import { afterAll } from "vitest";
import { createTestDatabase, type TestDbKind } from "./test-database";
import { TEST_SHOPIFY_ENV } from "./shopify";

const kind = (process.env.TOKUI_TEST_DB ?? "sqlite") as TestDbKind;
const testDb = await createTestDatabase(kind);

Object.assign(process.env, TEST_SHOPIFY_ENV, {
  DATABASE_URL: testDb.url,
  // Tests drain the queue themselves (deterministic); no background worker.
  TOKUI_INLINE_WORKER: "0",
  TOKUI_LOG: process.env.TOKUI_LOG ?? "silent",
});

afterAll(async () => {
  const context = await globalThis.tokuiContext?.catch(() => undefined);
  await context?.queue.stop();
  await globalThis.tokuiDatabase?.prisma.$disconnect();
  await testDb.drop();
});
