/**
 * The follow-up campaigns as stored in Campaign rows (key, enabled, holdoutPercent,
 * attributionDays columns + the `definition` JSON), and as the Follow-up mail page edits them.
 * Pure (no database, no Node built-ins): the scheduler (app/services/followup) reads rows with
 * the same code, and the editor can use it in the browser.
 *
 * Journeys: key "journey:<phase>" (= holdoutCampaignKey of a journey keyed by its phase),
 * definition {"v":1,"phase","steps":[{key,delayDays,subject,body}]}.
 * Replenishment: key "replenishment", definition {"v":1,"leadDays","subject","body"}.
 * Step keys are "step-<n>" by position, and MailSend.step is that n, so the results page can
 * name a step without the definition.
 */
import { parseWholeNumber, type FieldErrors } from "../../domain/form-input";
import { attributionDaysProblem, DEFAULT_ATTRIBUTION_DAYS, DEFAULT_HOLDOUT_PERCENT, parseHoldoutPercent } from "../../domain/holdout";
import { DEFAULT_FIRST_DELAY_DAYS, MAX_STEPS, PHASES, validateJourney, type Journey, type Phase } from "../../domain/journeys";
import type { Localized } from "../../domain/messages";
import { DEFAULT_LEAD_DAYS, leadDaysProblem } from "../../domain/replenishment";
import { checkMailTemplate, defaultFollowUpTemplate, type MailTemplate } from "../../mail/render";

export const REPLENISHMENT_KEY = "replenishment";
export const journeyCampaignKey = (phase: Phase) => `journey:${phase}`;

export interface JourneyStepDefinition extends MailTemplate {
  key: string;
  delayDays: number;
}

export interface JourneyDefinition {
  phase: Phase;
  steps: JourneyStepDefinition[];
}

export interface ReplenishmentDefinition extends MailTemplate {
  leadDays: number;
}

export interface CampaignSettings<D> {
  key: string;
  enabled: boolean;
  holdoutPercent: number;
  attributionDays: number;
  definition: D;
}

export interface CampaignRow {
  key: string;
  enabled: boolean;
  holdoutPercent: number;
  attributionDays: number;
  definition: string;
}

export function defaultReplenishmentTemplate(): MailTemplate {
  return {
    subject: { ja: "【{{shop_name}}】そろそろお手元の商品が少なくなっていませんか", en: "Running low? Time to restock from {{shop_name}}" },
    body: {
      ja: [
        "{{#customer_name}}{{customer_name}}様\n\n{{/customer_name}}いつも{{shop_name}}をご利用いただき、誠にありがとうございます。",
        "前回ご購入いただいた商品が、そろそろ少なくなる頃ではないでしょうか。切らしてしまう前に、ぜひまたご利用ください。",
        "ご不明な点がございましたら、このメールにご返信ください。",
      ].join("\n\n"),
      en: [
        "{{#first_name}}Dear {{first_name}},\n\n{{/first_name}}Thank you for shopping at {{shop_name}}.",
        "The item you bought last time may be running low by now. Restock before it runs out.",
        "If you have any questions, just reply to this email.",
      ].join("\n\n"),
    },
  };
}

export function defaultJourneyDefinition(phase: Phase): JourneyDefinition {
  const template = defaultFollowUpTemplate();
  return {
    phase,
    steps: [1, 2, 3].map((n) => ({
      key: `step-${n}`,
      delayDays: DEFAULT_FIRST_DELAY_DAYS * n,
      subject: { ...template.subject },
      body: { ...template.body },
    })),
  };
}

function isLocalized(v: unknown): v is Localized {
  return typeof v === "object" && v !== null && typeof (v as Localized).ja === "string" && typeof (v as Localized).en === "string";
}

/** A stored definition, or null when it is not one (the page then shows the default). */
export function parseJourneyDefinition(json: string): JourneyDefinition | null {
  try {
    const d = JSON.parse(json) as { v?: unknown; phase?: unknown; steps?: unknown };
    if (d.v !== 1 || !PHASES.includes(d.phase as Phase) || !Array.isArray(d.steps)) return null;
    const steps: JourneyStepDefinition[] = [];
    for (const s of d.steps as Record<string, unknown>[]) {
      if (typeof s !== "object" || s === null) return null;
      if (typeof s.key !== "string" || typeof s.delayDays !== "number" || !isLocalized(s.subject) || !isLocalized(s.body)) return null;
      steps.push({ key: s.key, delayDays: s.delayDays, subject: { ja: s.subject.ja, en: s.subject.en }, body: { ja: s.body.ja, en: s.body.en } });
    }
    return { phase: d.phase as Phase, steps };
  } catch {
    return null;
  }
}

