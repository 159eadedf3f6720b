/**
 * The merchant's notes on a customer (お客様の声): what a note may hold. Pure; the form sends
 * text, this decides.
 */
import type { FieldErrors } from "./form-input";
import { NOTE_CATEGORIES, type NoteCategory } from "./customer-filter";

export { NOTE_CATEGORIES, type NoteCategory };

export const MAX_NOTE_LENGTH = 2000;

export interface NoteInput {
  category: NoteCategory;
  body: string;
}

export type NoteCheck = { ok: true; value: NoteInput } | { ok: false; errors: FieldErrors };

export function isNoteCategory(value: string): value is NoteCategory {
  return (NOTE_CATEGORIES as readonly string[]).includes(value);
}

export function parseNote(input: { category: string; body: string }): NoteCheck {
  const errors: FieldErrors = {};
  if (!isNoteCategory(input.category)) {
    errors.category = { en: "Choose a category.", ja: "分類を選んでください。" };
  }
  // Line ends normalised so the length limit counts what the merchant sees.
  const body = input.body.replace(/\r\n?/g, "\n").trim();
  if (body === "") errors.body = { en: "Write the note.", ja: "メモを入力してください。" };
  else if ([...body].length > MAX_NOTE_LENGTH) {
    errors.body = {
      en: `A note can be at most ${MAX_NOTE_LENGTH.toLocaleString("en")} characters (this one has ${[...body].length.toLocaleString("en")}).`,
      ja: `メモは${MAX_NOTE_LENGTH.toLocaleString("ja")}文字までです（現在${[...body].length.toLocaleString("ja")}文字）。`,
    };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { category: input.category as NoteCategory, body } };
}
