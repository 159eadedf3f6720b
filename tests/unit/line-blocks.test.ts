/**
 * lineBlocks (app/shopify/line-blocks.ts) splits a stream into the lines readline would give
 * (crlfDelay: Infinity), whatever the stream's pieces: bad-line numbers in an import, and the
 * resume point of an interrupted backfill, depend on counting lines exactly as before.
 */
import readline from "node:readline";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { asLineBlocks, lineBlocks } from "~/shopify/line-blocks";

async function viaReadline(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readline.createInterface({ input: Readable.from([Buffer.from(text)]), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

async function viaBlocks(pieces: (string | Buffer)[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const block of lineBlocks(Readable.from(pieces, { objectMode: true }))) lines.push(...block);
  return lines;
}

const TEXTS: Record<string, string> = {
  "a trailing newline": '{"id":1}\n{"title":"ほうじ茶 200g"}\n',
  "no trailing newline": '{"id":1}\n{"title":"緑茶"}',
  "CRLF line breaks": "a\r\nb\r\nc\r\n",
  "a lone CR is a line break": "a\rb\r\nc\rd",
  "blank and whitespace lines": "\n\n  \na\n\n",
  "a text ending in CR": "a\r",
  "CR CR LF, and a CR before an empty line": "a\r\r\nb\r\n\r\nc",
  "only a newline": "\n",
  empty: "",
  "Japanese everywhere": "山田花子\n𠮷野家\r\n🍵 抹茶 薄茶用\n",
};

describe("lineBlocks: the lines readline gives", () => {
  it.each(Object.entries(TEXTS))("%s, read in one piece", async (_name, text) => {
    expect(await viaBlocks([Buffer.from(text)])).toEqual(await viaReadline(text));
  });

  it.each(Object.entries(TEXTS))("%s, cut into pieces at every byte (mid-character, between CR and LF)", async (_name, text) => {
    const bytes = Buffer.from(text);
    const expected = await viaReadline(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await viaBlocks([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
  });

  it.each(Object.entries(TEXTS))("%s, one byte at a time", async (_name, text) => {
    const bytes = Buffer.from(text);
    expect(await viaBlocks([...bytes].map((b) => Buffer.from([b])))).toEqual(await viaReadline(text));
  });

  it("text pieces (a stream with an encoding) split the same way", async () => {
    for (const text of Object.values(TEXTS)) {
      for (let cut = 1; cut < text.length; cut++) {
        expect(await viaBlocks([text.slice(0, cut), text.slice(cut)])).toEqual(await viaReadline(text));
      }
    }
  });

  it("drops a UTF-8 byte order mark at the start of the text, wherever the pieces are cut", async () => {
    const text = '\uFEFF{"id":1}\n\uFEFF{"id":2}\n';
    const bytes = Buffer.from(text);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    // Only the first: a BOM further on is part of its line (and reported as bad JSON there).
    const expected = ['{"id":1}', '\uFEFF{"id":2}'];
    expect(await viaBlocks([bytes])).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) expect(await viaBlocks([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    expect(await viaBlocks([...bytes].map((b) => Buffer.from([b])))).toEqual(expected);
    expect(await viaBlocks([text.slice(0, 1), text.slice(1)])).toEqual(expected);
  });

  it("hands over many lines per block", async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `{"n":${i}}\n`).join("");
    const blocks: string[][] = [];
    for await (const block of lineBlocks(Readable.from([Buffer.from(text)]))) blocks.push(block);
    expect(blocks.length).toBe(1);
    expect(blocks[0]).toHaveLength(5000);
  });
});

describe("asLineBlocks", () => {
  it("passes lines that arrive one at a time on at once, each as its own block", async () => {
    async function* lines() {
      yield "a";
      yield "b";
    }
    const blocks: string[][] = [];
    for await (const block of asLineBlocks(lines())) blocks.push(block);
    expect(blocks).toEqual([["a"], ["b"]]);
  });
});