export function parseReplenishmentDefinition(json: string): ReplenishmentDefinition | null {
  try {
    const d = JSON.parse(json) as { v?: unknown; leadDays?: unknown; subject?: unknown; body?: unknown };
    if (d.v !== 1 || typeof d.leadDays !== "number" || !isLocalized(d.subject) || !isLocalized(d.body)) return null;
    return { leadDays: d.leadDays, subject: { ja: d.subject.ja, en: d.subject.en }, body: { ja: d.body.ja, en: d.body.en } };
  } catch {
    return null;
  }
}

export function journeyDefinitionJson(d: JourneyDefinition): string {
  return JSON.stringify({ v: 1, phase: d.phase, steps: d.steps.map((s) => ({ key: s.key, delayDays: s.delayDays, subject: s.subject, body: s.body })) });
}

export function replenishmentDefinitionJson(d: ReplenishmentDefinition): string {
  return JSON.stringify({ v: 1, leadDays: d.leadDays, subject: d.subject, body: d.body });
}

/** The domain Journey (for validateJourney / dueSteps) of a journey campaign; its key is the phase. */
export function journeyFromSettings(c: CampaignSettings<JourneyDefinition>): Journey {
  return {
    key: c.definition.phase,
    phase: c.definition.phase,
    steps: c.definition.steps.map(({ key, delayDays }) => ({ key, delayDays })),
    holdoutPercent: c.holdoutPercent,
    attributionDays: c.attributionDays,
  };
}

/** Every journey phase, stored or default (off), in phase order. */
export function journeysFromRows(rows: readonly CampaignRow[]): CampaignSettings<JourneyDefinition>[] {
  return PHASES.map((phase) => {
    const row = rows.find((r) => r.key === journeyCampaignKey(phase));
    return {
      key: journeyCampaignKey(phase),
      enabled: row?.enabled ?? false,
      holdoutPercent: row?.holdoutPercent ?? DEFAULT_HOLDOUT_PERCENT,
      attributionDays: row?.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS,
      definition: (row && parseJourneyDefinition(row.definition)) || defaultJourneyDefinition(phase),
    };
  });
}

export function replenishmentFromRows(rows: readonly CampaignRow[]): CampaignSettings<ReplenishmentDefinition> {
  const row = rows.find((r) => r.key === REPLENISHMENT_KEY);
  return {
    key: REPLENISHMENT_KEY,
    enabled: row?.enabled ?? false,
    holdoutPercent: row?.holdoutPercent ?? DEFAULT_HOLDOUT_PERCENT,
    attributionDays: row?.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS,
    definition: (row && parseReplenishmentDefinition(row.definition)) || { leadDays: DEFAULT_LEAD_DAYS, ...defaultReplenishmentTemplate() },
  };
}

// ---------------------------------------------------------------------------------------------
// The form: every number stays text until parsed here.

export interface StepForm extends MailTemplate {
  delayDays: string;
}

export interface JourneyForm {
  phase: Phase;
  enabled: boolean;
  holdoutPercent: string;
  attributionDays: string;
  steps: StepForm[];
}

export interface ReplenishmentForm extends MailTemplate {
  enabled: boolean;
  holdoutPercent: string;
  attributionDays: string;
  leadDays: string;
}

export function journeyToForm(c: CampaignSettings<JourneyDefinition>): JourneyForm {
  return {
    phase: c.definition.phase,
    enabled: c.enabled,
    holdoutPercent: String(c.holdoutPercent),
    attributionDays: String(c.attributionDays),
    steps: c.definition.steps.map((s) => ({ delayDays: String(s.delayDays), subject: { ...s.subject }, body: { ...s.body } })),
  };
}

export function replenishmentToForm(c: CampaignSettings<ReplenishmentDefinition>): ReplenishmentForm {
  return {
    enabled: c.enabled,
    holdoutPercent: String(c.holdoutPercent),
    attributionDays: String(c.attributionDays),
    leadDays: String(c.definition.leadDays),
    subject: { ...c.definition.subject },
    body: { ...c.definition.body },
  };
}

