/**
 * `npm run bench:post-purchase` — how fast POST /api/post-purchase answers the thank-you and
 * order status pages, over loopback, against a shop with 100,000 customers.
 *
 * Needs a current build: run `npm run build` first (the benchmark stops with a message when
 * build/server/index.js is missing and warns when app/ has changed since the build).
 *
 *  setup: one fresh database (SQLite file, or a new database on a PostgreSQL server) filled the
 *     way a merchant's history gets in: --customers customers' orders (every customer at least one,
 *     a long tail of repeat buyers, 2 % guest checkouts; --orders-per-customer on average) as
 *     bulk-operation JSONL through `tokui import` (which also creates the shop, its default tiers
 *     and milestones, and every customer's stats and rank), plus the shop's offline session.
 *     Then the built server on 127.0.0.1 (as `npm start`), started with a preload
 *     (bench/lib/admin-api-mock.mjs) that mocks Shopify's Admin GraphQL API in the server
 *     process: `order(id:)` answered after a fixed --admin-delay-ms, every call counted.
 *     The import queues a rank-sync job per customer; by default (--import-jobs done) they are
 *     marked done as if a worker had synced them long ago (a shop in its steady state);
 *     --import-jobs queued leaves them waiting (the hours after an import, while the worker
 *     works through them at Shopify's rate limit). The server runs with TOKUI_INLINE_WORKER=0 (no queue worker: the rank-sync and reward jobs
 *     that ingesting enqueues are left queued, and make no Admin API calls) and with
 *     TOKUI_POST_PURCHASE_RATE / _BURST = 100000 (the per-shop rate limit out of the way).
 *  A "ingested": --rate requests/s on a fixed schedule (open loop) for --seconds, each for a
 *     random customer's stored order with a session token for that customer; half as the
 *     thank-you page sends it (OrderIdentity GID, checkout token), half as the order status
 *     page (Order GID, customer account token). No Admin API call is expected.
 *  B "not ingested": --not-ingested-rate (default: --rate) for --seconds, one request per new order that Shopify knows
 *     (the mock) but the database does not yet, as the thank-you page sends it right after
 *     checkout (2 % guest checkouts: tokens without a customer). Each must cost exactly one
 *     Admin API call and store the order exactly once; both are checked afterwards, once the
 *     server has gone quiet (an overloaded server still works off requests whose senders gave up
 *     at the 30 s timeout; at most 120 s are waited).
 *  Both phases are preceded by untimed warm-up requests (--warmup ingested ones, and up to 50
 *  not-ingested ones on orders of their own).
 *
 * Printed: latency p50/p90/p99/max (send → end of the answer), achieved rate, non-200 answers,
 * send lateness, server CPU per request, Admin API calls per request, the checks, beside the
 * target (p99 ≤ 30 ms at 200 requests/s for phase A). Figures are printed, never asserted. Traffic
 * goes to 127.0.0.1 only; every run is bounded (request timeouts, import timeout, --max-seconds
 * watchdog) and removes its database and files, also on error or Ctrl+C.
 *
 * Options: --customers M (100000) --orders-per-customer X (2.5) --rate R (200) --seconds S (20,
 *   per phase) --not-ingested-rate R (phase B's rate; --rate unless given) --admin-delay-ms D
 *   (100) --import-jobs done|queued (done) --warmup W (200) --phases ingested,not-ingested
 *   --database-url URL (a fresh SQLite file in the OS temp folder; a postgresql:// admin URL
 *   creates and drops a fresh database on that server) --port P (free port) --timeout S (600,
 *   for the import) --max-seconds S (900) --sqlite-journal-mode (wal)
 *   --server-node-options="…" (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") --server-log (the
 *   server's JSON log lines on stderr; silent by default) --seed --json
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import url from "node:url";
import http from "node:http";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { random } from "../scripts/random";
import { openReader, type BenchDatabase, type Reader } from "./lib/database";
import { startBenchRun } from "./lib/run";
import { Client, openLoop, type Delivery, type LoadResult } from "./lib/http";
import { adminOrderNode, bulkJsonl, generateOrders, type BenchOrder } from "./lib/orders";
import { BENCH_API_KEY, checkBuild, freePort, processCpuSeconds, startServer, type RunningServer } from "./lib/server";
import { sessionToken } from "./lib/session-token";
import { fmt, round, summarize, tallyStatuses, type LatencySummary } from "./lib/stats";

const SHOP = "tokui-bench.myshopify.com";
const ACCESS_TOKEN = `shpat_bench_${randomBytes(8).toString("hex")}`;
const SCOPES = "read_orders,write_orders,read_customers,write_customers,write_discounts,read_all_orders";
const TARGET_P99_MS = 30;
const TARGET_RATE = 200;
const REQUEST_TIMEOUT_MS = 30_000;
const MOCK_PRELOAD = url.fileURLToPath(new URL("./lib/admin-api-mock.mjs", import.meta.url));
const PHASES = ["ingested", "not-ingested"] as const;
type Phase = (typeof PHASES)[number];

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "100000" },
      "orders-per-customer": { type: "string", default: "2.5" },
      rate: { type: "string", default: String(TARGET_RATE) },
      "not-ingested-rate": { type: "string" },
      seconds: { type: "string", default: "20" },
      "admin-delay-ms": { type: "string", default: "100" },
      "import-jobs": { type: "string", default: "done" },
      warmup: { type: "string", default: "200" },
      phases: { type: "string", default: PHASES.join(",") },
      "database-url": { type: "string" },
      port: { type: "string" },
      timeout: { type: "string", default: "600" },
      "max-seconds": { type: "string", default: "900" },
      "sqlite-journal-mode": { type: "string", default: "wal" },
      "server-node-options": { type: "string", default: "" },
      "server-log": { type: "boolean", default: false },
      seed: { type: "string", default: "20261124" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const int = (name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}; got "${values[name]}"`);
    return n;
  };
  const perCustomer = Number(values["orders-per-customer"]);
  if (!Number.isFinite(perCustomer) || perCustomer < 1 || perCustomer > 100) {
    throw new UsageError(`--orders-per-customer must be a number from 1 to 100; got "${values["orders-per-customer"]}"`);
  }
  const phases = values.phases.split(",").map((p) => p.trim()) as Phase[];
  for (const p of phases) if (!PHASES.includes(p)) throw new UsageError(`--phases takes ${PHASES.join(",")}; got "${p}"`);
  const journal = values["sqlite-journal-mode"].toLowerCase();
  if (!["wal", "delete", "truncate", "persist", "memory"].includes(journal)) throw new UsageError(`--sqlite-journal-mode: unknown mode "${journal}"`);
  const customers = int("customers", 10, 5_000_000);
  if (!["done", "queued"].includes(values["import-jobs"])) throw new UsageError(`--import-jobs is done or queued; got "${values["import-jobs"]}"`);
  return {
    help: values.help,
    customers,
    // Guest checkouts come on top (generateOrders: 2 % of all orders).
    orders: Math.round((customers * perCustomer) / 0.98),
    perCustomer,
    rate: int("rate", 1, 10_000),
    notIngestedRate: values["not-ingested-rate"] === undefined ? int("rate", 1, 10_000) : int("not-ingested-rate", 1, 10_000),
    seconds: int("seconds", 1, 3600),
    adminDelayMs: int("admin-delay-ms", 0, 60_000),
    importJobs: values["import-jobs"] as "done" | "queued",
    warmup: int("warmup", 0, 100_000),
    phases: new Set(phases),
    databaseUrl: values["database-url"],
    port: values.port === undefined ? undefined : int("port", 1, 65535),
    timeoutMs: int("timeout", 1, 86_400) * 1000,
    maxSeconds: int("max-seconds", 10, 86_400),
    journal,
    serverNodeOptions: values["server-node-options"].split(/\s+/).filter(Boolean),
    serverLog: values["server-log"],
    seed: int("seed", 0, 2 ** 32 - 1),
    json: values.json,
  };
}
type Options = ReturnType<typeof options>;

// ---------------------------------------------------------------------------------------------

interface MockCalls {
  total: number;
  byOrder: Record<string, number>;
  unknownOrders: number;
  other: number;
  unauthorized: number;
  unhandled: number;
  byApiVersion: Record<string, number>;
}

interface PhaseResult {
  requests: number;
  rate: number;
  sendSeconds: number;
  achievedRate: number;
  /** 200 answers ÷ seconds from the first send to the last answer: below the send rate when the server falls behind. */
  answeredRate: number;
  latencyMs: LatencySummary;
  latenessMs: LatencySummary;
  maxInFlight: number;
  statuses: Record<string, number>;
  non200: number;
  firstError?: string;
  /** The first few failures: seconds after the phase's first send, status, error. */
  failures: { at: number; status: number; error: string | null }[];
  serverCpuSeconds: number | null;
  /** Server CPU ÷ requests it worked on. */
  serverCpuMsPerRequest: number | null;
  serverCpuShare: number | null;
  loadGeneratorMsPerRequest: number;
  /** Admin API requests the mock received during the phase (all operations). */
  adminCalls: number;
  adminCallsPerRequest: number;
}

