/**
 * Phase-aware follow-up journeys (フォローメール): customers forget a shop in about three weeks,
 * and why they drift away differs after one purchase, after two, and for regulars and VIPs. A
 * journey is a sequence of mails at set days after the customer's last order; any new order
 * ends it (the customer is then in a new run, often of the next phase's journey). Pure:
 * customers, send log, `now` and the shop's time zone are arguments (ADR 0019).
 */
import type { FieldErrors } from "./form-input";
import { attributionDaysProblem, DEFAULT_ATTRIBUTION_DAYS, DEFAULT_HOLDOUT_PERCENT, holdoutPercentProblem } from "./holdout";
import type { Localized } from "./messages";
import type { Gid } from "./types";

export const PHASES = ["first", "second", "regular", "vip"] as const;
export type Phase = (typeof PHASES)[number];

/** From this many counted orders a customer is a regular (the third purchase makes the habit). */
export const REGULAR_FROM_ORDERS = 3;
export const DEFAULT_VIP_RANK_KEYS = ["vip"] as const;
export const DEFAULT_FIRST_DELAY_DAYS = 21;
export const MAX_STEPS = 10;
export const MAX_DELAY_DAYS = 365;
/** A step whose time passed longer ago than this (scheduler down, journey just created) is skipped, not sent late. */
export const DEFAULT_MAX_LATE_DAYS = 7;

const DAY_MS = 86_400_000;
const KEY = /^[a-z0-9][a-z0-9-]{0,39}$/;

export const PHASE_LABELS: Record<Phase, Localized> = {
  first: { en: "After the first order", ja: "初回購入後" },
  second: { en: "After the second order", ja: "2回目購入後" },
  regular: { en: "Regular customers", ja: "常連のお客様" },
  vip: { en: "VIP customers", ja: "VIPのお客様" },
};

export interface PhaseInputs {
  /** Counted orders (not cancelled, not fully refunded). */
  orderCount: number;
  rankKey: string | null;
}

/**
 * VIP is a rank (the merchant's top tier(s), which may be reached by spend on the first order);
 * the other phases are order counts, so they mean the same whatever the merchant's ladder is.
 * null: no counted order, nothing to follow up.
 */
export function customerPhase(customer: PhaseInputs, vipRankKeys: readonly string[] = DEFAULT_VIP_RANK_KEYS): Phase | null {
  if (customer.orderCount < 1) return null;
  if (customer.rankKey !== null && vipRankKeys.includes(customer.rankKey)) return "vip";
  if (customer.orderCount === 1) return "first";
  if (customer.orderCount === 2) return "second";
  return "regular";
}

export interface JourneyStep {
  /** Stable slug: the send log and the results page key on it. */
  key: string;
  /** Days after the customer's last order. */
  delayDays: number;
}

export interface Journey {
  /** Stable slug; also the holdout campaign key ("journey:<key>"), so it must not change once sending. */
  key: string;
  phase: Phase;
  steps: JourneyStep[];
  holdoutPercent: number;
  attributionDays: number;
}

export function holdoutCampaignKey(journey: Pick<Journey, "key">): string {
  return `journey:${journey.key}`;
}

/** One journey per phase: a mail every three weeks, three times. */
export function defaultJourneys(): Journey[] {
  return PHASES.map((phase) => ({
    key: `${phase}-follow-up`,
    phase,
    steps: [1, 2, 3].map((n) => ({ key: `step-${n}`, delayDays: DEFAULT_FIRST_DELAY_DAYS * n })),
    holdoutPercent: DEFAULT_HOLDOUT_PERCENT,
    attributionDays: DEFAULT_ATTRIBUTION_DAYS,
  }));
}

