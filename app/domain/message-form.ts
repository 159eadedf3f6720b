/**
 * The Messages editor: which templates the merchant edits, their validation, their defaults,
 * and the preview — postPurchaseView itself with a sample customer per rank, so the preview is
 * exactly what the thank-you and order status extensions show.
 */
import { fieldErrors, type FieldErrors } from "./form-input";
import {
  defaultMessageTemplates,
  GUEST_TEMPLATE_KEY,
  parseTemplate,
  type Localized,
  type MessageTemplates,
} from "./messages";
import { messageTemplateFor, postPurchaseView, type PostPurchaseView } from "./post-purchase";
import { rankFor, type RankInputs, type RankTier } from "./rank";

type Locale = "ja" | "en";
export const TEMPLATE_LOCALES: readonly Locale[] = ["ja", "en"];

/** One template per tier, lowest first, then the guest one. */
export function templateKeys(tiers: RankTier[]): string[] {
  const keys = [...tiers].sort((a, b) => a.position - b.position).map((t) => t.key);
  return keys.includes(GUEST_TEMPLATE_KEY) ? keys : [...keys, GUEST_TEMPLATE_KEY];
}

/**
 * A customer whose stats put them exactly on this tier, or null if the ladder makes that
 * impossible. Prefers the plainest way in (orders alone when either condition suffices).
 */
export function sampleStatsFor(tier: RankTier, tiers: RankTier[]): RankInputs | null {
  const orders = tier.minOrders ?? 1;
  const spend = tier.minWindowSpent ?? 0n;
  const candidates: RankInputs[] = [
    { orderCount: orders, windowSpent: tier.minOrders !== null && tier.combine === "any" ? 0n : spend },
    { orderCount: orders, windowSpent: spend },
    { orderCount: tier.minOrders ?? 0, windowSpent: spend },
  ];
  return candidates.find((c) => rankFor(c, tiers)?.key === tier.key) ?? null;
}

/**
 * What "reset to default" puts back: the built-in text for the built-in keys, and for a tier
 * the merchant added, the greeting it would fall back to without its own template.
 */
export function defaultTemplateFor(key: string, tiers: RankTier[]): Localized {
  const defaults: MessageTemplates = defaultMessageTemplates();
  if (defaults[key]) return { ...defaults[key] };
  const tier = tiers.find((t) => t.key === key);
  const stats = tier ? sampleStatsFor(tier, tiers) : null;
  return { ...messageTemplateFor(defaults, null, stats?.orderCount ?? 1) };
}

/** The templates every key needs, stored text over the defaults. */
export function templatesForEditing(stored: MessageTemplates, tiers: RankTier[]): MessageTemplates {
  return Object.fromEntries(templateKeys(tiers).map((key) => [key, stored[key] ?? defaultTemplateFor(key, tiers)]));
}

/** Errors keyed "templates.<key>.<locale>"; {} when every template can be saved. */
export function validateTemplates(templates: MessageTemplates, keys: string[]): FieldErrors {
  const errors: { field: string; message: Localized }[] = [];
  for (const key of keys) {
    const template = templates[key];
    for (const locale of TEMPLATE_LOCALES) {
      const field = `templates.${key}.${locale}`;
      if (template === undefined) {
        errors.push({ field, message: { en: "Enter a message.", ja: "メッセージを入力してください。" } });
        continue;
      }
      const check = parseTemplate(template[locale]);
      if (!check.ok) for (const e of check.errors) errors.push({ field, message: e.message });
    }
  }
  return fieldErrors(errors);
}

export interface PreviewSample {
  /** Template key: a tier key or "guest". */
  key: string;
  /** The sample's stats; null for the guest. */
  stats: { orderCount: number; windowSpent: bigint } | null;
  /** null when no customer can be on this tier (the ladder shadows it). */
  view: PostPurchaseView | null;
}

export const SAMPLE_FIRST_NAMES: Record<Locale, string> = { ja: "花子", en: "Alex" };

/** The preview of every template for one locale, as the shopper would see it. */
export function previewSamples(
  tiers: RankTier[],
  templates: MessageTemplates,
  currency: string,
  locale: Locale,
  options: { withName: boolean },
): PreviewSample[] {
  const firstName = options.withName ? SAMPLE_FIRST_NAMES[locale] : null;
  const base = { locale, tiers, templates, currency, rewards: [] };
  return templateKeys(tiers).map((key) => {
    if (key === GUEST_TEMPLATE_KEY && !tiers.some((t) => t.key === key)) {
      return { key, stats: null, view: postPurchaseView({ ...base, customer: null }) };
    }
    const tier = tiers.find((t) => t.key === key)!;
    const stats = sampleStatsFor(tier, tiers);
    return {
      key,
      stats,
      view: stats === null ? null : postPurchaseView({ ...base, customer: { firstName, ...stats } }),
    };
  });
}
