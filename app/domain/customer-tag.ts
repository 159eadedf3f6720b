/**
 * A customer tag the merchant asks Tokui to add to (or remove from) a list of customers.
 * Shopify's limits: at most 255 characters, and a comma separates tags (one tag cannot hold
 * one). Rank tags (tokui-rank:*) belong to the rank sync, which would undo any hand-made change.
 */
import type { Localized } from "./messages";
import { RANK_TAG_PREFIX } from "./rank";

export const MAX_TAG_LENGTH = 255;

export type TagCheck = { ok: true; tag: string } | { ok: false; message: Localized };

export function parseTag(input: string): TagCheck {
  const tag = input.trim();
  const refuse = (en: string, ja: string): TagCheck => ({ ok: false, message: { en, ja } });
  if (tag === "") return refuse("Enter a tag.", "タグを入力してください。");
  if ([...tag].length > MAX_TAG_LENGTH) {
    return refuse(`A tag can be at most ${MAX_TAG_LENGTH} characters.`, `タグは${MAX_TAG_LENGTH}文字までです。`);
  }
  if (tag.includes(",")) return refuse("A tag cannot contain a comma (Shopify reads it as two tags).", "タグにカンマ（,）は使えません（Shopify では2つのタグになります）。");
  if ([...tag].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return refuse("A tag cannot contain line breaks or control characters.", "タグに改行や制御文字は使えません。");
  if (tag.toLowerCase().startsWith(RANK_TAG_PREFIX)) {
    return refuse(
      `Tags starting with "${RANK_TAG_PREFIX}" are set by Tokui's rank sync; change ranks on the Ranks page instead.`,
      `「${RANK_TAG_PREFIX}」で始まるタグは Tokui のランク同期が管理しています。ランクはランク設定で変更してください。`,
    );
  }
  return { ok: true, tag };
}

/** Shopify's tags as Customer.tags keeps them (as webhooks write them: ", "-separated). */
export function tagsText(tags: readonly string[]): string | null {
  return tags.length === 0 ? null : tags.join(", ");
}

/** Shopify's tag semantics on a stored tag list (case-insensitive match), for the local demo shop. */
export function applyTagChange(tags: string | null, tag: string, action: "add" | "remove"): string | null {
  const list = (tags ?? "").split(",").map((t) => t.trim()).filter(Boolean);
  const same = (t: string) => t.toLowerCase() === tag.toLowerCase();
  if (action === "add") return tagsText(list.some(same) ? list : [...list, tag]);
  return tagsText(list.filter((t) => !same(t)));
}
