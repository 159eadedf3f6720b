import type { FieldErrors } from "../domain/form-input";
import type { Locale } from "../locales";

/** The message for one form field in the admin's language, or undefined (Polaris: no error). */
export function errorFor(errors: FieldErrors | undefined, field: string, locale: Locale): string | undefined {
  return errors?.[field]?.[locale];
}
