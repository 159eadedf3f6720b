/**
 * The operator command line in-process (same code as `npm run tokui -- …`), on the database the
 * setup file created: import, report, recompute, and clear errors for bad use.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import pg from "pg";
import { beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "~/cli/tokui";
import { recomputeShop } from "~/services/recompute.server";
import { ingestOrderSnapshots, prepareOrderIngest } from "~/services/ingest-order.server";
import { createBulkOrderAssembler } from "~/shopify/bulk-import";
import { app, customerByGid } from "../helpers/app";

const SHOP = "bulk-shop.myshopify.com";
const GOOD = path.join(process.cwd(), "tests/fixtures/bulk/orders.jsonl");
const BROKEN = path.join(process.cwd(), "tests/fixtures/bulk/orders-broken.jsonl");

async function tokui(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** Each stored order's line items (numeric part of the gid), by order name. */
async function storedLines(): Promise<Record<string, string[]>> {
  const { prisma } = await app();
  const orders = await prisma.order.findMany({ where: { shop: SHOP }, select: { name: true, lines: { select: { gid: true } } }, orderBy: { name: "asc" } });
  return Object.fromEntries(orders.map((o) => [o.name, o.lines.map((l) => l.gid.replace("gid://shopify/LineItem/", "")).sort()]));
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-cli-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeEach(async () => {
  const { prisma } = await app();
  await prisma.orderLine.deleteMany();
  await prisma.order.deleteMany();
  await prisma.rankChange.deleteMany();
  await prisma.customer.deleteMany();
  await prisma.rankTier.deleteMany();
  await prisma.shop.deleteMany();
  await prisma.job.deleteMany();
});

describe("tokui import", () => {
  it("imports a bulk-operation export through the ingestion path and ranks its customers", async () => {
    const { queue } = await app();
    const waitingBefore = (await queue.counts())["rank-sync:waiting"] ?? 0;
    const result = await tokui("import", "--shop", SHOP, "--file", GOOD);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/imported 5 orders \(5 new or newer, 0 unchanged\) from \d+ lines .*; 0 bad lines skipped/);
    const { prisma } = await app();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(5);
    expect(await prisma.orderLine.count({ where: { shop: SHOP } })).toBe(5);
    expect(await customerByGid("gid://shopify/Customer/7409876543210", SHOP)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n, rankKey: "first" });
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ orderCount: 2, lifetimeSpent: 9900n, rankKey: "second" });
    // Each customer is ranked once, after all of their orders: one change each, from nothing.
    const { prisma: db } = await app();
    expect(await db.rankChange.findMany({ where: { shop: SHOP }, select: { fromRank: true, toRank: true, reason: true }, orderBy: { toRank: "asc" } })).toEqual([
      { fromRank: null, toRank: "first", reason: "history import" },
      { fromRank: null, toRank: "second", reason: "history import" },
    ]);
    // Every customer whose rank changed has a sync to Shopify queued.
    expect((await queue.counts())["rank-sync:waiting"]).toBe(waitingBefore + 2);
  });

  it("is harmless to run twice: nothing is counted twice", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const again = await tokui("import", "--shop", SHOP, "--file", GOOD);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/imported 5 orders \(0 new or newer, 5 unchanged\)/);
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ orderCount: 2, lifetimeSpent: 9900n });
  });

  it("a re-run finishes what an interrupted import left: customers of orders already stored are ranked", async () => {
    // An import that stopped after its order batches committed, before the customers' refresh.
    const { prisma, queue } = await app();
    const assembler = createBulkOrderAssembler();
    const results = fs.readFileSync(GOOD, "utf8").split("\n").flatMap((line, i) => assembler.push(line, i + 1));
    const orders = [...results, ...assembler.end()].flatMap((r) => (r.order ? [r.order] : []));
    expect(orders).toHaveLength(5);
    await prepareOrderIngest(prisma, SHOP, orders);
    await prisma.$transaction((tx) => ingestOrderSnapshots(tx, queue, SHOP, orders, { source: "import", now: new Date(), deferRefresh: true }));
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ orderCount: 0, rankKey: null });

    const again = await tokui("import", "--shop", SHOP, "--file", GOOD);
    expect(again.err).toMatch(/imported 5 orders \(0 new or newer, 5 unchanged\)/);
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ orderCount: 2, lifetimeSpent: 9900n, rankKey: "second" });
    expect(await customerByGid("gid://shopify/Customer/7409876543210", SHOP)).toMatchObject({ orderCount: 1, rankKey: "first" });
  });

  it("reports each bad line with its number, skips it and keeps every good order", async () => {
    const result = await tokui("import", "--shop", SHOP, "--file", BROKEN);
    expect(result.code).toBe(1);
    const reported = [...result.err.matchAll(/^line (\d+): .* \(skipped\)$/gm)].map((m) => Number(m[1]));
    expect(reported).toEqual([3, 5, 6, 9, 10, 12, 13, 15]);
    expect(result.err).toMatch(/^line 3: invalid JSON \(skipped\)$/m);
    expect(result.err).toMatch(/8 bad lines skipped/);
    expect(await storedLines()).toEqual({
      "#2001": ["15012345680001", "15012345680003"],
      "#2003": ["15012345680007"],
      "#2004": [],
    });
  });

  it("brings back lines a first import skipped once the file is fixed; customers are counted once", async () => {
    const good = fs.readFileSync(GOOD, "utf8").split("\n");
    const broken = [...good];
    broken[1] = broken[1]!.replace('"quantity":2', '"quantity":"two"'); // #1001's first line item
    broken[4] = broken[4]!.slice(0, 40); // #1002's line item, cut off
    broken[7] = ""; // #1003's line item, scattered after #1004 as with groupObjects: false
    broken.splice(9, 0, good[7]!);
    const file = tmpFile("orders-bad-lines.jsonl", broken.join("\n"));

    const first = await tokui("import", "--shop", SHOP, "--file", file);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/imported 5 orders \(5 new or newer, 0 unchanged\) .*; 3 bad lines skipped/);
    expect(first.err).toMatch(/^line 10: orphan line item \(parent gid:\/\/shopify\/Order\/6012345670003\): its order is on line 7, not directly before it \(was the bulk operation run with groupObjects: true\?\) \(skipped\)$/m);
    expect(await storedLines()).toEqual({ "#1001": ["15012345670002"], "#1002": [], "#1003": [], "#1004": [], "#1005": ["15012345670005"] });

    const fixed = await tokui("import", "--shop", SHOP, "--file", GOOD);
    expect(fixed.code).toBe(0);
    expect(fixed.err).toMatch(/imported 5 orders \(3 new or newer, 2 unchanged\)/);
    const complete = {
      "#1001": ["15012345670001", "15012345670002"],
      "#1002": ["15012345670003"],
      "#1003": ["15012345670004"],
      "#1004": [],
      "#1005": ["15012345670005"],
    };
    expect(await storedLines()).toEqual(complete);
    expect(await customerByGid("gid://shopify/Customer/7409876543210", SHOP)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n, rankKey: "first" });
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ orderCount: 2, lifetimeSpent: 9900n, rankKey: "second" });
    expect(JSON.parse((await tokui("report", "--shop", SHOP, "--json")).out)).toMatchObject({ customers: 2, orders: 4, revenue: "17640" });

    // The broken file again: a copy with fewer lines at the same updated_at never replaces it.
    const again = await tokui("import", "--shop", SHOP, "--file", file);
    expect(again.err).toMatch(/imported 5 orders \(0 new or newer, 5 unchanged\)/);
    expect(await storedLines()).toEqual(complete);
  });

  it("reads a file that starts with a UTF-8 byte order mark", async () => {
    const file = tmpFile("orders-bom.jsonl", `\uFEFF${fs.readFileSync(GOOD, "utf8")}`);
    const result = await tokui("import", "--shop", SHOP, "--file", file);
    expect(result.err).toMatch(/imported 5 orders \(5 new or newer, 0 unchanged\) .*; 0 bad lines skipped/);
    expect(result.code).toBe(0);
    expect(Object.keys(await storedLines())).toHaveLength(5);
    expect(await customerByGid("gid://shopify/Customer/7409876543210", SHOP)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n });
  });

  it("reads a gzipped export, told by its bytes, not its name", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-cli-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "orders.jsonl");
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(GOOD)));
    const result = await tokui("import", "--shop", SHOP, "--file", file);
    expect(result.err).toMatch(/imported 5 orders \(5 new or newer, 0 unchanged\) .*; 0 bad lines skipped/);
    expect(result.code).toBe(0);
    expect(await customerByGid("gid://shopify/Customer/7409876543210", SHOP)).toMatchObject({ orderCount: 1, lifetimeSpent: 5160n });
  });

  it("says a gzipped export is damaged instead of reporting its bytes as bad lines", async () => {
    const gzipped = zlib.gzipSync(fs.readFileSync(GOOD));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-cli-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "orders.jsonl.gz");
    fs.writeFileSync(file, gzipped.subarray(0, gzipped.length - 40)); // cut short, as an interrupted download
    const result = await tokui("import", "--shop", SHOP, "--file", file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/tokui: import failed .*orders\.jsonl\.gz is gzipped but damaged or cut short \(unexpected end of file\)/);
    expect(result.err).not.toMatch(/invalid JSON/);
  });

  it("says when the path is a folder", async () => {
    const result = await tokui("import", "--shop", SHOP, "--file", os.tmpdir());
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/tokui: import failed .*is a folder, not a JSONL file/);
  });

  it("says clearly when the file does not exist", async () => {
    const result = await tokui("import", "--shop", SHOP, "--file", path.join(os.tmpdir(), "no-such-export.jsonl"));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/tokui: import failed .*ENOENT.*no-such-export\.jsonl/);
  });
});