/** Field path → message; empty when the journey can be saved. */
export function validateJourney(journey: Journey): FieldErrors {
  const errors: FieldErrors = {};
  const add = (field: string, message: Localized) => {
    const seen = errors[field];
    errors[field] = seen ? { en: `${seen.en} ${message.en}`, ja: `${seen.ja}${message.ja}` } : message;
  };
  if (!KEY.test(journey.key)) add("key", keyMessage());
  if (!PHASES.includes(journey.phase)) add("phase", { en: "Choose a customer phase.", ja: "顧客のフェーズを選んでください。" });
  if (journey.steps.length === 0 || journey.steps.length > MAX_STEPS) {
    add("steps", { en: `A journey has 1 to ${MAX_STEPS} mails.`, ja: `メールは1〜${MAX_STEPS}通で設定してください。` });
  }
  const seenKeys = new Set<string>();
  journey.steps.forEach((step, i) => {
    if (!KEY.test(step.key)) add(`steps[${i}].key`, keyMessage());
    else if (seenKeys.has(step.key)) add(`steps[${i}].key`, { en: "Another mail has this key.", ja: "このキーは他のメールで使われています。" });
    seenKeys.add(step.key);
    if (!Number.isInteger(step.delayDays) || step.delayDays < 1 || step.delayDays > MAX_DELAY_DAYS) {
      add(`steps[${i}].delayDays`, {
        en: `Enter a whole number of days from 1 to ${MAX_DELAY_DAYS}.`,
        ja: `1〜${MAX_DELAY_DAYS}の整数（日数）で入力してください。`,
      });
    } else if (i > 0 && Number.isInteger(journey.steps[i - 1]!.delayDays) && step.delayDays <= journey.steps[i - 1]!.delayDays) {
      add(`steps[${i}].delayDays`, {
        en: "Each mail must come later than the one before.",
        ja: "前のメールより後の日数を指定してください。",
      });
    }
  });
  const holdout = holdoutPercentProblem(journey.holdoutPercent);
  if (holdout) add("holdoutPercent", holdout);
  const attribution = attributionDaysProblem(journey.attributionDays);
  if (attribution) add("attributionDays", attribution);
  return errors;
}

/** A shop's journeys together: distinct keys, and one journey per phase (else a customer gets two mails). */
export function validateJourneys(journeys: readonly Journey[]): FieldErrors {
  const errors: FieldErrors = {};
  const keys = new Set<string>();
  const phases = new Set<Phase>();
  journeys.forEach((journey, i) => {
    for (const [field, message] of Object.entries(validateJourney(journey))) errors[`journeys[${i}].${field}`] = message;
    if (keys.has(journey.key)) errors[`journeys[${i}].key`] ??= { en: "Another journey has this key.", ja: "このキーは他のシナリオで使われています。" };
    if (phases.has(journey.phase)) {
      errors[`journeys[${i}].phase`] ??= { en: "This phase already has a journey.", ja: "このフェーズのシナリオは既にあります。" };
    }
    keys.add(journey.key);
    phases.add(journey.phase);
  });
  return errors;
}

function keyMessage(): Localized {
  return {
    en: "Use lowercase letters, digits and hyphens (up to 40).",
    ja: "半角英小文字・数字・ハイフン（40文字まで）で入力してください。",
  };
}

// ---------------------------------------------------------------------------------------------
// What is due

export interface JourneyCustomer extends PhaseInputs {
  gid: Gid;
  lastOrderAt: Date | null;
  /**
   * Shopify's emailMarketingConsent.marketingState is SUBSCRIBED (not PENDING confirmation, not
   * unsubscribed), and the customer has an email address and is not redacted.
   */
  emailMarketingConsent: boolean;
}

/** A step already sent (or, for a held-out customer, recorded as not sent) for a reference order. */
export interface SentStep {
  journeyKey: string;
  stepKey: string;
  /** The customer's last order when the step was due: the run it belongs to. */
  referenceOrderAt: Date;
}

export type DueResult =
  | { kind: "due"; step: JourneyStep; stepIndex: number; dueAt: Date; referenceOrderAt: Date }
  /** Nothing now; this step comes next (the scheduler can look again then). */
  | { kind: "later"; step: JourneyStep; stepIndex: number; dueAt: Date; referenceOrderAt: Date }
  | { kind: "none"; reason: "no-consent" | "other-phase" | "no-order" | "finished" | "missed" };

/**
 * Which step of `journey` is due for the customer at `now` — at most one: after downtime the
 * latest step whose time has come is sent and the earlier ones are skipped, never a burst.
 * The run is keyed by the customer's last order: sends for an earlier order belong to a run
 * that ended when the customer ordered again, so they neither count nor continue. Holdout is
 * not decided here: a held-out customer's step is "due" like anyone's, so the caller can
 * record it as held out (the comparison group must be chosen by the same rule).
 */
