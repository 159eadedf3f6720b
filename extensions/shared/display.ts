import { formatExpiry, messageParagraphs } from "./format";
import { formattingLocale, pickLocale } from "./locale";
import type { PostPurchaseView } from "./post-purchase";

/** What the block shows, decided from a view; the components only lay it out. */
export interface Display {
  rankLabel: string | null;
  paragraphs: string[];
  progressText: string | null;
  rewards: DisplayReward[];
}

export type DisplayReward =
  | {
      kind: "discount";
      title: string;
      text: string;
      code: string;
      /** Formatted for the shopper; null leaves the expiry line out. */
      expires: string | null;
      conditionText: string | null;
    }
  | { kind: "freeSample"; title: string; text: string };

export interface Shopper {
  /** The shopper's language tag from the host (localization.language). */
  language: string;
  /** IANA time zone from the host, when it has one. */
  timeZone?: string;
}

const text = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

/** null when there is nothing worth a block: no greeting and no reward. */
export function toDisplay(view: PostPurchaseView, shopper: Shopper): Display | null {
  const tag = formattingLocale(shopper.language, pickLocale(shopper.language));
  const rewards: DisplayReward[] = [];
  for (const r of view.rewards) {
    if (r.kind === "freeSample") {
      rewards.push({ kind: "freeSample", title: r.title, text: r.text });
    } else if (text(r.code)) {
      // A coupon without a code is not something a shopper can use: leave it out.
      rewards.push({
        kind: "discount",
        title: r.title,
        text: r.text,
        code: r.code.trim(),
        expires: formatExpiry(r.expiresAt, tag, shopper.timeZone),
        conditionText: text(r.conditionText),
      });
    }
  }
  const paragraphs = messageParagraphs(view.message);
  if (paragraphs.length === 0 && rewards.length === 0) return null;
  return {
    rankLabel: text(view.rank?.label),
    paragraphs,
    progressText: text(view.progress?.text),
    rewards,
  };
}
