/**
 * Shopify Flow triggers (docs/decisions/0021-flow-triggers.md): "Customer rank changed" and
 * "Customer follow up due" (extensions/flow-rank-changed, extensions/flow-followup-due), fired
 * with flowTriggerReceive — only for shops where Flow told us, through the trigger lifecycle
 * callback (extensions/flow-lifecycle → app/routes/flow.lifecycle.tsx), that an active workflow
 * starts with the trigger.
 *
 * Firing is a "flow-trigger" job queued in the transaction that made the event, so a trigger is
 * sent exactly when its event was committed; the job carries the facts as they were then.
 */
import type { PrismaClient, Tx } from "../db.server";
import {
  FLOW_PAYLOAD_LIMIT_BYTES,
  FOLLOW_UP_DUE_TRIGGER,
  FlowPayloadError,
  RANK_CHANGED_TRIGGER,
  daysSince,
  flowLocale,
  parseFlowLifecycle,
  flowPayloadBytes,
  followUpDuePayload,
  isFlowTriggerHandle,
  rankChangedPayload,
  rankMove,
  type FlowLifecycleEvent,
  type FlowPayload,
  type FlowTriggerHandle,
} from "../domain/flow-payloads";
import { PHASE_LABELS, type Phase } from "../domain/journeys";
import { importReason } from "../domain/rank-change-reason";
import { logger } from "../logger.server";
import { isUniqueViolation, type ShopContext } from "../models/shop.server";
import { PermanentJobError, type JobInfo, type JobQueue, type JobRequest } from "../queue/types";
import { adminFor, callAdmin, type AdminGraphql } from "./admin-client.server";
import { FLOW_TRIGGER_RECEIVE_MUTATION } from "./graphql/documents";
import { shopifyHmacMatches } from "./webhook-signature";

// ---------------------------------------------------------------------------------------------
// Sending

/**
 * One flowTriggerReceive. Over Shopify's 50 KB payload limit, or refused with userErrors: a
 * PermanentJobError with the reason (the same payload would be refused again). THROTTLED, 429,
 * 5xx and network failures: RetryableJobError, as every Admin call (admin-client.server.ts).
 */