export function dueSteps(
  customer: JourneyCustomer,
  journey: Journey,
  sentSteps: readonly SentStep[],
  now: Date,
  options: { vipRankKeys?: readonly string[]; maxLateDays?: number } = {},
): DueResult {
  if (!customer.emailMarketingConsent) return { kind: "none", reason: "no-consent" };
  if (customer.lastOrderAt === null || customer.orderCount < 1) return { kind: "none", reason: "no-order" };
  if (customerPhase(customer, options.vipRankKeys) !== journey.phase) return { kind: "none", reason: "other-phase" };

  const reference = customer.lastOrderAt;
  const sentInRun = new Set(
    sentSteps
      .filter((s) => s.journeyKey === journey.key && s.referenceOrderAt.getTime() === reference.getTime())
      .map((s) => s.stepKey),
  );
  const lastSent = journey.steps.findLastIndex((step) => sentInRun.has(step.key));
  const dueAt = (step: JourneyStep) => new Date(reference.getTime() + step.delayDays * DAY_MS);

  let latestElapsed = -1;
  for (let i = lastSent + 1; i < journey.steps.length; i++) {
    if (dueAt(journey.steps[i]!).getTime() <= now.getTime()) latestElapsed = i;
  }
  if (latestElapsed >= 0) {
    const step = journey.steps[latestElapsed]!;
    const at = dueAt(step);
    const maxLate = (options.maxLateDays ?? DEFAULT_MAX_LATE_DAYS) * DAY_MS;
    if (now.getTime() - at.getTime() > maxLate) {
      // Too late for this one; the next step (if any) still comes at its own time.
      const next = latestElapsed + 1;
      if (next < journey.steps.length) {
        const nextStep = journey.steps[next]!;
        return { kind: "later", step: nextStep, stepIndex: next, dueAt: dueAt(nextStep), referenceOrderAt: reference };
      }
      return { kind: "none", reason: "missed" };
    }
    return { kind: "due", step, stepIndex: latestElapsed, dueAt: at, referenceOrderAt: reference };
  }
  const next = lastSent + 1;
  if (next >= journey.steps.length) return { kind: "none", reason: "finished" };
  const step = journey.steps[next]!;
  return { kind: "later", step, stepIndex: next, dueAt: dueAt(step), referenceOrderAt: reference };
}

// ---------------------------------------------------------------------------------------------
// Sending hours in the shop's time zone

export interface SendingHours {
  /** First local hour mails may go out (0–23). */
  from: number;
  /** Local hour from which they may not (1–24, after `from`). */
  to: number;
}

export const DEFAULT_SENDING_HOURS: SendingHours = { from: 9, to: 20 };

export function sendingHoursProblem(hours: SendingHours): Localized | null {
  const whole = (h: number, min: number, max: number) => Number.isInteger(h) && h >= min && h <= max;
  if (!whole(hours.from, 0, 23) || !whole(hours.to, 1, 24) || hours.from >= hours.to) {
    return {
      en: "Enter sending hours as whole hours, the start before the end (e.g. 9 to 20).",
      ja: "配信時間帯は開始が終了より前になるよう、整数の時刻で入力してください（例：9時〜20時）。",
    };
  }
  return null;
}

export function timeZoneProblem(timeZone: string): Localized | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return null;
  } catch {
    return { en: `Unknown time zone "${timeZone}".`, ja: `タイムゾーン「${timeZone}」が見つかりません。` };
  }
}

/**
 * The first moment at or after `due` inside the sending hours of the shop's IANA time zone.
 * Local times come from Intl, so daylight saving changes are where the zone's rules put them;
 * a start hour that does not exist that day (a spring-forward gap) becomes the first moment
 * after the gap, and one that exists twice (fall back) the earlier.
 */
export function nextSendTime(due: Date, timeZone: string, hours: SendingHours = DEFAULT_SENDING_HOURS): Date {
  const problem = sendingHoursProblem(hours) ?? timeZoneProblem(timeZone);
  if (problem) throw new RangeError(problem.en);
  const local = localParts(due, timeZone);
  if (local.hour >= hours.from && local.hour < hours.to) return due;
  // Calendar arithmetic on the local date, done in UTC where every day has 24 hours.
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (local.hour >= hours.to ? 1 : 0)));
  return zonedTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hours.from, timeZone);
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: Date, timeZone: string): LocalParts {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at `instant`, in ms (Tokyo: +9 h). */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a local wall-clock hour happens in `timeZone` (gap: after it; overlap: the earlier). */
export function zonedTime(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  // Offsets a day either side: a zone changes offset at most once within them.
  const before = wall - offsetAt(wall - DAY_MS, timeZone);
  const after = wall - offsetAt(wall + DAY_MS, timeZone);
  const matches = [before, after].filter((t) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) === wall;
  });
  return new Date(matches.length > 0 ? Math.min(...matches) : before);
}
