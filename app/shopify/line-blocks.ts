/**
 * Text → lines, many at a time. Iterating a file line by line through readline costs a promise
 * per line (~5 µs: a third of an import's parsing); these generators hand over arrays of lines
 * instead. Line breaks as readline counts them with crlfDelay: Infinity (\n, \r\n, a lone \r), so
 * line numbers stay what they were.
 */
import fs from "node:fs";
import { pipeline } from "node:stream";
import zlib from "node:zlib";

const BREAK = /\r\n|\n|\r/;

/**
 * The lines of a text stream (utf8 text, or bytes decoded as utf8), in blocks. A byte order mark
 * at the start is dropped: editors on Windows add one, and it would make line 1 invalid JSON.
 */
export async function* lineBlocks(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  let first = true;
  for await (const block of splitLines(input)) {
    if (first && block[0]!.startsWith("\uFEFF")) block[0] = block[0]!.slice(1);
    first = false;
    yield block;
  }
}

async function* splitLines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  let rest = "";
  let restBytes: Buffer | null = null;
  for await (const piece of input) {
    if (typeof piece !== "string") {
      // Bytes: each complete line decoded on its own (a \n byte is never inside a multi-byte
      // character). A line of ASCII then becomes a one-byte string, which JSON.parse reads
      // faster than a slice of one big two-byte string; and no regular expression runs.
      const lines: string[] = [];
      let bytes: Buffer = piece;
      if (restBytes) {
        // Only the line cut between two pieces is joined, not the whole piece copied behind it.
        const newline = piece.indexOf(0x0a);
        if (newline < 0) {
          restBytes = Buffer.concat([restBytes, piece]);
          continue;
        }
        decodeLines(Buffer.concat([restBytes, piece.subarray(0, newline + 1)]), lines);
        bytes = piece.subarray(newline + 1);
      }
      const start = decodeLines(bytes, lines);
      restBytes = start < bytes.length ? bytes.subarray(start) : null;
      if (lines.length > 0) yield lines;
      continue;
    }
    const text = rest + piece;
    // A trailing \r may be the first half of \r\n: keep it for the next piece.
    const end = text.endsWith("\r") ? text.length - 1 : text.length;
    const lines = text.slice(0, end).split(BREAK);
    rest = lines.pop()! + text.slice(end);
    if (lines.length > 0) yield lines;
  }
  if (restBytes) rest += restBytes.toString("utf8");
  if (rest === "") return;
  const last = rest.split(BREAK);
  if (last.at(-1) === "") last.pop(); // the file ended with a line break
  if (last.length > 0) yield last;
}

/** Decodes each complete line of `bytes` into `lines`; returns where the unfinished one starts. */
function decodeLines(bytes: Buffer, lines: string[]): number {
  let start = 0;
  for (let newline = bytes.indexOf(0x0a); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
    const end = newline > start && bytes[newline - 1] === 0x0d ? newline - 1 : newline;
    const line = bytes.toString("utf8", start, end);
    if (line.includes("\r")) lines.push(...line.split("\r")); // lone CRs: readline breaks there too
    else lines.push(line);
    start = newline + 1;
  }
  return start;
}

/**
 * The lines of a file: JSONL as Shopify's bulk operation writes it, or gzipped (a `.jsonl.gz`
 * kept or sent that way), told by gzip's magic bytes rather than by the name.
 */
export function fileLineBlocks(file: string): AsyncGenerator<string[]> {
  if (fs.statSync(file).isDirectory()) throw new Error(`${file} is a folder, not a JSONL file`);
  const bytes = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  if (!isGzip(file)) return lineBlocks(bytes);
  const text = pipeline(bytes, zlib.createGunzip({ chunkSize: 256 * 1024 }), () => undefined);
  return lineBlocks(gunzipErrorsExplained(text, file));
}

function isGzip(file: string): boolean {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, "r");
  try {
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** zlib says "unexpected end of file" or "incorrect header check": say which file and what it means. */
async function* gunzipErrorsExplained(text: AsyncIterable<Buffer>, file: string): AsyncGenerator<Buffer> {
  try {
    yield* text;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${file} is gzipped but damaged or cut short (${message}); batches committed before stay, and importing a repaired file again is safe`);
  }
}

/**
 * Lines that arrive one at a time (the backfill's download), each its own block: a batch is
 * imported as soon as its lines have arrived, never held back for a block to fill.
 */
export async function* asLineBlocks(lines: AsyncIterable<string>): AsyncGenerator<string[]> {
  for await (const line of lines) yield [line];
}
