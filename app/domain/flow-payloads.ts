/**
 * Shopify Flow triggers (pure): what each of Tokui's two triggers declares to Flow, the payloads
 * `flowTriggerReceive` sends, and the trigger lifecycle callback Flow sends back
 * (docs/decisions/0021-flow-triggers.md).
 *
 * Flow's rules, as Shopify CLI enforces them for a trigger extension: field keys contain only
 * letters and spaces; the scalar field types are boolean, email, single_line_text_field, url and
 * number_decimal (no number_integer: counts travel as number_decimal); a customer_reference field
 * becomes the payload key `customer_id`, the customer's numeric id. Keys are machine names for
 * Flow's editor and stay English; labels (rank and phase names) carry the shop's language.
 */
import { formatMinorUnits } from "./money";
import { describeRankChange, type RankTier } from "./rank";

export const RANK_CHANGED_TRIGGER = "tokui-rank-changed";
export const FOLLOW_UP_DUE_TRIGGER = "tokui-follow-up-due";
export type FlowTriggerHandle = typeof RANK_CHANGED_TRIGGER | typeof FOLLOW_UP_DUE_TRIGGER;

export type FlowFieldType = "customer_reference" | "single_line_text_field" | "number_decimal";

export interface FlowField {
  /** null for customer_reference: Flow names it `customer_id` itself. */
  key: string | null;
  type: FlowFieldType;
  description: string;
}

export interface FlowTriggerDefinition {
  handle: FlowTriggerHandle;
  /** Flow's editor shows it; Flow asks for "object + past tense verb", sentence case, no punctuation. */
  name: string;
  description: string;
  fields: FlowField[];
}

/** The extensions' shopify.extension.toml must say exactly this (tests/unit/flow-payloads.test.ts). */
export const FLOW_TRIGGERS: Record<FlowTriggerHandle, FlowTriggerDefinition> = {
  [RANK_CHANGED_TRIGGER]: {
    handle: RANK_CHANGED_TRIGGER,
    name: "Customer rank changed",
    description: "A customer moved to another Tokui rank after an order, a refund or the yearly spend window moving on.",
    fields: [
      { key: null, type: "customer_reference", description: "The customer whose rank changed." },
      { key: "From rank key", type: "single_line_text_field", description: "The previous rank's key, e.g. first; empty if the customer had no rank." },
      { key: "From rank label", type: "single_line_text_field", description: "The previous rank's name in the shop's language; empty if none." },
      { key: "To rank key", type: "single_line_text_field", description: "The new rank's key, e.g. vip; empty if the customer lost every rank." },
      { key: "To rank label", type: "single_line_text_field", description: "The new rank's name in the shop's language; empty if none." },
      { key: "Direction", type: "single_line_text_field", description: "up or down." },
      { key: "Order count", type: "number_decimal", description: "Counted orders (not cancelled, not fully refunded), a whole number." },
      { key: "Window spend", type: "number_decimal", description: "Spend in the rank window (e.g. the last 12 months) in the shop currency." },
      { key: "Currency", type: "single_line_text_field", description: "The shop currency of Window spend, e.g. JPY." },
    ],
  },
  [FOLLOW_UP_DUE_TRIGGER]: {
    handle: FOLLOW_UP_DUE_TRIGGER,
    name: "Customer follow up due",
    description: "A step of a Tokui follow-up journey became due for a customer with email marketing consent.",
    fields: [
      { key: null, type: "customer_reference", description: "The customer to follow up." },
      { key: "Journey key", type: "single_line_text_field", description: "The journey's key as set in Tokui." },
      { key: "Phase", type: "single_line_text_field", description: "first, second, regular or vip." },
      { key: "Phase label", type: "single_line_text_field", description: "The phase's name in the shop's language." },
      { key: "Step number", type: "number_decimal", description: "The step of the journey, from 1." },
      { key: "Days since last order", type: "number_decimal", description: "Whole days since the customer's last order." },
    ],
  },
};

