/**
 * Operator command line: `npm run tokui -- <command> [options]`.
 * Uses the database named by DATABASE_URL (default: the embedded SQLite file).
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { createDatabase, type Database } from "../db.server";
import { createAppContext, startWorker } from "../context.server";
import { BACKSTOP_PAGES } from "../db/wal-checkpoints.server";
import { shopReport } from "../services/report.server";
import { importOrdersJsonl } from "../services/import-orders.server";
import { recomputeShop } from "../services/recompute.server";
import { refreshRfm } from "../services/analytics/refresh.server";
import { customerData } from "../services/customer-data.server";
import { pruneOldEvents } from "../services/prune.server";
import { DEFAULT_DATABASE_URL, databaseKind, redactUrl, sqlitePath } from "../database-url";

const USAGE = `Usage: npm run tokui -- <command> [options]

Commands:
  import --shop <shop> --file <path>   Import orders from Shopify bulk-operation JSONL
  report --shop <shop> [--json]        Repeat-purchase figures for a shop
  recompute --shop <shop>              Recompute every customer's rank as of now
  rfm --shop <shop>                    Refresh the dashboard's RFM scores, cohort table and
                                       product repeat rates now (normally a background job)
  worker                               Run the job worker (webhook processing, rank sync)
                                       until SIGTERM/SIGINT; for TOKUI_INLINE_WORKER=0 setups
  prune [--days <n>]                   Delete processed webhook events and finished jobs
                                       older than n days (default 30)
  followup --shop <shop> [--plan] [--send] [--learn]
                                       Follow-up mail now: learn product intervals, plan due
                                       journey steps and reminders, send due mail (default:
                                       --plan --send); the worker does this every few minutes
  customer-data --shop <shop> --customer <gid>
                                       Print all Tokui holds about one customer (JSON),
                                       to answer a customers/data_request

<shop> is the shop's myshopify domain, e.g. example.myshopify.com.
DATABASE_URL selects the database (default file:./prisma/dev.sqlite).`;

export class UsageError extends Error {
  override name = "UsageError";
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function shopOption(value: string | undefined): string {
  if (!value) throw new UsageError("--shop is required (e.g. --shop example.myshopify.com)");
  const shop = value.trim().toLowerCase();
  if (!SHOP_DOMAIN.test(shop)) throw new UsageError(`--shop must be a myshopify domain like example.myshopify.com; got "${value}"`);
  return shop;
}

const SET_UP_FIRST = "run `npm run setup` with the same DATABASE_URL first";

/** Prisma's "table / column does not exist": the database was never set up, or not for this version. */
function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code !== "P2021" && code !== "P2022") return error.message;
  const detail = error.message.trim().split("\n").at(-1)!.replace(/\.$/, "");
  return `the database is not set up for this version of Tokui (${detail}): ${SET_UP_FIRST}`;
}

