/**
 * The Ranks editor's form ⇄ the domain's RankTier[]. Rows come in ladder order (lowest first),
 * so a row's position is its index + 1: the merchant reorders rows, never types positions.
 */
import { fieldErrors, parseOptionalAmount, parseOptionalWholeNumber, parseWholeNumber, type FieldErrors } from "./form-input";
import { GUEST_TEMPLATE_KEY } from "./messages";
import { formatMinorUnits } from "./money";
import { validateRankTiers, type RankTier } from "./rank";

export interface TierRow {
  key: string;
  labelJa: string;
  labelEn: string;
  /** Whole number as typed; "" = no order condition. */
  minOrders: string;
  /** Decimal in the shop currency as typed; "" = no spend condition. */
  minWindowSpent: string;
  combine: "any" | "all";
}

export interface RankForm {
  windowMonths: string;
  tiers: TierRow[];
}

export const MIN_WINDOW_MONTHS = 1;
export const MAX_WINDOW_MONTHS = 36;

export function rankFormFrom(tiers: RankTier[], windowMonths: number, currency: string): RankForm {
  return {
    windowMonths: String(windowMonths),
    tiers: [...tiers]
      .sort((a, b) => a.position - b.position)
      .map((t) => ({
        key: t.key,
        labelJa: t.labelJa,
        labelEn: t.labelEn,
        minOrders: t.minOrders === null ? "" : String(t.minOrders),
        minWindowSpent: t.minWindowSpent === null ? "" : formatMinorUnits(t.minWindowSpent, currency),
        combine: t.combine,
      })),
  };
}

export type RankFormResult =
  | { ok: true; tiers: RankTier[]; windowMonths: number }
  | { ok: false; errors: FieldErrors };

/**
 * Parse and validate. Errors are keyed by the form's field paths: "windowMonths",
 * "tiers", "tiers[i].key|labelJa|labelEn|minOrders|minWindowSpent|conditions".
 * `keysInUse` are rank keys other settings depend on (a milestone "reach VIP"), with what
 * uses them: removing such a tier is refused rather than silently breaking the milestone.
 */
export function parseRankForm(form: RankForm, currency: string, keysInUse: Record<string, string[]> = {}): RankFormResult {
  const errors: { field: string; message: { en: string; ja: string } }[] = [];
  const unparsable = new Set<string>();

  const months = parseWholeNumber(form.windowMonths);
  if (!months.ok) errors.push({ field: "windowMonths", message: months.message });
  else if (months.value < MIN_WINDOW_MONTHS || months.value > MAX_WINDOW_MONTHS) {
    errors.push({
      field: "windowMonths",
      message: {
        en: `Enter ${MIN_WINDOW_MONTHS} to ${MAX_WINDOW_MONTHS} months.`,
        ja: `${MIN_WINDOW_MONTHS}〜${MAX_WINDOW_MONTHS}か月で入力してください。`,
      },
    });
  }

  const tiers: RankTier[] = form.tiers.map((row, i) => {
    const orders = parseOptionalWholeNumber(row.minOrders);
    if (!orders.ok) {
      errors.push({ field: `tiers[${i}].minOrders`, message: orders.message });
      unparsable.add(`tiers[${i}].minOrders`);
    }
    const spend = parseOptionalAmount(row.minWindowSpent, currency);
    if (!spend.ok) {
      errors.push({ field: `tiers[${i}].minWindowSpent`, message: spend.message });
      unparsable.add(`tiers[${i}].minWindowSpent`);
    }
    return {
      key: row.key.trim(),
      position: i + 1,
      labelJa: row.labelJa.trim(),
      labelEn: row.labelEn.trim(),
      minOrders: orders.ok ? orders.value : null,
      minWindowSpent: spend.ok ? spend.value : null,
      combine: row.combine === "all" ? "all" : "any",
    };
  });

  for (const error of validateRankTiers(tiers)) {
    const tier = /^tiers\[(\d+)\]\.(\w+)$/.exec(error.field);
    if (tier) {
      const [, i, name] = tier;
      // A field we could not read was validated as empty: its own error says enough.
      if (unparsable.has(error.field)) continue;
      if (name === "conditions" && (unparsable.has(`tiers[${i}].minOrders`) || unparsable.has(`tiers[${i}].minWindowSpent`))) continue;
      if (name === "label") {
        // One message for the pair, shown at the empty one(s).
        const row = tiers[Number(i)]!;
        if (row.labelJa === "") errors.push({ field: `tiers[${i}].labelJa`, message: error.message });
        if (row.labelEn === "") errors.push({ field: `tiers[${i}].labelEn`, message: error.message });
        continue;
      }
      // Positions come from the row order; a position error cannot be the merchant's doing.
      if (name === "position") continue;
    }
    errors.push(error);
  }

  // Message templates are keyed by rank key, with "guest" for orders without a customer.
  tiers.forEach((tier, i) => {
    if (tier.key === GUEST_TEMPLATE_KEY) {
      errors.push({
        field: `tiers[${i}].key`,
        message: { en: `"${GUEST_TEMPLATE_KEY}" is reserved for orders without a customer.`, ja: `「${GUEST_TEMPLATE_KEY}」は予約済みのキーです。` },
      });
    }
  });

  const keys = new Set(tiers.map((t) => t.key));
  for (const [key, users] of Object.entries(keysInUse)) {
    if (keys.has(key) || users.length === 0) continue;
    errors.push({
      field: "tiers",
      message: {
        en: `The rank "${key}" is the trigger of the reward ${users.join(", ")}. Change the reward first, or keep the rank.`,
        ja: `ランク「${key}」は特典 ${users.join("、")} の条件に使われています。先に特典を変更するか、ランクを残してください。`,
      },
    });
  }

  if (errors.length > 0) return { ok: false, errors: fieldErrors(errors) };
  return { ok: true, tiers, windowMonths: (months as { value: number }).value };
}

/** A tier as JSON carries it to the browser (bigint does not survive JSON). */
export type WireTier = Omit<RankTier, "minWindowSpent"> & { minWindowSpent: string | null };

export function tiersToWire(tiers: RankTier[]): WireTier[] {
  return tiers.map((t) => ({ ...t, minWindowSpent: t.minWindowSpent === null ? null : t.minWindowSpent.toString() }));
}

export function tiersFromWire(tiers: WireTier[]): RankTier[] {
  return tiers.map((t) => ({ ...t, minWindowSpent: t.minWindowSpent === null ? null : BigInt(t.minWindowSpent) }));
}

/** Same ladder and window: saving it again would change nothing, so no recompute is needed. */
export function sameRankSettings(a: { tiers: RankTier[]; windowMonths: number }, b: { tiers: RankTier[]; windowMonths: number }): boolean {
  const text = (s: { tiers: RankTier[]; windowMonths: number }) =>
    JSON.stringify([
      s.windowMonths,
      [...s.tiers]
        .sort((x, y) => x.position - y.position)
        .map((t) => [t.key, t.position, t.labelJa, t.labelEn, t.minOrders, t.minWindowSpent?.toString() ?? null, t.combine]),
    ]);
  return text(a) === text(b);
}