describe("tokui report", () => {
  it("prints the figures as one JSON object", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const result = await tokui("report", "--shop", SHOP, "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      currency: "JPY",
      customers: 2,
      orders: 4, // #1003 was cancelled
      revenue: "17640", // 5160 + 2580 (guest) + 0 (free) + 9900 (after a 1980 refund)
      repeatRate: 0.5,
      paretoTop20Share: 0.5612, // top ceil(20% of 2) = 1 customer: 9900 of the revenue, 17640 (guest order included)
      orderCountDistribution: { "1": 1, "2": 1, "3": 0, "4": 0, "5-9": 0, "10+": 0 },
      rankDistribution: { first: 1, second: 1 },
    });
  });

  it("prints a readable summary without --json", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const result = await tokui("report", "--shop", SHOP);
    expect(result.out).toMatch(/repeat rate \(2\+ orders\) : 50\.0%/);
  });
});

describe("tokui recompute", () => {
  it("moves a customer down once the 12-month spend window has slid past their orders", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const { db, queue, prisma } = await app();
    // Make the VIP threshold reachable by the fixture's spend: ¥9,000 within 12 months.
    await prisma.rankTier.update({ where: { shop_key: { shop: SHOP, key: "vip" } }, data: { minWindowSpent: 9000n } });
    await recomputeShop(db, queue, SHOP, new Date("2026-01-01T00:00:00Z"));
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ rankKey: "vip", windowSpent: 9900n });
    const result = await recomputeShop(db, queue, SHOP, new Date("2026-09-01T00:00:00Z"));
    expect(result.rankChanges).toBe(1);
    expect(await customerByGid("gid://shopify/Customer/7409876543299", SHOP)).toMatchObject({ rankKey: "second", windowSpent: 0n, lifetimeSpent: 9900n });
    const last = await prisma.rankChange.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({ fromRank: "vip", toRank: "second", reason: "recompute as of 2026-09-01T00:00:00.000Z" });
  });

  it("ranks a shop with more customers than one SQL statement can bind (1,200)", async () => {
    const { db, queue, prisma } = await app();
    await prisma.shop.create({ data: { shop: SHOP } });
    await prisma.rankTier.create({ data: { shop: SHOP, key: "first", position: 1, labelJa: "初回", labelEn: "First purchase", minOrders: 1 } });
    const gids = Array.from({ length: 1200 }, (_, i) => `gid://shopify/Customer/${900000 + i}`);
    await prisma.customer.createMany({ data: gids.map((gid) => ({ shop: SHOP, gid })) });
    const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { id: true } });
    const at = new Date("2026-10-01T00:00:00Z");
    await prisma.order.createMany({
      data: customers.map((c, i) => ({
        shop: SHOP, gid: `gid://shopify/Order/${800000 + i}`, customerId: c.id, processedAt: at, currency: "JPY",
        totalPrice: 1000n, sourceCurrentTotal: 1000n, currentTotal: 1000n, sourceUpdatedAt: at,
      })),
    });
    const result = await recomputeShop(db, queue, SHOP, new Date("2026-11-01T00:00:00Z"));
    // No offline session in this database: the sweep queues nothing (the rank changes did).
    expect(result).toEqual({ customers: 1200, rankChanges: 1200, rankSyncsQueued: 0 });
    expect(await prisma.customer.count({ where: { shop: SHOP, rankKey: "first", orderCount: 1 } })).toBe(1200);
  });

  it("runs from the command line", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const result = await tokui("recompute", "--shop", SHOP);
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/recomputed 2 customers; 0 rank changes/);
  });
});

