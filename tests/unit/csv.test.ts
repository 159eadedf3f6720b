import { describe, expect, it } from "vitest";
import { BOM, csvCell, csvDocument, csvNumber, csvRow, csvText } from "~/domain/csv";

describe("csvText: RFC 4180 quoting and formula defusing", () => {
  it.each([
    ["plain", "plain"],
    ["山田 花子", "山田 花子"],
    ["", ""],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\r\nlf", '"cr\r\nlf"'],
    ["=SUM(A1:A9)", "'=SUM(A1:A9)"],
    ["+81 3 1234", "'+81 3 1234"],
    ["-5", "'-5"],
    ["@import", "'@import"],
    ["\tTAB", "'\tTAB"],
    ["\rCR", "\"'\rCR\""],
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ["=1,2", '"\'=1,2"'],
    ["a=b", "a=b"],
    ["'quoted", "'quoted"],
  ])("%j → %j", (input, output) => {
    expect(csvText(input)).toBe(output);
  });
});

describe("csvCell", () => {
  it.each<[Parameters<typeof csvCell>[0], string]>([
    [null, ""],
    [undefined, ""],
    [0, "0"],
    [12, "12"],
    [-3, "-3"],
    [123456789012345678901234567890n, "123456789012345678901234567890"],
    [csvNumber("1980"), "1980"],
    [csvNumber("-12.50"), "-12.50"],
  ])("%o → %j (numbers are never prefixed)", (cell, text) => {
    expect(csvCell(cell)).toBe(text);
  });

  it("refuses non-numbers as number cells", () => {
    expect(() => csvNumber("=1")).toThrow(/not a decimal/);
    expect(() => csvNumber("1e5")).toThrow(/not a decimal/);
    expect(() => csvCell(Number.NaN)).toThrow(/finite/);
  });
});

describe("csvDocument", () => {
  it("starts with the BOM, ends every record with CRLF", () => {
    const text = csvDocument(["顧客ID", "姓", "メモ"], [
      ["1", "山田", 'お茶が"美味しい"'],
      ["2", "=cmd|' /C calc'!A0", null],
    ]);
    expect(text).toBe(`${BOM}顧客ID,姓,メモ\r\n1,山田,"お茶が""美味しい"""\r\n2,'=cmd|' /C calc'!A0,\r\n`);
    const bytes = new TextEncoder().encode(text);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it("csvRow of an empty row is an empty record", () => {
    expect(csvRow([])).toBe("\r\n");
  });
});
