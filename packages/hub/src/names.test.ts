import assert from "node:assert/strict";
import { test } from "node:test";
import { HubError } from "./errors.js";
import { assertValidModelId, assertValidRevision, unsafePathReason } from "./names.js";

test("file names that would leave the cache folder are reported, ordinary ones are not", () => {
  for (const ok of ["config.json", "onnx/model.onnx", "a/b/c.txt", "..hidden", "x..y"]) {
    assert.equal(unsafePathReason(ok), undefined, ok);
  }
  for (const bad of [
    "../x",
    "a/../../x",
    "a\\..\\x",
    "/etc/passwd",
    "\\\\host\\share",
    "C:\\x",
    "c:x",
    "a/D:/x",
    "",
    "a\0b",
  ]) {
    assert.notEqual(unsafePathReason(bad), undefined, JSON.stringify(bad));
  }
});

test("model ids follow the Hub's rules", () => {
  for (const ok of ["bert-base-uncased", "google-bert/bert-base-uncased", "org/name.v2", "a_b/c_d"]) {
    assertValidModelId(ok);
  }
  for (const bad of [
    "",
    "a/b/c",
    "a--b/c",
    "a/../b",
    "org/",
    "/name",
    "-org/name",
    "org/name.",
    "a b",
    "x".repeat(97),
  ]) {
    assert.throws(
      () => assertValidModelId(bad),
      (e: unknown) => e instanceof HubError && e.code === "INVALID_ARGUMENT",
      bad,
    );
  }
});

test("revisions may contain slashes (refs/pr/1) but no traversal", () => {
  assertValidRevision("m", "main");
  assertValidRevision("m", "refs/pr/1");
  for (const bad of ["", "..", "../main", "a//b", "a\\b", "refs/./x"]) {
    assert.throws(() => assertValidRevision("m", bad), { code: "INVALID_ARGUMENT" }, bad);
  }
});
