/**
 * CSV as Excel in Japan opens it: UTF-8 with a byte order mark (without it Excel reads Shift_JIS
 * and the names turn to mojibake), RFC 4180 quoting, CRLF line ends. Text cells that a
 * spreadsheet would run as a formula (= + - @, and tab / carriage return, which some
 * spreadsheets strip before looking) get a leading apostrophe — customer names and notes come
 * from the public, so a cell "=HYPERLINK(…)" must stay text. Numbers are written as they are.
 */

/** The UTF-8 byte order mark, as the first character of the file. */
export const BOM = "\uFEFF";
export const CRLF = "\r\n";

/** A number cell: never prefixed (a negative amount stays a number). Decimal text only. */
export interface CsvNumber {
  readonly csvNumber: string;
}

export type CsvCell = string | number | bigint | CsvNumber | null | undefined;

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal string ("1980", "12.50") as a number cell. */
export function csvNumber(decimal: string): CsvNumber {
  if (!DECIMAL.test(decimal)) throw new Error(`not a decimal number: ${decimal}`);
  return { csvNumber: decimal };
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One text cell: defused if it could start a formula, quoted if it holds a quote, comma or line break. */
export function csvText(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) throw new Error(`not a finite number: ${cell}`);
    return String(cell);
  }
  if (typeof cell === "bigint") return cell.toString();
  if (typeof cell === "object") return cell.csvNumber;
  return csvText(cell);
}

/** One record, CRLF-terminated. */
export function csvRow(cells: readonly CsvCell[]): string {
  return cells.map(csvCell).join(",") + CRLF;
}

/** A whole (small) file: BOM, header, rows. Large exports stream csvRow per page instead. */
export function csvDocument(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return BOM + csvRow(header) + rows.map(csvRow).join("");
}