export async function sendFlowTrigger(admin: AdminGraphql, handle: FlowTriggerHandle, payload: FlowPayload): Promise<void> {
  const bytes = flowPayloadBytes(payload);
  if (bytes > FLOW_PAYLOAD_LIMIT_BYTES) {
    throw new PermanentJobError(`Flow trigger ${handle}: the payload is ${bytes} bytes, over Shopify's limit of ${FLOW_PAYLOAD_LIMIT_BYTES} bytes (50 KB)`);
  }
  const data = await callAdmin(admin, FLOW_TRIGGER_RECEIVE_MUTATION, { handle, payload });
  const result = data.flowTriggerReceive as { userErrors?: { field?: string[] | null; message: string }[] } | null | undefined;
  const userErrors = result?.userErrors ?? [];
  if (userErrors.length > 0) {
    const detail = userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; ");
    throw new PermanentJobError(`Shopify Flow refused trigger ${handle}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Which shops use which trigger

/**
 * Store a lifecycle callback. Flow says the newest timestamp wins: an older callback (a retry
 * overtaken by a later change) leaves the stored state alone.
 */
export async function recordFlowLifecycle(prisma: PrismaClient, event: FlowLifecycleEvent): Promise<"updated" | "stale"> {
  const where = { shop: event.shop, handle: event.handle };
  const data = { enabled: event.enabled, updatedAt: event.timestamp };
  const newer = () => prisma.flowTriggerState.updateMany({ where: { ...where, updatedAt: { lt: event.timestamp } }, data });
  if ((await newer()).count > 0) return "updated";
  if (await prisma.flowTriggerState.findUnique({ where: { shop_handle: where }, select: { id: true } })) return "stale";
  try {
    await prisma.flowTriggerState.create({ data: { ...where, ...data } });
    return "updated";
  } catch (error) {
    // Two first callbacks raced: the other one created the row; ours applies if it is newer.
    if (!isUniqueViolation(error)) throw error;
    return (await newer()).count > 0 ? "updated" : "stale";
  }
}

/**
 * The lifecycle callback route's whole work: Shopify's HMAC (X-Shopify-Hmac-Sha256 under the app
 * secret, as webhooks) or 401; a body that is not a lifecycle callback is 400 with the reason;
 * else stored and 200. Flow waits at most 5 seconds and a non-2xx answer stops the merchant
 * from activating the workflow, so this does one small write and nothing else.
 */
export async function receiveFlowLifecycle(request: Request, prisma: PrismaClient, secret: string): Promise<Response> {
  const text = (status: number, body: string) => new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  if (request.method !== "POST") return text(405, `${request.method} is not allowed; Flow POSTs`);
  const rawBody = await request.text();
  const signature = request.headers.get("x-shopify-hmac-sha256");
  if (!signature || !shopifyHmacMatches(signature, rawBody, secret)) {
    logger.warn("flow lifecycle callback rejected: bad signature");
    return text(401, signature ? "signature does not match the body" : "no X-Shopify-Hmac-Sha256 signature");
  }
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return text(400, "the body is not valid JSON");
  }
  const parsed = parseFlowLifecycle(body);
  if (!parsed.ok) {
    logger.warn("flow lifecycle callback refused", { reason: parsed.reason });
    return text(400, parsed.reason);
  }
  const outcome = await recordFlowLifecycle(prisma, parsed.event);
  const { shop, handle, enabled } = parsed.event;
  if (!isFlowTriggerHandle(handle)) logger.warn("flow lifecycle callback for a trigger Tokui does not know", { shop, handle });
  logger.info("flow lifecycle callback", { shop, handle, enabled, outcome });
  return new Response(JSON.stringify({ handle, enabled, outcome }), { status: 200, headers: { "Content-Type": "application/json" } });
}

// ---------------------------------------------------------------------------------------------
// Queueing

export interface RankChangeForFlow {
  customerId: number;
  fromRank: string | null;
  toRank: string | null;
  orderCount: number;
  windowSpent: bigint;
}

/**
 * The "flow-trigger" job for a rank change, or null when it is not to be sent: the shop has no
 * active workflow on the trigger, or the change came from the history import (a backfill would
 * start a workflow — a mail, a tag — for every historic move at once; the rank a customer held
 * years ago is no news to them). Live orders, refunds and recomputes (the spend window moving
 * on) do fire. Never throws: it runs inside the ingest transaction.
 */
export function rankChangedFlowJob(ctx: ShopContext, reason: string, change: RankChangeForFlow): JobRequest | null {
  if (!ctx.flowTriggers.includes(RANK_CHANGED_TRIGGER) || reason === importReason()) return null;
  const move = rankMove(change.fromRank, change.toRank, ctx.tiers, ctx.locale);
  return {
    queue: "flow-trigger",
    shop: ctx.shop,
    data: {
      trigger: RANK_CHANGED_TRIGGER,
      customerId: change.customerId,
      fromKey: move.from?.key ?? null,
      fromLabel: move.from?.label ?? null,
      toKey: move.to?.key ?? null,
      toLabel: move.to?.label ?? null,
      direction: move.direction,
      orderCount: change.orderCount,
      // Minor units as text: job data is JSON, and a bigint is not.
      windowSpent: change.windowSpent.toString(),
      currency: ctx.currency,
    },
  };
}

export interface FollowUpDue {
  shop: string;
  customerId: number;
  journeyKey: string;
  phase: Phase;
  /** From 1. */
  stepNumber: number;
  lastOrderAt: Date;
  now: Date;
}

/**
 * For the follow-up scheduler (issue 5): queue "Customer follow up due" if the shop has an
 * active workflow on it. Call it in the transaction that records the step as sent, so the
 * trigger fires exactly when the step is recorded — once. Returns whether a job was queued.
 */
export async function fireFollowUpDue(tx: Tx, queue: JobQueue, due: FollowUpDue): Promise<boolean> {
  const [state, shop] = await Promise.all([
    tx.flowTriggerState.findUnique({ where: { shop_handle: { shop: due.shop, handle: FOLLOW_UP_DUE_TRIGGER } }, select: { enabled: true } }),
    tx.shop.findUnique({ where: { shop: due.shop }, select: { locale: true } }),
  ]);
  if (!state?.enabled) return false;
  await queue.enqueue(tx, {
    queue: "flow-trigger",
    shop: due.shop,
    data: {
      trigger: FOLLOW_UP_DUE_TRIGGER,
      customerId: due.customerId,
      journeyKey: due.journeyKey,
      phase: due.phase,
      phaseLabel: PHASE_LABELS[due.phase][flowLocale(shop?.locale ?? "ja")],
      stepNumber: due.stepNumber,
      daysSinceLastOrder: daysSince(due.lastOrderAt, due.now),
    },
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// The job

/**
 * Job handler: build the payload from the job's facts and send it. Skipped (done) when the
 * customer was erased since (customers/redact) or the merchant deactivated the workflow in the
 * meantime — Flow would ignore the call, and it costs API budget.
 */
export async function runFlowTriggerJob(prisma: PrismaClient, job: Pick<JobInfo, "shop" | "data">, graphql?: AdminGraphql): Promise<void> {
  const { shop, data } = job;
  const handle = String(data.trigger);
  if (!isFlowTriggerHandle(handle)) throw new PermanentJobError(`unknown Flow trigger "${handle}"`);
  const [customer, state] = await Promise.all([
    prisma.customer.findFirst({ where: { shop, id: Number(data.customerId) }, select: { gid: true, redactedAt: true } }),
    prisma.flowTriggerState.findUnique({ where: { shop_handle: { shop, handle } }, select: { enabled: true } }),
  ]);
  if (!customer || customer.redactedAt) {
    logger.info("flow trigger skipped: customer erased", { shop, handle, customerId: data.customerId });
    return;
  }
  if (!state?.enabled) {
    logger.info("flow trigger skipped: no active workflow any more", { shop, handle });
    return;
  }
  let payload: FlowPayload;
  try {
    payload = buildPayload(handle, customer.gid, data);
  } catch (error) {
    if (error instanceof FlowPayloadError) throw new PermanentJobError(`Flow trigger ${handle}: ${error.message}`);
    throw error;
  }
  await sendFlowTrigger(graphql ?? (await adminFor(shop)), handle, payload);
  logger.debug("flow trigger sent", { shop, handle, customer: customer.gid });
}

function buildPayload(handle: FlowTriggerHandle, customerGid: string, data: JobInfo["data"]): FlowPayload {
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  if (handle === RANK_CHANGED_TRIGGER) {
    const ref = (key: unknown, label: unknown) => (text(key) === null ? null : { key: text(key)!, label: text(label) ?? text(key)! });
    if (!/^-?\d+$/.test(String(data.windowSpent))) throw new FlowPayloadError(`window spend "${String(data.windowSpent)}" is not in minor units`);
    return rankChangedPayload({
      customerGid,
      from: ref(data.fromKey, data.fromLabel),
      to: ref(data.toKey, data.toLabel),
      direction: data.direction === "down" ? "down" : "up",
      orderCount: Number(data.orderCount),
      windowSpent: BigInt(String(data.windowSpent)),
      currency: String(data.currency),
    });
  }
  return followUpDuePayload({
    customerGid,
    journeyKey: String(data.journeyKey),
    phase: String(data.phase),
    phaseLabel: String(data.phaseLabel),
    stepNumber: Number(data.stepNumber),
    daysSinceLastOrder: Number(data.daysSinceLastOrder),
  });
}