function jsonReplacer(_key: string, value: unknown) {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface CliIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

export async function runCli(argv: string[], io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    io.out.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let db: Database | undefined;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        shop: { type: "string" },
        file: { type: "string" },
        customer: { type: "string" },
        json: { type: "boolean", default: false },
        days: { type: "string", default: "30" },
        plan: { type: "boolean", default: false },
        send: { type: "boolean", default: false },
        learn: { type: "boolean", default: false },
      },
      strict: true,
    });
    if (!["import", "report", "recompute", "rfm", "customer-data", "prune", "worker", "followup"].includes(command)) throw new UsageError(`unknown command "${command}"`);
    // prune and worker work across shops; every other command is about one shop.
    const shop = command === "prune" || command === "worker" ? "" : shopOption(values.shop);
    const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    // Opening a SQLite file that is not there would create it, empty.
    if (databaseKind(url) === "sqlite" && !fs.existsSync(sqlitePath(url))) throw new Error(`no database file ${sqlitePath(url)}: ${SET_UP_FIRST}`);
    db = createDatabase(url);
    // Also tells a database never set up before the queue starts (pg-boss would create its schema).
    const shopKnown = (await db.prisma.shop.findUnique({ where: { shop }, select: { shop: true } })) !== null;
    const unknownShop = () => new Error(`no shop ${shop} in this database (has it sent a webhook or been imported?)`);
    // The worker runs for days: its SQLite log is checkpointed on a thread (ADR 0032).
    const context = await createAppContext(db, { startWorker: false, walCheckpoints: command === "worker" });
    try {
      switch (command) {
        case "import": {
          if (!values.file) throw new UsageError("import needs --file <path to the bulk operation JSONL>");
          // One bulk write: let the log grow to the server's backstop instead of copying it into
          // the database at nearly every batch's commit (ADR 0025); closing checkpoints the rest.
          if (db.kind === "sqlite") await db.prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
          let lastPrint = 0;
          const started = Date.now();
          const result = await importOrdersJsonl(db, context.queue, values.file, {
            shop,
            onBadLine: (line, message) => io.err.write(`line ${line}: ${message} (skipped)\n`),
            onProgress: (p) => {
              if (Date.now() - lastPrint < 1000) return;
              lastPrint = Date.now();
              io.err.write(`… ${p.orders} orders from ${p.lines} lines\n`);
            },
          });
          const seconds = (Date.now() - started) / 1000;
          io.err.write(
            `imported ${result.orders} orders (${result.applied} new or newer, ${result.stale} unchanged) ` +
              `from ${result.lines} lines in ${seconds.toFixed(1)} s; ${result.badLines} bad lines skipped\n`,
          );
          return result.badLines > 0 ? 1 : 0;
        }
        case "report": {
          if (!shopKnown) throw unknownShop();
          const report = await shopReport(db.prisma, shop);
          if (values.json) {
            io.out.write(`${JSON.stringify(report, jsonReplacer)}\n`);
          } else {
            io.out.write(`${formatReport(shop, report)}\n`);
          }
          return 0;
        }
        case "recompute": {
          const result = await recomputeShop(db, context.queue, shop, new Date(), ({ done, total }) => {
            if (done > 0) io.err.write(`… ${done}/${total} customers\n`);
          });
          io.err.write(
            `recomputed ${result.customers} customers; ${result.rankChanges} rank changes; ${result.rankSyncsQueued} rank syncs to Shopify queued\n`,
          );
          return 0;
        }
        case "rfm": {
          if (!shopKnown) throw unknownShop();
          const started = Date.now();
          const result = await refreshRfm(db.prisma, shop, new Date());
          io.err.write(
            `scored ${result.scored} customers (${result.cleared} without orders cleared); ` +
              `${result.cohortMonths} cohort months, ${result.products} products in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
              `(scores ${result.ms.scores} ms, cohorts ${result.ms.cohorts} ms, products ${result.ms.products} ms)\n`,
          );
          return 0;
        }
        case "worker": {
          // Jobs are durable: stopping mid-way loses nothing, the next worker takes them up.
          io.err.write(`worker started on ${redactUrl(db.url)}; SIGTERM or Ctrl+C stops it\n`);
          await startWorker(context);
          // The queue's timers do not hold the process (so a web server can exit): this does.
          const keepAlive = setInterval(() => undefined, 1 << 30);
          await new Promise<void>((resolve) => {
            process.once("SIGTERM", resolve);
            process.once("SIGINT", resolve);
          });
          clearInterval(keepAlive);
          io.err.write("worker stopping after the jobs in hand\n");
          await context.queue.stop();
          // Pooled SMTP connections say QUIT rather than being cut (ADR 0020).
          const { closeMailTransports } = await import("../mail/transport.server");
          closeMailTransports();
          return 0;
        }
        case "followup": {
          const { learnIntervals, planFollowUps, sendDueMail } = await import("../services/followup/scheduler.server");
          const all = !values.plan && !values.send && !values.learn;
          if (values.learn) {
            const learned = await learnIntervals(db.prisma, shop, new Date());
            io.err.write(`intervals: ${learned.learned} products learned, ${learned.notEnoughData} without enough repeat purchases\n`);
          }
          if (values.plan || all) {
            const plan = await planFollowUps(db.prisma, shop, new Date(), { queue: context.queue });
            const why = { uninstalled: "the shop is not installed", "no-campaign": "no journey or reminder is enabled", "no-channel": "neither SMTP sending is on nor a Shopify Flow workflow on 'Customer follow up due' is active" };
            if (plan.skippedShop) io.err.write(`nothing planned: ${why[plan.skippedShop]}\n`);
            const list = (counts: Record<string, number>) => Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";
            io.err.write(`planned: ${list(plan.scheduled)}; sent through Shopify Flow: ${list(plan.viaFlow)}; held out: ${list(plan.held)}\n`);
          }
          if (values.send || all) {
            const { closeMailTransports } = await import("../mail/transport.server");
            const sent = await sendDueMail(db.prisma, new Date(), { shop }).finally(closeMailTransports);
            io.err.write(`sent ${sent.sent}, retry later ${sent.retried}, failed ${sent.failed}, skipped ${sent.skipped}${sent.paused.length > 0 ? "; sending PAUSED (see the mail settings page)" : ""}\n`);
            return sent.failed > 0 || sent.paused.length > 0 ? 1 : 0;
          }
          return 0;
        }
        case "prune": {
          const days = Number(values.days);
          if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days must be a whole number ≥ 1; got "${values.days}"`);
          const result = await pruneOldEvents(db.prisma, new Date(), days);
          io.err.write(`pruned ${result.events} processed webhook events and ${result.jobs} finished jobs older than ${days} days\n`);
          return 0;
        }
        case "customer-data": {
          const gid = values.customer ?? "";
          if (!/^gid:\/\/shopify\/Customer\/\d+$/.test(gid)) {
            throw new UsageError("customer-data needs --customer gid://shopify/Customer/<id>");
          }
          const data = await customerData(db.prisma, shop, gid);
          if (!data) {
            io.err.write(`tokui: no customer ${gid} in shop ${shop}\n`);
            return 1;
          }
          io.out.write(`${JSON.stringify(data, jsonReplacer, 2)}\n`);
          return 0;
        }
      }
      return 2;
    } finally {
      await context.queue.stop();
      await context.walCheckpoints?.stop();
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err.write(`tokui: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    const where = db ? ` (database ${redactUrl(db.url)})` : "";
    io.err.write(`tokui: ${command} failed${where}: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await db?.prisma.$disconnect();
  }
}

function formatReport(shop: string, r: Awaited<ReturnType<typeof shopReport>>): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `Tokui report for ${shop}`,
    `  customers with an order : ${r.customers}`,
    `  orders (not cancelled)  : ${r.orders}`,
    `  revenue after refunds   : ${r.revenue} ${r.currency}`,
    `  repeat rate (2+ orders) : ${pct(r.repeatRate)}`,
    `  top 20% revenue share   : ${pct(r.paretoTop20Share)}`,
    `  customers by order count: ${Object.entries(r.orderCountDistribution).map(([k, v]) => `${k}: ${v}`).join(", ")}`,
    `  customers by rank       : ${Object.entries(r.rankDistribution).map(([k, v]) => `${k}: ${v}`).join(", ") || "-"}`,
  ].join("\n");
}

// Run when executed directly (npm run tokui), not when imported by tests.
if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