export function isFlowTriggerHandle(value: string): value is FlowTriggerHandle {
  return value === RANK_CHANGED_TRIGGER || value === FOLLOW_UP_DUE_TRIGGER;
}

/** Shopify's limit for a flowTriggerReceive payload is 50 KB; we count 1 KB as 1,000 bytes to stay inside either reading. */
export const FLOW_PAYLOAD_LIMIT_BYTES = 50_000;

export type FlowPayload = Record<string, string | number>;

export class FlowPayloadError extends Error {
  override name = "FlowPayloadError";
}

/** Size of the payload as sent (UTF-8 JSON); Japanese labels count 3 bytes a character. */
export function flowPayloadBytes(payload: FlowPayload): number {
  return new TextEncoder().encode(JSON.stringify(payload)).length;
}

/** gid://shopify/Customer/7409876543210 → 7409876543210, the id a customer_reference carries. */
export function flowCustomerId(gid: string): number {
  const match = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(gid);
  if (!match) throw new FlowPayloadError(`not a customer GID: "${gid}"`);
  const id = Number(match[1]);
  // JSON numbers above 2^53 lose digits on the way; better no trigger than the wrong customer.
  if (!Number.isSafeInteger(id)) throw new FlowPayloadError(`customer id ${match[1]} is too large for a JSON number`);
  return id;
}

/**
 * A decimal string as a Flow number_decimal (a JSON number). Only exact conversions pass:
 * "12.50" → 12.5, "1980" → 1980; a value a JSON number cannot hold exactly is an error, never a
 * rounded amount.
 */
export function flowDecimal(decimal: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new FlowPayloadError(`not a decimal: "${decimal}"`);
  const [, sign = "", whole = "", fraction = ""] = match;
  const canonicalWhole = whole.replace(/^0+(?=\d)/, "");
  const canonicalFraction = fraction.replace(/0+$/, "");
  const canonical = `${canonicalWhole}${canonicalFraction ? `.${canonicalFraction}` : ""}`;
  const value = Number(`${sign}${canonical}`);
  const zero = canonical === "0";
  if (String(Math.abs(value)) !== canonical || (value === 0 && !zero)) {
    throw new FlowPayloadError(`${decimal} cannot be sent to Flow exactly as a number`);
  }
  return zero ? 0 : value;
}

export type Locale = "ja" | "en";
export const flowLocale = (locale: string): Locale => (locale === "en" ? "en" : "ja");

export interface RankRef {
  key: string;
  label: string;
}

export interface RankMove {
  from: RankRef | null;
  to: RankRef | null;
  direction: "up" | "down";
}

/**
 * A rank change as Flow sees it: keys with the labels in the shop's language. A tier deleted
 * since keeps its key as its label and counts as the lowest position (rank.ts
 * describeRankChange); losing every rank is always "down".
 */
export function rankMove(fromKey: string | null, toKey: string | null, tiers: readonly RankTier[], locale: string): RankMove {
  const lang = flowLocale(locale);
  const tier = (key: string | null) => (key === null ? null : (tiers.find((t) => t.key === key) ?? null));
  const ref = (key: string | null): RankRef | null => {
    if (key === null) return null;
    const found = tier(key);
    return { key, label: found ? (lang === "en" ? found.labelEn : found.labelJa) : key };
  };
  const change = describeRankChange(tier(fromKey), tier(toKey));
  const direction = toKey === null ? "down" : change === "same" ? "up" : change;
  return { from: ref(fromKey), to: ref(toKey), direction };
}

export interface RankChangedFacts extends RankMove {
  customerGid: string;
  orderCount: number;
  /** Spend in the rank window, minor units of `currency`. */
  windowSpent: bigint;
  currency: string;
}

