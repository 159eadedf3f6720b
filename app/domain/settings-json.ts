/**
 * The merchant's message templates and milestones as stored in Shop (JSON text). Amounts are
 * decimal strings of minor units in JSON — bigint does not survive JSON.stringify, and a float
 * would lose yen. Parsing is strict: a stored value we cannot read is an error, never silently
 * the defaults (that would hand out rewards the merchant switched off).
 */
import { z } from "zod";
import { defaultMessageTemplates, type MessageTemplates } from "./messages";
import { defaultMilestones, type Milestone } from "./milestones";

const localized = z.object({ ja: z.string(), en: z.string() });
const minorUnits = z.string().regex(/^-?\d+$/, "an amount in minor units").transform((s) => BigInt(s));

const milestoneSchema = z.object({
  key: z.string(),
  trigger: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("orderCount"), count: z.number().int() }),
    z.object({ kind: z.literal("rank"), rankKey: z.string() }),
  ]),
  reward: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("discount"),
      value: z.discriminatedUnion("type", [
        z.object({ type: z.literal("percentage"), percent: z.number().int() }),
        z.object({ type: z.literal("fixed"), amount: minorUnits }),
      ]),
      expiresInDays: z.number().int(),
      minimumSubtotal: minorUnits.nullable(),
    }),
    z.object({ kind: z.literal("freeSample"), packerNote: localized, orderTag: z.string() }),
  ]),
});

export function milestonesToJson(milestones: Milestone[]): string {
  return JSON.stringify(milestones, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
}

/** null (nothing stored) = the defaults. */
export function milestonesFromJson(text: string | null): Milestone[] {
  if (text === null) return defaultMilestones();
  return z.array(milestoneSchema).parse(JSON.parse(text)) as Milestone[];
}

export function milestoneToJson(milestone: Milestone): string {
  return milestonesToJson([milestone]).slice(1, -1);
}

export function milestoneFromJson(text: string): Milestone {
  return milestoneSchema.parse(JSON.parse(text)) as Milestone;
}

export function templatesToJson(templates: MessageTemplates): string {
  return JSON.stringify(templates);
}

/** null = the defaults; stored templates are merged over them, so a new rank key still has text. */
export function templatesFromJson(text: string | null): MessageTemplates {
  const defaults: MessageTemplates = defaultMessageTemplates();
  if (text === null) return defaults;
  return { ...defaults, ...z.record(localized).parse(JSON.parse(text)) };
}
