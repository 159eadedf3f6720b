import type { PrismaClient } from "../db.server";
import { orderConfirmationSnippet, usesEmailUnavailableVariables } from "../domain/email-snippet";
import { templateKeys } from "../domain/message-form";
import { messageTemplateFor } from "../domain/post-purchase";
import { ensureShop, loadShopContext } from "../models/shop.server";

export interface EmailSnippetPage {
  /** The shop's language picks the snippet shown first. */
  shopLocale: "ja" | "en";
  snippets: { ja: string; en: string };
  /** Whether the templates use values the email cannot know (left out of the snippet). */
  unavailableVariablesUsed: { ja: boolean; en: boolean };
}

export async function loadEmailSnippet(prisma: PrismaClient, shop: string): Promise<EmailSnippetPage> {
  await ensureShop(prisma, shop);
  const { tiers, templates, locale } = await loadShopContext(prisma, shop);
  const used = templateKeys(tiers).map((key) => messageTemplateFor(templates, key, 2));
  return {
    shopLocale: locale.toLowerCase().startsWith("en") ? "en" : "ja",
    snippets: {
      ja: orderConfirmationSnippet({ tiers, templates, locale: "ja" }),
      en: orderConfirmationSnippet({ tiers, templates, locale: "en" }),
    },
    unavailableVariablesUsed: {
      ja: usesEmailUnavailableVariables(used.map((t) => t.ja)),
      en: usesEmailUnavailableVariables(used.map((t) => t.en)),
    },
  };
}