interface NotIngestedChecks {
  orders: number;
  /** Requests answered 200, and of those: orders fetched from the mock exactly once, stored exactly once. */
  answered: number;
  answeredFetchedOnce: number;
  answeredStoredOnce: number;
  answeredLinesExpected: number;
  answeredLinesStored: number;
  /** All orders of the phase (answered or not), once the server was quiet. */
  fetched: number;
  fetchedMoreThanOnce: number;
  stored: number;
  /** Admin API calls during the phase and until the server was quiet (all operations). */
  adminCalls: number;
  quietAfterSeconds: number;
  quietTimedOut: boolean;
}

interface Results {
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGb: number; platform: string; node: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  database: string;
  databaseKind: string;
  customers: number;
  orders: number;
  guestOrders: number;
  lines: number;
  import: { seconds: number; ordersPerSecond: number; jsonlMb: number };
  rowsAfterImport: Record<string, number>;
  importJobs: "done" | "queued";
  importJobsMarkedDone: number;
  adminDelayMs: number;
  warmup: { ingested: number; notIngested: number };
  ingested?: PhaseResult;
  notIngested?: PhaseResult & { checks: NotIngestedChecks };
  mock?: Omit<MockCalls, "byOrder">;
  rowsAtEnd?: Record<string, number>;
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = options();
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      process.stderr.write(`bench:post-purchase: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (opts.help) {
    process.stdout.write(fs.readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]!.replace(/^\/\*\*\n?/, ""));
    return 0;
  }
  const warnings: string[] = [];
  const build = checkBuild("bench:post-purchase");
  if (build.error) {
    process.stderr.write(`bench:post-purchase: ${build.error}\n`);
    return 2;
  }
  if (build.warning) {
    warnings.push(build.warning);
    process.stderr.write(`warning: ${build.warning}\n`);
  }

  const run = startBenchRun({ name: "bench:post-purchase", tmpPrefix: "tokui-bench-pp-", databaseUrl: opts.databaseUrl, journal: opts.journal, maxSeconds: opts.maxSeconds });
  const { tmpDir, factory } = run;
  let server: RunningServer | undefined;
  let client: Client | undefined;
  let reader: Reader | undefined;
  let importChild: ReturnType<typeof spawn> | undefined;
  run.atExit(() => client?.close());
  run.atExit(() => {
    if (importChild && importChild.exitCode === null) importChild.kill("SIGKILL");
  });
  run.atExit(() => server?.stop());
  run.atExit(() => reader?.close().catch(() => undefined));

  const progress = (text: string) => process.stderr.write(`${text}\n`);
  const cpus = os.cpus();
  const now = new Date();
  const measuredRequests = opts.rate * opts.seconds;
  const measuredFresh = opts.notIngestedRate * opts.seconds;
  const warmNotIngested = opts.phases.has("not-ingested") ? Math.min(50, opts.warmup) : 0;
  progress(`generating ${fmt(opts.orders)} orders of ${fmt(opts.customers)} customers`);
  const generated = generateOrders({
    orders: opts.orders,
    extraOrders: opts.phases.has("not-ingested") ? warmNotIngested + measuredFresh : 0,
    customers: opts.customers,
    now,
    seed: opts.seed,
  });
  const history = generated.history;

  const results: Results = {
    startedAt: now.toISOString(),
    machine: {
      cores: cpus.length,
      cpu: cpus[0]?.model.trim() ?? "unknown",
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
    },
    database: factory.describe,
    databaseKind: factory.kind,
    customers: history.customers.length,
    orders: history.orders.length,
    guestOrders: history.orders.filter((o) => !o.customer).length,
    lines: history.orders.reduce((s, o) => s + o.lines.length, 0),
    import: { seconds: 0, ordersPerSecond: 0, jsonlMb: 0 },
    rowsAfterImport: {},
    importJobs: opts.importJobs,
    importJobsMarkedDone: 0,
    adminDelayMs: opts.adminDelayMs,
    warmup: { ingested: 0, notIngested: 0 },
    targets: {},
    warnings,
  };

  try {
    const secret = randomBytes(24).toString("base64url");
    const db = await factory.create("post_purchase");

    // ---- setup: the history through `tokui import`, the offline session ----
    const jsonl = path.join(tmpDir, "orders.jsonl");
    writeJsonl(jsonl, history.orders);
    results.import.jsonlMb = round(fs.statSync(jsonl).size / 2 ** 20, 1);
    progress(`importing ${fmt(history.orders.length)} orders (${fmt(results.import.jsonlMb, 1)} MB JSONL) into ${db.label} via tokui import`);
    const imported = await runImport(db, jsonl, secret, opts.timeoutMs, (child) => (importChild = child));
    importChild = undefined;
    fs.rmSync(jsonl, { force: true });
    results.import.seconds = round(imported, 1);
    results.import.ordersPerSecond = round(history.orders.length / imported, 0);
    progress(`  imported in ${fmt(imported, 1)} s`);

    reader = await openReader(db);
    if (opts.importJobs === "done") {
      // As if a worker had long since synced every imported customer's rank to Shopify.
      results.importJobsMarkedDone = await markJobsDone(reader, db.kind);
      progress(`  ${fmt(results.importJobsMarkedDone)} jobs the import queued marked done (--import-jobs done)`);
    }
    await reader.query(
      `INSERT INTO "Session" (id, shop, state, scope, "accessToken") VALUES ($1, $2, '', $3, $4) RETURNING id`,
      [`offline_${SHOP}`, SHOP, SCOPES, ACCESS_TOKEN],
    );
    results.rowsAfterImport = await rowCounts(reader);
    if (results.rowsAfterImport.Order !== history.orders.length) {
      warnings.push(`import: ${results.rowsAfterImport.Order} orders stored, expected ${history.orders.length}`);
    }
    if (results.rowsAfterImport.Customer !== history.customers.length) {
      warnings.push(`import: ${results.rowsAfterImport.Customer} customers stored, expected ${history.customers.length}`);
    }

    // ---- the server, with the Admin API mocked in its process ----
    // Placed a minute ago: the thank-you page is shown right after checkout (and a guest's token
    // may read only a just-placed order).
    const placedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const fresh = generated.extra.orders.map((o) => ({ ...o, processedAt: placedAt }));
    const mockOrders = path.join(tmpDir, "admin-orders.json");
    fs.writeFileSync(mockOrders, JSON.stringify(Object.fromEntries(fresh.map((o) => [o.gid, adminOrderNode(o)]))));
    const port = opts.port ?? (await freePort());
    const mockPort = await freePort();
    progress(`starting the server on 127.0.0.1:${port} (worker off; Admin API mocked in-process, ${opts.adminDelayMs} ms per call)`);
    server = await startServer({
      port,
      databaseUrl: db.url,
      secret,
      nodeOptions: ["--import", url.pathToFileURL(MOCK_PRELOAD).href, ...opts.serverNodeOptions],
      inlineWorker: false,
      startTimeoutMs: 60_000,
      env: {
        TOKUI_POST_PURCHASE_RATE: "100000",
        TOKUI_POST_PURCHASE_BURST: "100000",
        TOKUI_BENCH_ADMIN_ORDERS: mockOrders,
        TOKUI_BENCH_ADMIN_DELAY_MS: String(opts.adminDelayMs),
        TOKUI_BENCH_ADMIN_TOKEN: ACCESS_TOKEN,
        TOKUI_BENCH_ADMIN_MOCK_PORT: String(mockPort),
        ...(opts.serverLog ? { TOKUI_LOG: "info" } : {}),
      },
    });
    const alive = server;
    const guard = <T>(work: Promise<T>) => Promise.race([work, alive.exited]);
    const mockCalls = () => guard(getJson<MockCalls>(mockPort, "/calls"));
    // Open loop: a connection per request in flight, so nothing queues in the client.
    client = new Client(port, 10_000, REQUEST_TIMEOUT_MS);

    const rand = random(opts.seed + 7);
    const ordersOf = new Map<number, BenchOrder[]>();
    for (const o of history.orders) {
      if (!o.customer) continue;
      const list = ordersOf.get(o.customer.id);
      if (list) list.push(o);
      else ordersOf.set(o.customer.id, [o]);
    }
    const customers = history.customers.filter((c) => ordersOf.has(c.id));
    // Random customers' stored orders; every other one as the order status page asks.
    const ingestedRequests = (n: number): Delivery[] =>
      Array.from({ length: n }, (_, i) => {
        const customer = customers[Math.floor(rand() * customers.length)]!;
        const list = ordersOf.get(customer.id)!;
        return request(list[Math.floor(rand() * list.length)]!, i % 2 === 0 ? "thank-you" : "order-status", secret);
      });

    const warmupIngested = ingestedRequests(opts.warmup);
    const warmupFresh = fresh.slice(0, warmNotIngested).map((o) => request(o, "thank-you", secret));
    if (warmupIngested.length + warmupFresh.length > 0) {
      progress(`warm-up: ${warmupIngested.length} ingested + ${warmupFresh.length} not-ingested requests (untimed)`);
      const warm = await guard(openLoop(client, [...warmupIngested, ...warmupFresh], Math.min(opts.rate, 100)));
      const tally = tallyStatuses(warm.outcomes);
      // 202 = "ask again": the server sheds late-order fetches beyond its limit (app/services/post-purchase.server.ts).
      const failed = tally.notOk - (tally.byStatus["202"] ?? 0);
      if (failed > 0) throw new Error(`warm-up: ${failed} of ${warm.outcomes.length} requests neither 200 nor 202 (first: ${tally.firstError})`);
      results.warmup = { ingested: warmupIngested.length, notIngested: warmupFresh.length };
    }

    if (opts.phases.has("ingested")) {
      const deliveries = ingestedRequests(measuredRequests);
      progress(`phase A: ${deliveries.length} requests for ingested orders at ${opts.rate} requests/s`);
      const before = await mockCalls();
      const meter = cpuMeter(alive.process.pid);
      const load = await guard(openLoop(client, deliveries, opts.rate));
      const cpu = meter();
      const after = await mockCalls();
      results.ingested = phaseResult(load, opts.rate, cpu, after.total - before.total);
    }

    if (opts.phases.has("not-ingested")) {
      const orders = fresh.slice(warmNotIngested);
      const deliveries = orders.map((o) => request(o, "thank-you", secret));
      const rate = opts.notIngestedRate;
      progress(`phase B: ${deliveries.length} requests for orders not yet ingested at ${rate} requests/s (Admin API ${opts.adminDelayMs} ms)`);
      const before = await mockCalls();
      const meter = cpuMeter(alive.process.pid);
      const load = await guard(openLoop(client, deliveries, rate));
      const firstGid = orders[0]!.gid;
      const storedCount = async () =>
        Number((await reader!.query<{ n: number | bigint | string }>(`SELECT count(*) AS n FROM "Order" WHERE shop = $1 AND gid >= $2`, [SHOP, firstGid]))[0]?.n ?? 0);
      progress("  waiting until the server is quiet, then checking: one Admin API call and one stored order per request");
      const quiet = await guard(waitUntilQuiet(async () => [(await mockCalls()).total, await storedCount()], 120_000));
      // CPU until the server went quiet (less the 2 s it was seen idle), per order it took in:
      // an overloaded server goes on with requests whose senders gave up.
      const cpu = meter();
      if (!quiet.timedOut) cpu.wallSeconds -= 2;
      const stored = await storedCount();
      const after = await mockCalls();
      const phase = phaseResult(load, rate, cpu, after.total - before.total, stored);
      results.notIngested = {
        ...phase,
        checks: await checkNotIngested(reader, orders, load, after.byOrder, stored, after.total - before.total, quiet),
      };
    }

    const calls = await mockCalls();
    const { byOrder: _byOrder, ...mock } = calls;
    results.mock = mock;
    if (calls.unauthorized > 0) warnings.push(`the mock refused ${calls.unauthorized} Admin API calls with a wrong access token`);
    if (calls.unknownOrders > 0) warnings.push(`the app asked the mock for ${calls.unknownOrders} orders it does not know`);
    if (calls.other > 0) warnings.push(`the app made ${calls.other} Admin API calls other than order(id:)`);
    if (calls.unhandled > 0) warnings.push(`the server made ${calls.unhandled} outgoing HTTP requests the mock did not handle`);
    results.rowsAtEnd = await rowCounts(reader);
    progress("stopping the server");
    client.close();
    client = undefined;
    await server.stop();
    server = undefined;
    results.machine.loadAverageAtEnd = os.loadavg().map((l) => round(l, 2));
    results.targets = targets(results);
    checkResults(results);
  } finally {
    run.finish();
    await run.cleanup();
  }

  process.stdout.write(`${table(results)}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------

/** The bulk-operation JSONL, written in pieces (a few hundred MB for 100,000 customers). */
function writeJsonl(file: string, orders: BenchOrder[]) {
  const fd = fs.openSync(file, "w");
  try {
    for (let i = 0; i < orders.length; i += 2000) fs.writeSync(fd, orders.slice(i, i + 2000).map(bulkJsonl).join(""));
  } finally {
    fs.closeSync(fd);
  }
}

/** `tokui import` as its own process (as a merchant runs it); seconds from start to exit. */
async function runImport(
  db: BenchDatabase,
  file: string,
  secret: string,
  timeoutMs: number,
  onSpawn: (child: ReturnType<typeof spawn>) => void,
): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "app/cli/tokui.ts", "import", "--shop", SHOP, "--file", file], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: db.url,
      SHOPIFY_API_KEY: BENCH_API_KEY,
      SHOPIFY_API_SECRET: secret,
      SHOPIFY_APP_URL: "http://127.0.0.1",
      TOKUI_LOG: "silent",
      TOKUI_DEMO: "0",
    },
  });
  onSpawn(child);
  let err = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    err = (err + chunk.toString("utf8")).slice(-4000);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) {
    const last = err.trim().split("\n").slice(-3).join(" / ");
    throw new Error(code === null ? `tokui import did not finish within --timeout ${timeoutMs / 1000} s` : `tokui import exited with ${code}: ${last}`);
  }
  return (performance.now() - started) / 1000;
}