describe("tokui customer-data", () => {
  it("prints everything held about one customer, for a data request", async () => {
    await tokui("import", "--shop", SHOP, "--file", GOOD);
    const result = await tokui("customer-data", "--shop", SHOP, "--customer", "gid://shopify/Customer/7409876543299");
    expect(result.code).toBe(0);
    const data = JSON.parse(result.out);
    expect(data.customer).toMatchObject({ gid: "gid://shopify/Customer/7409876543299", orderCount: 2, lifetimeSpent: "9900", rank: "second" });
    expect(data.orders.map((o: { name: string }) => o.name)).toEqual(["#1004", "#1005"]);
    expect(data.rankChanges.map((r: { to: string }) => r.to)).toEqual(["second"]); // ranked once, after the import
  });

  it("says so when the customer is unknown", async () => {
    const result = await tokui("customer-data", "--shop", SHOP, "--customer", "gid://shopify/Customer/1");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no customer gid:\/\/shopify\/Customer\/1 in shop bulk-shop\.myshopify\.com/);
  });
});

describe("tokui prune", () => {
  it("deletes processed events and finished jobs older than --days, keeps failed and recent ones", async () => {
    const { prisma } = await app();
    await prisma.webhookEvent.deleteMany();
    const old = new Date(Date.now() - 40 * 86_400_000);
    const base = { shop: SHOP, topic: "orders/create", payload: "{}" };
    await prisma.webhookEvent.createMany({
      data: [
        { ...base, eventId: "old-processed", status: "processed", processedAt: old },
        { ...base, eventId: "old-failed", status: "failed", processedAt: old },
        { ...base, eventId: "new-processed", status: "processed", processedAt: new Date() },
      ],
    });
    const result = await tokui("prune", "--days", "30");
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/pruned 1 processed webhook events/);
    expect((await prisma.webhookEvent.findMany({ orderBy: { eventId: "asc" } })).map((e) => e.eventId)).toEqual(["new-processed", "old-failed"]);
  });

  it("refuses a nonsense --days", async () => {
    const result = await tokui("prune", "--days", "0");
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--days must be a whole number ≥ 1/);
  });
});

