import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sharedSkipReason, sharedPath } from "@warmstart/test-utils";
import { parseCsv } from "./delimited.js";
import { describeMalformed, parsePairs, readPairs } from "./read-pairs.js";

test("CSV follows RFC 4180: quotes, doubled quotes, delimiters and newlines inside quotes, CRLF", () => {
  const text = 'a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\nplain,\n';
  const records = [...parseCsv(text)];
  assert.deepEqual(records, [
    { line: 1, fields: ["a", "b"] },
    { line: 2, fields: ["x, y", 'say "hi"'] },
    { line: 3, fields: ["two\nlines", "z"] },
    { line: 6, fields: ["plain", ""] },
  ]);
});

test("CSV malformed rows are counted with their line numbers and reading goes on", () => {
  const text = [
    "src,tgt",
    "ok,fine",
    'bad "quote",x',
    '"closed"junk,y',
    "too,many,fields",
    "good,row",
    '"never closed,z',
  ].join("\n");
  const result = parsePairs(text, { format: "csv", columns: { source: "src", target: "tgt" }, file: "t.csv" });
  assert.deepEqual(
    result.examples.map((e) => [e.source, e.target, e.line]),
    [
      ["ok", "fine", 2],
      ["good", "row", 6],
    ],
  );
  assert.deepEqual(
    result.malformed.map((m) => m.line),
    [3, 4, 5, 7],
  );
  assert.match(result.malformed[2]?.reason ?? "", /expected 2 fields, found 3/);
  assert.match(describeMalformed(result), /t\.csv: 2 rows read, 4 malformed:\n {2}line 3:/);
  assert.throws(
    () =>
      parsePairs(text, {
        format: "csv",
        columns: { source: "src", target: "tgt" },
        file: "t.csv",
        failOnMalformed: true,
      }),
    (error: Error & { code?: string }) => error.code === "MALFORMED_ROW" && /^t\.csv:3: /.test(error.message),
  );
});

test("JSONL maps keys and reports bad lines", () => {
  const text = [
    '{"document":"a","summary":"b"}',
    "not json",
    '{"document":"c"}',
    "[1]",
    '{"document":"d","summary":5}',
    '{"document":"e","summary":"f"}',
    "",
  ].join("\n");
  const result = parsePairs(text, { format: "jsonl", columns: { source: "document", target: "summary" } });
  assert.deepEqual(
    result.examples.map((e) => [e.source, e.target, e.line]),
    [
      ["a", "b", 1],
      ["e", "f", 6],
    ],
  );
  assert.deepEqual(
    result.malformed.map((m) => [m.line, m.reason.split(" (")[0]]),
    [
      [2, "invalid JSON"],
      [3, 'missing key "summary"'],
      [4, "expected a JSON object"],
      [5, '"summary" is not a string'],
    ],
  );
});

test("TSV by index keeps quotes literal; a missing named column is a clear error", () => {
  const text = "' ( 1990 ) was\t'' x '' .\r\nonly-one-field\nc\td\n";
  const result = parsePairs(text, { format: "tsv", columns: { source: 0, target: 1 } });
  assert.deepEqual(
    result.examples.map((e) => [e.source, e.target]),
    [
      ["' ( 1990 ) was", "'' x '' ."],
      ["c", "d"],
    ],
  );
  assert.deepEqual(result.malformed, [{ line: 2, reason: "expected 2 fields, found 1" }]);
  assert.throws(() => parsePairs("a\tb\n1\t2\n", { format: "tsv", columns: { source: "a", target: "c" } }), {
    code: "MISSING_COLUMN",
  });
});

test("readPairs infers the format from the extension", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pairs-"));
  try {
    const path = join(dir, "d.jsonl");
    await writeFile(path, '{"s":"x","t":"y"}\n');
    const result = await readPairs(path, { columns: { source: "s", target: "t" } });
    assert.deepEqual(result.examples, [{ source: "x", target: "y", line: 1 }]);
    await assert.rejects(readPairs(join(dir, "d.parquet"), { columns: { source: 0, target: 1 } }), {
      code: "UNSUPPORTED_FORMAT",
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("rows whose source and target are both empty are malformed rows, in every format", () => {
  const jsonl = parsePairs('{"source":"","target":" "}\n{"source":"a","target":""}\n', {
    format: "jsonl",
    columns: { source: "source", target: "target" },
  });
  assert.deepEqual(jsonl.malformed, [{ line: 1, reason: "source and target are both empty" }]);
  assert.deepEqual(jsonl.examples, [{ source: "a", target: "", line: 2 }]);
  const tsv = parsePairs("\t\nx\ty\n", { format: "tsv", columns: { source: 0, target: 1 } });
  assert.deepEqual(tsv.malformed, [{ line: 1, reason: "source and target are both empty" }]);
  assert.equal(tsv.examples.length, 1);
});

test("a binary file is refused without quoting its bytes", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pairs-"));
  try {
    const withNul = join(dir, "model.jsonl");
    await writeFile(withNul, Buffer.from([0x7b, 0x22, 0x00, 0x01, 0xfe, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]));
    await assert.rejects(
      readPairs(withNul, { columns: { source: "s", target: "t" } }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "UNSUPPORTED_FORMAT");
        assert.match(error.message, /model\.jsonl: this looks like a binary file \(a NUL byte at offset 2\)/);
        for (const leaked of ["SECRET", "\u0000", "\ufffd"]) {
          assert.equal(error.message.includes(leaked), false, leaked);
        }
        return true;
      },
    );
    const latin1 = join(dir, "latin1.tsv");
    await writeFile(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x09, 0x78, 0x0a]));
    await assert.rejects(readPairs(latin1, { columns: { source: 0, target: 1 } }), /not UTF-8 text/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("reads the WikiSplit tune split", { skip: sharedSkipReason("data/wikisplit/tune.tsv") }, async () => {
  const result = await readPairs(sharedPath("data/wikisplit/tune.tsv") as string, {
    columns: { source: 0, target: 1 },
  });
  assert.equal(result.examples.length + result.malformed.length, 5000);
  assert.ok(result.examples.length > 4900);
  assert.match(result.examples[0]?.target ?? "", /<::::>/);
});