/** A whole number as typed; NaN when it is not one (the domain's checks then word the error). */
function wholeOrNaN(text: string): number {
  const parsed = parseWholeNumber(text);
  return parsed.ok ? parsed.value : Number.NaN;
}

function templateErrors(prefix: string, template: MailTemplate, into: FieldErrors): void {
  for (const [field, message] of Object.entries(checkMailTemplate(template))) into[`${prefix}${field}`] = message;
}

export type JourneysParse =
  | { ok: true; journeys: CampaignSettings<JourneyDefinition>[]; replenishment: CampaignSettings<ReplenishmentDefinition> }
  | { ok: false; errors: FieldErrors };

/**
 * The whole page's form → campaigns, or errors keyed "journeys[i].steps[j].delayDays",
 * "journeys[i].steps[j].subject.ja", "replenishment.leadDays", … in both admin languages.
 */
export function parseJourneysForm(input: { journeys: JourneyForm[]; replenishment: ReplenishmentForm }): JourneysParse {
  const errors: FieldErrors = {};
  const journeys: CampaignSettings<JourneyDefinition>[] = [];
  const seen = new Set<Phase>();
  input.journeys.forEach((form, i) => {
    const p = `journeys[${i}].`;
    if (!PHASES.includes(form.phase) || seen.has(form.phase)) {
      errors[`${p}phase`] = { en: "Each customer phase has one journey.", ja: "顧客のフェーズごとにシナリオは1つです。" };
      return;
    }
    seen.add(form.phase);
    if (form.steps.length > MAX_STEPS) {
      errors[`${p}steps`] = { en: `A journey has 1 to ${MAX_STEPS} mails.`, ja: `メールは1〜${MAX_STEPS}通で設定してください。` };
    }
    const holdout = parseHoldoutPercent(form.holdoutPercent);
    const settings: CampaignSettings<JourneyDefinition> = {
      key: journeyCampaignKey(form.phase),
      enabled: form.enabled,
      holdoutPercent: holdout.ok ? holdout.value : Number.NaN,
      attributionDays: wholeOrNaN(form.attributionDays),
      definition: {
        phase: form.phase,
        steps: form.steps.slice(0, MAX_STEPS).map((s, j) => ({
          key: `step-${j + 1}`,
          delayDays: wholeOrNaN(s.delayDays),
          subject: { ja: s.subject.ja, en: s.subject.en },
          body: { ja: s.body.ja, en: s.body.en },
        })),
      },
    };
    for (const [field, message] of Object.entries(validateJourney(journeyFromSettings(settings)))) {
      if (field !== "key") errors[`${p}${field}`] = message;
    }
    if (!holdout.ok) errors[`${p}holdoutPercent`] = holdout.message;
    settings.definition.steps.forEach((s, j) => templateErrors(`${p}steps[${j}].`, s, errors));
    journeys.push(settings);
  });
  for (const phase of PHASES) {
    if (!seen.has(phase)) errors.journeys = { en: "Every customer phase needs its journey.", ja: "すべての顧客フェーズのシナリオが必要です。" };
  }

  const r = input.replenishment;
  const holdout = parseHoldoutPercent(r.holdoutPercent);
  if (!holdout.ok) errors["replenishment.holdoutPercent"] = holdout.message;
  const attributionDays = wholeOrNaN(r.attributionDays);
  const attribution = attributionDaysProblem(attributionDays);
  if (attribution) errors["replenishment.attributionDays"] = attribution;
  const leadDays = wholeOrNaN(r.leadDays);
  const lead = leadDaysProblem(leadDays);
  if (lead) errors["replenishment.leadDays"] = lead;
  const template = { subject: { ja: r.subject.ja, en: r.subject.en }, body: { ja: r.body.ja, en: r.body.en } };
  templateErrors("replenishment.", template, errors);

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    journeys,
    replenishment: {
      key: REPLENISHMENT_KEY,
      enabled: r.enabled,
      holdoutPercent: holdout.ok ? holdout.value : DEFAULT_HOLDOUT_PERCENT,
      attributionDays,
      definition: { leadDays, ...template },
    },
  };
}
