/**
 * "Add tag to these customers" / "Remove tag": a TagSyncRun walks the filtered list by row id in
 * batches — one "tag-sync" job per batch, each queuing the next — and calls tagsAdd/tagsRemove
 * per customer through the Admin API client (docs/decisions/0015-customer-workspace.md).
 *
 * - The walk is by id, not by the page's sort, so it is stable while the tags it changes are
 *   part of the filter (removing the tag the list was filtered on).
 * - A job carries its position (afterId) and the counts it expects the run to have; its progress
 *   and the next job are written in one transaction that only applies if the counts still match,
 *   so a job run twice (a crash after commit) neither counts twice nor forks the walk.
 * - THROTTLED / 5xx / network (RetryableJobError from callAdmin) end the batch early: what was
 *   done is recorded and the next job starts after Shopify's Retry-After or the queue's backoff.
 *   Tagging is idempotent in Shopify, so a customer tried again costs a call, never a wrong tag.
 */
import type { Database } from "../../db.server";
import { DEMO_SHOP } from "../../demo.server";
import { filterFromJson, filterToJson, parseCustomerQuery } from "../../domain/customer-filter";
import { applyTagChange, parseTag, tagsText } from "../../domain/customer-tag";
import type { FieldErrors } from "../../domain/form-input";
import { logger } from "../../logger.server";
import { backoffMs, MAX_ATTEMPTS, PermanentJobError, RetryableJobError, type JobQueue, type JobRequest } from "../../queue/types";
import { adminFor, callAdmin, type AdminGraphql } from "../../shopify/admin-client.server";
import { CUSTOMER_TAGS_ADD_MUTATION, CUSTOMER_TAGS_REMOVE_MUTATION } from "../../shopify/graphql/documents";
import { countCustomers, customerIdsAfter, shopTimeZone } from "./customer-query.server";

export type TagAction = "add" | "remove";
export const TAG_SYNC_BATCH = 50;

export type TagSyncStart = { ok: true; runId: number; total: number } | { ok: false; errors: FieldErrors };

