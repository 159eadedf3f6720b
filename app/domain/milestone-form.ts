/**
 * The Rewards editor's form ⇄ the domain's Milestone[]. Every field is text as typed; the
 * fields of the kinds not chosen are kept in the row (switching back restores them) and
 * ignored when parsing.
 */
import { fieldErrors, parseOptionalAmount, parseWholeNumber, type FieldErrors } from "./form-input";
import { SAMPLE_ORDER_TAG, validateMilestones, type Milestone, type MilestoneReward, type MilestoneTrigger } from "./milestones";
import { formatMinorUnits } from "./money";
import type { RankTier } from "./rank";

export interface MilestoneRow {
  key: string;
  triggerKind: "orderCount" | "rank";
  count: string;
  rankKey: string;
  rewardKind: "discount" | "freeSample";
  discountType: "percentage" | "fixed";
  percent: string;
  /** Decimal in the shop currency. */
  amount: string;
  expiresInDays: string;
  /** Decimal in the shop currency; "" = any order. */
  minimumSubtotal: string;
  packerNoteJa: string;
  packerNoteEn: string;
  orderTag: string;
}

/** A fresh row: the next free "order-N" key and a 10%, 60-day code, as the defaults do. */
export function newMilestoneRow(existing: MilestoneRow[], firstRankKey = ""): MilestoneRow {
  const taken = new Set(existing.map((r) => r.key));
  let n = 1;
  while (taken.has(`milestone-${n}`)) n++;
  return {
    key: `milestone-${n}`,
    triggerKind: "orderCount",
    count: "",
    rankKey: firstRankKey,
    rewardKind: "discount",
    discountType: "percentage",
    percent: "10",
    amount: "",
    expiresInDays: "60",
    minimumSubtotal: "",
    packerNoteJa: "",
    packerNoteEn: "",
    orderTag: SAMPLE_ORDER_TAG,
  };
}

export function milestoneRowFrom(m: Milestone, currency: string): MilestoneRow {
  const row = newMilestoneRow([]);
  row.key = m.key;
  if (m.trigger.kind === "orderCount") {
    row.triggerKind = "orderCount";
    row.count = String(m.trigger.count);
  } else {
    row.triggerKind = "rank";
    row.rankKey = m.trigger.rankKey;
  }
  const { reward } = m;
  if (reward.kind === "discount") {
    row.rewardKind = "discount";
    row.discountType = reward.value.type;
    if (reward.value.type === "percentage") row.percent = String(reward.value.percent);
    else row.amount = formatMinorUnits(reward.value.amount, currency);
    row.expiresInDays = String(reward.expiresInDays);
    row.minimumSubtotal = reward.minimumSubtotal === null ? "" : formatMinorUnits(reward.minimumSubtotal, currency);
  } else {
    row.rewardKind = "freeSample";
    row.packerNoteJa = reward.packerNote.ja;
    row.packerNoteEn = reward.packerNote.en;
    row.orderTag = reward.orderTag;
  }
  return row;
}

export type MilestoneFormResult = { ok: true; milestones: Milestone[] } | { ok: false; errors: FieldErrors };

/**
 * Parse and validate. Error keys follow validateMilestones: "milestones[i].key",
 * ".trigger.count", ".trigger.rankKey", ".reward.value", ".reward.expiresInDays",
 * ".reward.minimumSubtotal", ".reward.packerNote", ".reward.orderTag".
 */
export function parseMilestoneForm(rows: MilestoneRow[], currency: string, tiers: RankTier[]): MilestoneFormResult {
  const errors: { field: string; message: { en: string; ja: string } }[] = [];
  const unparsable = new Set<string>();
  const fail = (field: string, message: { en: string; ja: string }) => {
    errors.push({ field, message });
    unparsable.add(field);
  };

  const milestones = rows.map((row, i): Milestone => {
    const f = (name: string) => `milestones[${i}].${name}`;
    let trigger: MilestoneTrigger;
    if (row.triggerKind === "rank") {
      trigger = { kind: "rank", rankKey: row.rankKey };
    } else {
      const count = parseWholeNumber(row.count);
      if (!count.ok) fail(f("trigger.count"), count.message);
      trigger = { kind: "orderCount", count: count.ok ? count.value : 1 };
    }

    let reward: MilestoneReward;
    if (row.rewardKind === "freeSample") {
      reward = {
        kind: "freeSample",
        packerNote: { ja: row.packerNoteJa.trim(), en: row.packerNoteEn.trim() },
        orderTag: row.orderTag,
      };
    } else {
      let value: Extract<MilestoneReward, { kind: "discount" }>["value"];
      if (row.discountType === "fixed") {
        const amount = parseOptionalAmount(row.amount, currency);
        if (!amount.ok) fail(f("reward.value"), amount.message);
        else if (amount.value === null) {
          fail(f("reward.value"), { en: "Enter the discount amount.", ja: "割引額を入力してください。" });
        }
        value = { type: "fixed", amount: amount.ok && amount.value !== null ? amount.value : 1n };
      } else {
        const percent = parseWholeNumber(row.percent);
        if (!percent.ok) fail(f("reward.value"), percent.message);
        value = { type: "percentage", percent: percent.ok ? percent.value : 1 };
      }
      const days = parseWholeNumber(row.expiresInDays);
      if (!days.ok) fail(f("reward.expiresInDays"), days.message);
      const minimum = parseOptionalAmount(row.minimumSubtotal, currency);
      if (!minimum.ok) fail(f("reward.minimumSubtotal"), minimum.message);
      reward = {
        kind: "discount",
        value,
        expiresInDays: days.ok ? days.value : 1,
        minimumSubtotal: minimum.ok ? minimum.value : null,
      };
    }
    return { key: row.key.trim(), trigger, reward };
  });

  // Fields we could not read were validated with a stand-in value: their own error says enough.
  for (const error of validateMilestones(milestones, tiers)) {
    if (!unparsable.has(error.field)) errors.push(error);
  }
  if (errors.length > 0) return { ok: false, errors: fieldErrors(errors) };
  return { ok: true, milestones };
}

/** Where each rank key is used by a milestone ("reach VIP"), for the Ranks editor's guard. */
export function rankKeysUsedByMilestones(milestones: Milestone[]): Record<string, string[]> {
  const used: Record<string, string[]> = {};
  for (const m of milestones) {
    if (m.trigger.kind === "rank") (used[m.trigger.rankKey] ??= []).push(m.key);
  }
  return used;
}
