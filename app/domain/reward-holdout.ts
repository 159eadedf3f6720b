/**
 * The Rewards editor's measurement fields per milestone (ADR 0011, reward holdout): the share
 * of customers who reach the milestone but get nothing, and the attribution window. Stored in
 * the Campaign row `reward:<milestone key>`. No row means the default share: REWARD_HOLDOUT_DEFAULT.
 */
import type { FieldErrors } from "./form-input";
import { parseWholeNumber } from "./form-input";
import { attributionDaysProblem, DEFAULT_ATTRIBUTION_DAYS, DEFAULT_HOLDOUT_PERCENT, parseHoldoutPercent } from "./holdout";

/**
 * The journeys' 10% (issue 5 §4: every reward keeps a holdout unless the merchant sets another
 * share; 0% rewards everyone). The app had no installs when this became the default, so no
 * shop had been promised rewards for everyone.
 */
export const REWARD_HOLDOUT_DEFAULT = DEFAULT_HOLDOUT_PERCENT;

export interface RewardHoldoutForm {
  holdoutPercent: string;
  attributionDays: string;
}

export interface RewardHoldoutSetting {
  milestoneKey: string;
  holdoutPercent: number;
  attributionDays: number;
}

export function rewardHoldoutForm(row: { holdoutPercent: number; attributionDays: number } | undefined): RewardHoldoutForm {
  return {
    holdoutPercent: String(row?.holdoutPercent ?? REWARD_HOLDOUT_DEFAULT),
    attributionDays: String(row?.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS),
  };
}

export type RewardHoldoutParse = { ok: true; settings: RewardHoldoutSetting[] } | { ok: false; errors: FieldErrors };

/** Rows in the editor's order; errors keyed "milestones[i].holdoutPercent" / ".attributionDays". */
export function parseRewardHoldouts(rows: readonly ({ key: string } & RewardHoldoutForm)[]): RewardHoldoutParse {
  const errors: FieldErrors = {};
  const settings: RewardHoldoutSetting[] = [];
  rows.forEach((row, i) => {
    const holdout = parseHoldoutPercent(row.holdoutPercent);
    if (!holdout.ok) errors[`milestones[${i}].holdoutPercent`] = holdout.message;
    const days = parseWholeNumber(row.attributionDays);
    const daysProblem = days.ok ? attributionDaysProblem(days.value) : days.message;
    if (daysProblem) errors[`milestones[${i}].attributionDays`] = daysProblem;
    if (holdout.ok && days.ok && !daysProblem) {
      settings.push({ milestoneKey: row.key, holdoutPercent: holdout.value, attributionDays: days.value });
    }
  });
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, settings };
}