describe("bad use gets a clear error", () => {
  it.each([
    [["report"], /--shop is required/],
    [["report", "--shop", "not a shop"], /--shop must be a myshopify domain/],
    [["frobnicate", "--shop", SHOP], /unknown command "frobnicate"/],
    [["import", "--shop", SHOP], /import needs --file/],
    [["customer-data", "--shop", SHOP, "--customer", "42"], /customer-data needs --customer gid:\/\/shopify\/Customer\/<id>/],
    [["report", "--shop", SHOP, "--colour"], /Unknown option '--colour'/],
  ])("tokui %j", async (argv, message) => {
    const result = await tokui(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/Usage: npm run tokui/);
  });

  it.each(["report", "report --json", "rfm", "recompute"])("tokui %s of an unknown shop says so", async (command) => {
    const result = await tokui(...command.split(" "), "--shop", "nobody.myshopify.com");
    expect(result.code).toBe(1);
    expect(result.out).toBe("");
    expect(result.err).toMatch(/no shop nobody\.myshopify\.com in this database/);
  });

  it("recompute of an unknown shop says so", async () => {
    const result = await tokui("recompute", "--shop", "nobody.myshopify.com");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no shop nobody\.myshopify\.com in this database/);
  });
});

describe("a database that was never set up", () => {
  async function withDatabaseUrl(url: string, run: () => Promise<void>) {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = url;
    try {
      await run();
    } finally {
      process.env.DATABASE_URL = saved;
    }
  }
  const setUpFirst =
    /^tokui: report failed \(database .*\): the database is not set up for this version of Tokui \(The table `(main|public)\.Shop` does not exist in the current database\): run `npm run setup` with the same DATABASE_URL first\n$/;

  it("a SQLite file that does not exist: says to run npm run setup, and leaves no empty file behind", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tokui-cli-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "never-set-up.db");
    await withDatabaseUrl(`file:${file}`, async () => {
      const result = await tokui("report", "--shop", SHOP);
      expect(result.err).toMatch(/^tokui: report failed: no database file .*never-set-up\.db: run `npm run setup` with the same DATABASE_URL first\n$/);
      expect(result.code).toBe(1);
    });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("an empty SQLite file: says to run npm run setup", async () => {
    const file = tmpFile("empty.db", "");
    await withDatabaseUrl(`file:${file}`, async () => {
      const result = await tokui("report", "--shop", SHOP);
      expect(result.err).toMatch(setUpFirst);
      expect(result.code).toBe(1);
    });
  });

  it.runIf(process.env.TOKUI_TEST_DB === "postgresql")("an empty PostgreSQL database: says to run npm run setup, and creates nothing in it", async () => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `tokui_empty_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name}`;
      await withDatabaseUrl(url.toString(), async () => {
        const result = await tokui("report", "--shop", SHOP);
        expect(result.err).toMatch(setUpFirst);
        expect(result.code).toBe(1);
      });
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const schemas = await client.query("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')");
      await client.end();
      expect(schemas.rows).toEqual([]); // no pg-boss schema either
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
