import type { PrismaClient } from "../db.server";
import type { FieldErrors } from "../domain/form-input";
import { defaultTemplateFor, templateKeys, templatesForEditing, validateTemplates } from "../domain/message-form";
import type { Localized, MessageTemplates } from "../domain/messages";
import { tiersToWire, type WireTier } from "../domain/rank-form";
import { ensureShop, loadShopContext } from "../models/shop.server";
import { saveMessageTemplates } from "../models/shop-settings.server";

export interface MessageSettings {
  currency: string;
  shopLocale: string;
  tiers: WireTier[];
  /** One per template key (tiers, then "guest"), stored text over the defaults. */
  templates: MessageTemplates;
  /** What "reset to default" puts back, per key. */
  defaults: Record<string, Localized>;
}

export async function loadMessageSettings(prisma: PrismaClient, shop: string): Promise<MessageSettings> {
  await ensureShop(prisma, shop);
  const ctx = await loadShopContext(prisma, shop);
  const keys = templateKeys(ctx.tiers);
  return {
    currency: ctx.currency,
    shopLocale: ctx.locale,
    tiers: tiersToWire(ctx.tiers),
    templates: templatesForEditing(ctx.templates, ctx.tiers),
    defaults: Object.fromEntries(keys.map((k) => [k, defaultTemplateFor(k, ctx.tiers)])),
  };
}

export type SaveMessagesResult = { ok: true } | { ok: false; errors: FieldErrors };

/**
 * Save the templates of the current ranks. Texts stored for ranks that no longer exist are
 * kept (a rank removed and added back gets its words back); they are never shown.
 */
export async function saveMessageSettings(prisma: PrismaClient, shop: string, edited: MessageTemplates): Promise<SaveMessagesResult> {
  await ensureShop(prisma, shop);
  const ctx = await loadShopContext(prisma, shop);
  const keys = templateKeys(ctx.tiers);
  const errors = validateTemplates(edited, keys);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const next: MessageTemplates = { ...ctx.templates };
  for (const key of keys) next[key] = { ja: edited[key]!.ja, en: edited[key]!.en };
  await saveMessageTemplates(prisma, shop, next);
  return { ok: true };
}