export interface TagSyncRunView {
  id: number;
  tag: string;
  action: TagAction;
  status: "queued" | "running" | "done" | "failed";
  total: number;
  done: number;
  failed: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface BatchData {
  runId: number;
  afterId: number;
  done: number;
  failed: number;
  /** Batches in a row that Shopify throttled before any customer was done. */
  throttles: number;
}

const job = (shop: string, data: BatchData, startAfter?: Date): JobRequest => ({
  queue: "tag-sync",
  shop,
  data: { ...data },
  singletonKey: `tag-sync:${data.runId}`,
  ...(startAfter ? { startAfter } : {}),
});

/** Checks the tag and the list's filter (the page's search parameters), counts, and queues the run. */
export async function startTagSync(
  db: Database,
  queue: JobQueue,
  shop: string,
  input: { tag: string; action: TagAction; params: URLSearchParams },
): Promise<TagSyncStart> {
  const errors: FieldErrors = {};
  const tag = parseTag(input.tag);
  if (!tag.ok) errors.tag = tag.message;
  const query = parseCustomerQuery(input.params);
  if (query.errors.length > 0) {
    // A filter with refused parts would tag more customers than the merchant meant: refuse it.
    errors.filter = {
      en: `Fix the list's filters first: ${query.errors.map((e) => e.message.en).join(" ")}`,
      ja: `先に絞り込み条件を直してください: ${query.errors.map((e) => e.message.ja).join("")}`,
    };
  }
  if (!tag.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const { prisma } = db;
  const { timeZone } = await shopTimeZone(prisma, shop);
  const total = await countCustomers(prisma, shop, query.filter, timeZone);
  if (total === 0) return { ok: false, errors: { filter: { en: "No customers match the filters.", ja: "条件に合うお客様がいません。" } } };
  const runId = await prisma.$transaction(async (tx) => {
    const run = await tx.tagSyncRun.create({
      data: { shop, tag: tag.tag, action: input.action, filter: filterToJson(query.filter), total },
      select: { id: true },
    });
    await queue.enqueue(tx, job(shop, { runId: run.id, afterId: 0, done: 0, failed: 0, throttles: 0 }));
    return run.id;
  });
  queue.kick();
  return { ok: true, runId, total };
}

export async function recentTagSyncRuns(db: Database, shop: string, take = 5): Promise<TagSyncRunView[]> {
  const runs = await db.prisma.tagSyncRun.findMany({ where: { shop }, orderBy: { id: "desc" }, take });
  return runs.map((r) => ({
    id: r.id,
    tag: r.tag,
    action: r.action === "remove" ? "remove" : "add",
    status: (["queued", "running", "done", "failed"].includes(r.status) ? r.status : "failed") as TagSyncRunView["status"],
    total: r.total,
    done: r.done,
    failed: r.failed,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}

function batchData(data: JobRequest["data"]): BatchData {
  const n = (key: string) => {
    const value = Number(data[key] ?? 0);
    if (!Number.isSafeInteger(value) || value < 0) throw new PermanentJobError(`tag-sync job: bad ${key} ${String(data[key])}`);
    return value;
  };
  return { runId: n("runId"), afterId: n("afterId"), done: n("done"), failed: n("failed"), throttles: n("throttles") };
}

type TagResult = { kind: "tagged"; tags: string[] | null } | { kind: "refused"; message: string };

async function tagInShopify(admin: AdminGraphql, gid: string, tag: string, action: TagAction): Promise<TagResult> {
  const data = await callAdmin(admin, action === "add" ? CUSTOMER_TAGS_ADD_MUTATION : CUSTOMER_TAGS_REMOVE_MUTATION, { id: gid, tags: [tag] });
  const payload = data[action === "add" ? "tagsAdd" : "tagsRemove"] as
    | { node: { tags?: string[] } | null; userErrors: { message: string }[] }
    | null
    | undefined;
  const userErrors = payload?.userErrors ?? [];
  if (userErrors.length > 0) return { kind: "refused", message: userErrors.map((e) => e.message).join("; ") };
  return { kind: "tagged", tags: payload?.node?.tags ?? null };
}

/** The "tag-sync" job: one batch of a run. */
export async function runTagSyncBatch(db: Database, queue: JobQueue, shop: string, raw: JobRequest["data"], now: () => Date = () => new Date()): Promise<void> {
  const { prisma } = db;
  const data = batchData(raw);
  const run = await prisma.tagSyncRun.findFirst({ where: { id: data.runId, shop } });
  if (!run || run.status === "done" || run.status === "failed") return;
  // Another delivery of this batch got further already.
  if (run.done !== data.done || run.failed !== data.failed) return;
  const action: TagAction = run.action === "remove" ? "remove" : "add";

  const fail = async (message: string) => {
    logger.error("tag sync run failed", { shop, runId: run.id, error: message });
    await prisma.tagSyncRun.updateMany({ where: { id: run.id }, data: { status: "failed", error: message.slice(0, 2000), finishedAt: now() } });
  };

  const query = filterFromJson(run.filter);
  if (query.errors.length > 0) {
    await fail(`stored filter refused: ${query.errors.map((e) => e.message.en).join(" ")}`);
    return;
  }
  if (run.status === "queued") await prisma.tagSyncRun.updateMany({ where: { id: run.id, status: "queued" }, data: { status: "running" } });

  const { timeZone } = await shopTimeZone(prisma, shop);
  const ids = await customerIdsAfter(prisma, shop, query.filter, timeZone, data.afterId, TAG_SYNC_BATCH);
  const customers = ids.length === 0 ? [] : await prisma.customer.findMany({ where: { shop, id: { in: ids } }, select: { id: true, gid: true, tags: true }, orderBy: { id: "asc" } });

  const demo = shop === DEMO_SHOP && process.env.TOKUI_DEMO === "1";
  let admin: AdminGraphql | null = null;
  if (customers.length > 0 && !demo) {
    try {
      admin = await adminFor(shop);
    } catch (error) {
      if (error instanceof PermanentJobError) await fail(error.message);
      throw error;
    }
  }

  let tagged = 0;
  let refused = 0;
  let lastId = data.afterId;
  let firstRefusal: string | null = null;
  let stop: RetryableJobError | null = null;
  for (const customer of customers) {
    let result: TagResult;
    if (demo) {
      // The local demo shop has no Shopify: the change is made locally only.
      result = { kind: "tagged", tags: null };
      await prisma.customer.updateMany({ where: { shop, id: customer.id }, data: { tags: applyTagChange(customer.tags, run.tag, action) } });
    } else {
      try {
        result = await tagInShopify(admin!, customer.gid, run.tag, action);
      } catch (error) {
        if (error instanceof RetryableJobError) {
          stop = error;
          break;
        }
        // Revoked token, missing scope, a refused document: the same for every customer.
        await fail(error instanceof Error ? error.message : String(error));
        throw error instanceof PermanentJobError ? error : new PermanentJobError(String(error));
      }
    }
    if (result.kind === "refused") {
      refused++;
      firstRefusal ??= `${customer.gid}: ${result.message}`;
    } else {
      tagged++;
      // Shopify's tags after the change, so search and export see them without waiting for a webhook.
      if (result.tags) await prisma.customer.updateMany({ where: { shop, id: customer.id }, data: { tags: tagsText(result.tags) } });
    }
    lastId = customer.id;
  }

  const progressed = tagged + refused > 0;
  const throttles = stop ? (progressed ? 1 : data.throttles + 1) : 0;
  const finished = !stop && ids.length < TAG_SYNC_BATCH;
  const gaveUp = stop !== null && throttles >= MAX_ATTEMPTS;
  await prisma.$transaction(async (tx) => {
    const next = { runId: run.id, afterId: lastId, done: data.done + tagged, failed: data.failed + refused, throttles };
    const updated = await tx.tagSyncRun.updateMany({
      where: { id: run.id, done: data.done, failed: data.failed, status: { in: ["queued", "running"] } },
      data: {
        done: next.done,
        failed: next.failed,
        status: finished ? "done" : gaveUp ? "failed" : "running",
        ...(firstRefusal && !run.error ? { error: firstRefusal.slice(0, 2000) } : {}),
        ...(gaveUp ? { error: `Shopify kept refusing to answer: ${stop!.message}`.slice(0, 2000) } : {}),
        ...(finished || gaveUp ? { finishedAt: now() } : {}),
      },
    });
    if (updated.count === 0 || finished || gaveUp) return;
    const startAfter = stop ? new Date(now().getTime() + (stop.retryAfterMs ?? backoffMs(throttles))) : undefined;
    await queue.enqueue(tx, job(shop, next, startAfter));
  });
  if (stop) logger.warn("tag sync paused by Shopify", { shop, runId: run.id, error: stop.message, throttles });
}