export function rankChangedPayload(facts: RankChangedFacts): FlowPayload {
  if (!Number.isSafeInteger(facts.orderCount) || facts.orderCount < 0) throw new FlowPayloadError(`order count ${facts.orderCount} is not a whole number`);
  return {
    customer_id: flowCustomerId(facts.customerGid),
    "From rank key": facts.from?.key ?? "",
    "From rank label": singleLine(facts.from?.label ?? ""),
    "To rank key": facts.to?.key ?? "",
    "To rank label": singleLine(facts.to?.label ?? ""),
    Direction: facts.direction,
    "Order count": facts.orderCount,
    "Window spend": flowDecimal(formatMinorUnits(facts.windowSpent, facts.currency)),
    Currency: facts.currency.toUpperCase(),
  };
}

export interface FollowUpDueFacts {
  customerGid: string;
  journeyKey: string;
  phase: string;
  phaseLabel: string;
  /** From 1. */
  stepNumber: number;
  daysSinceLastOrder: number;
}

export function followUpDuePayload(facts: FollowUpDueFacts): FlowPayload {
  if (!Number.isSafeInteger(facts.stepNumber) || facts.stepNumber < 1) throw new FlowPayloadError(`step number ${facts.stepNumber} must be a whole number from 1`);
  if (!Number.isSafeInteger(facts.daysSinceLastOrder) || facts.daysSinceLastOrder < 0) {
    throw new FlowPayloadError(`days since last order ${facts.daysSinceLastOrder} must be a whole number from 0`);
  }
  return {
    customer_id: flowCustomerId(facts.customerGid),
    "Journey key": facts.journeyKey,
    Phase: facts.phase,
    "Phase label": singleLine(facts.phaseLabel),
    "Step number": facts.stepNumber,
    "Days since last order": facts.daysSinceLastOrder,
  };
}

const DAY_MS = 86_400_000;

/** Whole days from the last order to `now` (a due step is never before its order). */
export function daysSince(lastOrderAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - lastOrderAt.getTime()) / DAY_MS));
}

// A single_line_text_field holds no line breaks; a label typed with one is still the same label.
const singleLine = (text: string) => text.replace(/[\r\n]+/g, " ").trim();

// ---------------------------------------------------------------------------------------------
// The trigger lifecycle callback

export interface FlowLifecycleEvent {
  shop: string;
  /** Our trigger handle when Flow's id names one of ours (by handle or by name), else Flow's id as sent. */
  handle: string;
  enabled: boolean;
  timestamp: Date;
}

export type LifecycleParse = { ok: true; event: FlowLifecycleEvent } | { ok: false; reason: string };

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Flow's callback body: {flow_trigger_definition_id, has_enabled_flow, shop_id, shopify_domain,
 * timestamp}. Shopify's example names the trigger by its title ("Add row to spreadsheet"), so
 * the id is matched against our handles and our trigger names alike.
 */
export function parseFlowLifecycle(body: unknown): LifecycleParse {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, reason: "the body is not a JSON object" };
  const b = body as Record<string, unknown>;
  const id = b.flow_trigger_definition_id;
  if (typeof id !== "string" || id.trim() === "" || id.length > 255) return { ok: false, reason: "flow_trigger_definition_id must be a non-empty string" };
  if (typeof b.has_enabled_flow !== "boolean") return { ok: false, reason: "has_enabled_flow must be true or false" };
  const shop = typeof b.shopify_domain === "string" ? b.shopify_domain.toLowerCase() : "";
  if (!SHOP_DOMAIN.test(shop)) return { ok: false, reason: `shopify_domain is not a myshopify domain: "${String(b.shopify_domain)}"` };
  const timestamp = typeof b.timestamp === "string" && /^\d{4}-\d{2}-\d{2}T/.test(b.timestamp) ? new Date(b.timestamp) : null;
  if (!timestamp || Number.isNaN(timestamp.getTime())) return { ok: false, reason: "timestamp must be an ISO 8601 date and time" };
  return { ok: true, event: { shop, handle: flowTriggerHandleFor(id), enabled: b.has_enabled_flow, timestamp } };
}

export function flowTriggerHandleFor(definitionId: string): string {
  const wanted = definitionId.trim().toLowerCase();
  const found = Object.values(FLOW_TRIGGERS).find((t) => t.handle === wanted || t.name.toLowerCase() === wanted);
  return found?.handle ?? definitionId.trim();
}