type Page = "thank-you" | "order-status";

/**
 * One request as the extension sends it: the thank-you page names an OrderIdentity and carries
 * a checkout token; the order status page names the Order and carries a customer account token.
 * The token is for the order's customer (none for a guest checkout).
 */
function request(order: BenchOrder, page: Page, secret: string): Delivery {
  const orderId = `gid://shopify/${page === "thank-you" ? "OrderIdentity" : "Order"}/${order.id}`;
  const body = Buffer.from(JSON.stringify({ orderId, locale: "ja" }));
  const token = sessionToken({ shop: SHOP, apiKey: BENCH_API_KEY, secret, customer: order.customer?.gid ?? null, expiresIn: 3600 });
  return {
    path: "/api/post-purchase",
    body,
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Content-Length": body.length,
      Origin: "https://extensions.shopifycdn.com",
    },
  };
}

function getJson<T>(port: number, pathname: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathname, agent: false, timeout: 10_000 }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => {
        if (response.statusCode !== 200) return reject(new Error(`GET ${pathname} on the mock: HTTP ${response.statusCode}`));
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${pathname} on the mock: no answer`)));
    req.on("error", reject);
  });
}

interface Cpu {
  serverSeconds: number | null;
  wallSeconds: number;
  loadGeneratorSeconds: number;
}

function cpuMeter(serverPid: number | undefined): () => Cpu {
  const server = processCpuSeconds(serverPid);
  const self = process.cpuUsage();
  const started = performance.now();
  return () => {
    const serverNow = processCpuSeconds(serverPid);
    const used = process.cpuUsage(self);
    return {
      serverSeconds: server !== null && serverNow !== null ? serverNow - server : null,
      wallSeconds: (performance.now() - started) / 1000,
      loadGeneratorSeconds: (used.user + used.system) / 1e6,
    };
  };
}

const roundSummary = (s: LatencySummary): LatencySummary => ({ p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), max: round(s.max) });

/** `processed`: requests the server worked on (phase B: orders stored, answered or not); default all. */
function phaseResult(load: LoadResult, rate: number, cpu: Cpu, adminCalls: number, processed = load.outcomes.length): PhaseResult {
  const tally = tallyStatuses(load.outcomes);
  const n = load.outcomes.length;
  return {
    requests: n,
    rate,
    sendSeconds: round(load.seconds, 3),
    // Requests sent ÷ time from the first send to the last (open loop: the schedule's rate if on time).
    achievedRate: round(n > 1 ? (n - 1) / ((load.outcomes.at(-1)!.sentAt - load.outcomes[0]!.sentAt) / 1000) : n / load.seconds, 1),
    answeredRate: round(tally.ok / ((Math.max(...load.outcomes.map((o) => o.sentAt + o.ms)) - (load.outcomes[0]?.sentAt ?? 0)) / 1000), 1),
    latencyMs: roundSummary(summarize(load.outcomes.map((o) => o.ms))),
    latenessMs: roundSummary(summarize(load.lateness ?? [])),
    maxInFlight: load.maxInFlight ?? 0,
    statuses: tally.byStatus,
    non200: tally.notOk,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
    failures: load.outcomes
      .filter((o) => o.status !== 200)
      .slice(0, 5)
      .map((o) => ({ at: round((o.sentAt - load.outcomes[0]!.sentAt) / 1000, 3), status: o.status, error: o.error ?? null })),
    serverCpuSeconds: cpu.serverSeconds === null ? null : round(cpu.serverSeconds, 2),
    serverCpuMsPerRequest: cpu.serverSeconds === null ? null : round((cpu.serverSeconds * 1000) / Math.max(1, processed), 2),
    serverCpuShare: cpu.serverSeconds === null ? null : round(cpu.serverSeconds / cpu.wallSeconds, 3),
    loadGeneratorMsPerRequest: round((cpu.loadGeneratorSeconds * 1000) / n, 2),
    adminCalls,
    adminCallsPerRequest: round(adminCalls / n, 4),
  };
}

/**
 * Poll `sample` (Admin API calls so far, orders stored so far) every 250 ms until it has not
 * changed for 2 s: the server has worked off every request it took.
 */
async function waitUntilQuiet(sample: () => Promise<number[]>, timeoutMs: number): Promise<{ seconds: number; timedOut: boolean }> {
  const started = performance.now();
  let last = (await sample()).join();
  let since = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = (await sample()).join();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= 2000) {
      return { seconds: (since - started) / 1000, timedOut: false };
    }
    if (performance.now() - started > timeoutMs) return { seconds: timeoutMs / 1000, timedOut: true };
  }
}

/**
 * Every request answered 200: its order fetched from Shopify exactly once and stored exactly
 * once with all its lines. Every order of the phase, answered or not: fetched at most once, and
 * stored if and only if fetched.
 */
async function checkNotIngested(
  reader: Reader,
  orders: BenchOrder[],
  load: LoadResult,
  byOrder: Record<string, number>,
  stored: number,
  adminCalls: number,
  quiet: { seconds: number; timedOut: boolean },
): Promise<NotIngestedChecks> {
  const answered = orders.filter((_, i) => load.outcomes[i]!.status === 200);
  const checks: NotIngestedChecks = {
    orders: orders.length,
    answered: answered.length,
    answeredFetchedOnce: answered.filter((o) => byOrder[o.gid] === 1).length,
    answeredStoredOnce: 0,
    answeredLinesExpected: answered.reduce((s, o) => s + o.lines.length, 0),
    answeredLinesStored: 0,
    fetched: orders.filter((o) => (byOrder[o.gid] ?? 0) > 0).length,
    fetchedMoreThanOnce: orders.filter((o) => (byOrder[o.gid] ?? 0) > 1).length,
    stored,
    adminCalls,
    quietAfterSeconds: round(quiet.seconds, 1),
    quietTimedOut: quiet.timedOut,
  };
  for (let i = 0; i < answered.length; i += 500) {
    const gids = answered.slice(i, i + 500).map((o) => o.gid);
    const marks = gids.map((_, k) => `$${k + 2}`).join(", ");
    const rows = await reader.query<{ gid: string; n: number | bigint | string }>(
      `SELECT gid, count(*) AS n FROM "Order" WHERE shop = $1 AND gid IN (${marks}) GROUP BY gid`,
      [SHOP, ...gids],
    );
    checks.answeredStoredOnce += rows.filter((r) => Number(r.n) === 1).length;
    const [lines] = await reader.query<{ n: number | bigint | string }>(
      `SELECT count(*) AS n FROM "OrderLine" l JOIN "Order" o ON o.id = l."orderId" WHERE o.shop = $1 AND o.gid IN (${marks})`,
      [SHOP, ...gids],
    );
    checks.answeredLinesStored += Number(lines?.n ?? 0);
  }
  return checks;
}

/**
 * Mark every queued job done, as the app's queue does once a job ran: the SQLite queue's Job
 * rows (status "done", kept), pg-boss's jobs (state "completed").
 */
async function markJobsDone(reader: Reader, kind: BenchDatabase["kind"]): Promise<number> {
  const rows =
    kind === "sqlite"
      ? await reader.query(`UPDATE "Job" SET status = 'done', attempts = attempts + 1 WHERE status = 'queued' RETURNING id`)
      : await reader.query(`UPDATE pgboss.job SET state = 'completed', started_on = now(), completed_on = now() WHERE state = 'created' RETURNING id`);
  return rows.length;
}

const ROW_TABLES = ["Shop", "RankTier", "Customer", "Order", "OrderLine", "RankChange", "RewardGrant", "Session", "Job", "pgboss.job"];

async function rowCounts(reader: Reader): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ROW_TABLES) {
    const name = table.split(".").map((part) => `"${part}"`).join(".");
    try {
      const [row] = await reader.query<{ n: number | bigint | string }>(`SELECT count(*) AS n FROM ${name}`);
      counts[table] = Number(row?.n ?? 0);
    } catch {
      // not in this schema
    }
  }
  return counts;
}

function targets(r: Results): Results["targets"] {
  const a = r.ingested;
  return {
    ingestedP99: {
      target: `p99 ≤ ${TARGET_P99_MS} ms at ${TARGET_RATE} req/s`,
      value: a && a.rate >= TARGET_RATE ? a.latencyMs.p99 : null,
      met: a && a.rate >= TARGET_RATE ? a.latencyMs.p99 <= TARGET_P99_MS && a.non200 === 0 : null,
    },
    notIngestedAdminCalls: {
      target: "exactly 1 per answered request",
      value: r.notIngested ? r.notIngested.checks.adminCalls / Math.max(1, r.notIngested.checks.fetched) : null,
      met: r.notIngested ? exactlyOneCall(r.notIngested.checks) : null,
    },
  };
}

/** Each answered order fetched once, no order fetched twice, and no call beyond one per fetched order. */
const exactlyOneCall = (c: NotIngestedChecks) => c.answeredFetchedOnce === c.answered && c.fetchedMoreThanOnce === 0 && c.adminCalls === c.fetched;

function checkResults(r: Results) {
  if (r.ingested && r.ingested.adminCalls > 0) r.warnings.push(`phase A: ${r.ingested.adminCalls} Admin API calls for orders already stored (expected none)`);
  const b = r.notIngested;
  if (b) {
    const c = b.checks;
    if (c.answered < c.orders) r.warnings.push(`phase B: ${c.orders - c.answered} of ${c.orders} requests not answered 200: the server did not keep up with ${b.rate} requests/s`);
    if (!exactlyOneCall(c)) {
      r.warnings.push(
        `phase B: ${c.answered - c.answeredFetchedOnce} answered orders not fetched exactly once, ${c.fetchedMoreThanOnce} orders fetched more than once, ` +
          `${c.adminCalls} calls for ${c.fetched} fetched orders`,
      );
    }
    if (c.answeredStoredOnce !== c.answered) r.warnings.push(`phase B: ${c.answered - c.answeredStoredOnce} answered orders not stored`);
    if (c.answeredLinesStored !== c.answeredLinesExpected) r.warnings.push(`phase B: ${c.answeredLinesStored} order lines stored for the answered orders, expected ${c.answeredLinesExpected}`);
    if (!c.quietTimedOut && c.stored !== c.fetched) r.warnings.push(`phase B: ${c.stored} orders stored but ${c.fetched} fetched`);
    if (c.quietTimedOut) r.warnings.push("phase B: the server was still working 120 s after the last send; the checks are of that moment");
  }
}

// ---------------------------------------------------------------------------------------------

function table(r: Results): string {
  const lines: string[] = [];
  const verdict = (met: boolean | null | undefined) => (met === true ? "met" : met === false ? "NOT MET" : "");
  const row = (label: string, value: string, target = "", met?: boolean | null) =>
    lines.push(`  ${label.padEnd(48)} ${value.padEnd(44)} ${target.padEnd(30)} ${verdict(met)}`.trimEnd());
  const ms = (s: LatencySummary) => `${fmt(s.p50, 1)} / ${fmt(s.p90, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)} ms`;
  const statuses = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${fmt(v)} × ${k === "error" ? "error" : `HTTP ${k}`}`).join(", ");
  const phase = (p: PhaseResult, latencyTarget?: { target: string; met: boolean | null }) => {
    row("achieved send rate", `${fmt(p.achievedRate, 1)} req/s (${fmt(p.requests)} in ${fmt(p.sendSeconds, 1)} s)`);
    row("200 answers per second, first send → last answer", `${fmt(p.answeredRate, 1)} req/s`);
    row("latency p50 / p90 / p99 / max", ms(p.latencyMs), latencyTarget?.target, latencyTarget?.met);
    if (p.statuses.error) lines.push(`    (requests left without an answer count at the ${REQUEST_TIMEOUT_MS / 1000} s timeout: the figures are lower bounds)`);
    row("non-200 answers", `${fmt(p.non200)}${p.non200 ? ` (${statuses(p.statuses)}; first: ${p.firstError})` : ""}`);
    if (p.non200 > 0 && p.non200 <= 5) {
      row("  sent at (s after the first send)", p.failures.map((f) => `${fmt(f.at, 3)} ${f.status === 0 ? (f.error ?? "error") : `HTTP ${f.status}`}`).join("; "));
    }
    row("send lateness p50 / p90 / p99 / max", ms(p.latenessMs));
    row("most requests in flight", fmt(p.maxInFlight));
    if (p.serverCpuMsPerRequest !== null) {
      row("app server CPU per request it worked on", `${fmt(p.serverCpuMsPerRequest, 2)} ms (${fmt((p.serverCpuShare ?? 0) * 100, 0)} % of a core)`);
    }
    row("load generator CPU per request", `${fmt(p.loadGeneratorMsPerRequest, 2)} ms`);
  };

  const m = r.machine;
  lines.push(`Tokui post-purchase benchmark (${r.startedAt})`);
  lines.push(`  machine     ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, ${m.platform}, Node ${m.node}`);
  lines.push(`              load average ${m.loadAverageAtStart.join(" ")} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(" ")} at the end` : ""} (1/5/15 min)`);
  lines.push(`  database    ${r.database}`);
  lines.push(
    `  data        ${fmt(r.customers)} customers, ${fmt(r.orders)} orders (${fmt(r.orders / Math.max(1, r.customers), 2)} per customer incl. ` +
      `${fmt(r.guestOrders)} guest orders, ${fmt(r.lines / Math.max(1, r.orders), 2)} lines/order) via tokui import: ` +
      `${fmt(r.import.seconds, 1)} s (${fmt(r.import.ordersPerSecond)} orders/s, ${fmt(r.import.jsonlMb, 1)} MB JSONL)`,
  );
  lines.push(
    `  jobs        the import's ${r.importJobs === "done" ? `${fmt(r.importJobsMarkedDone)} queued jobs marked done (as if synced long ago)` : "jobs left queued (as right after an import)"}`,
  );
  lines.push(`  server      built app (npm start) on 127.0.0.1, TOKUI_INLINE_WORKER=0 (no jobs run), rate limit 100,000/s per shop`);
  lines.push(`  Admin API   mocked in the server process (MSW), order(id:) answered after ${fmt(r.adminDelayMs)} ms`);
  lines.push(`  warm-up     ${fmt(r.warmup.ingested)} ingested + ${fmt(r.warmup.notIngested)} not-ingested requests before timing`);
  lines.push("");
  lines.push(`  ${"figure".padEnd(48)} ${"value".padEnd(44)} ${"target".padEnd(30)}`);
  if (r.ingested) {
    const a = r.ingested;
    lines.push(`A: order already ingested (${fmt(a.requests)} requests at ${fmt(a.rate)} req/s, open loop; half thank-you, half order status)`);
    phase(a, { target: r.targets.ingestedP99!.target, met: r.targets.ingestedP99!.met });
    row("Admin API calls", `${fmt(a.adminCalls)} (${fmt(a.adminCallsPerRequest, 2)} per request)`, "0");
  }
  if (r.notIngested) {
    const b = r.notIngested;
    const c = b.checks;
    lines.push(`B: order not yet ingested (${fmt(b.requests)} new orders at ${fmt(b.rate)} req/s, open loop; thank-you page; Admin API ${fmt(r.adminDelayMs)} ms)`);
    phase(b);
    row(
      "Admin API calls per not-ingested request",
      `${fmt(c.adminCalls / Math.max(1, c.fetched), 3)} (${fmt(c.adminCalls)} calls for ${fmt(c.fetched)} orders; ${fmt(c.fetchedMoreThanOnce)} twice+)`,
      r.targets.notIngestedAdminCalls!.target,
      r.targets.notIngestedAdminCalls!.met,
    );
    row("  answered orders fetched exactly once", `${fmt(c.answeredFetchedOnce)} of ${fmt(c.answered)}`);
    row("answered orders stored exactly once", `${fmt(c.answeredStoredOnce)} of ${fmt(c.answered)} (lines ${fmt(c.answeredLinesStored)} of ${fmt(c.answeredLinesExpected)})`, "all", c.answeredStoredOnce === c.answered && c.answeredLinesStored === c.answeredLinesExpected);
    row("all orders of the phase: fetched / stored", `${fmt(c.fetched)} / ${fmt(c.stored)} of ${fmt(c.orders)} (quiet ${fmt(c.quietAfterSeconds, 1)} s after the last answer${c.quietTimedOut ? ", TIMED OUT" : ""})`);
  }
  if (r.mock) {
    const k = r.mock;
    lines.push(
      `  Admin API mock, whole run: ${fmt(k.total)} calls (${Object.entries(k.byApiVersion).map(([v, n]) => `${fmt(n)} × ${v}`).join(", ") || "none"}); ` +
        `${fmt(k.other)} other operations, ${fmt(k.unknownOrders)} unknown orders, ${fmt(k.unauthorized)} bad tokens, ${fmt(k.unhandled)} other HTTP`,
    );
  }
  if (r.rowsAtEnd) lines.push(`  rows at the end: ${Object.entries(r.rowsAtEnd).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join("\n");
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:post-purchase failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
