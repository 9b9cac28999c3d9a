import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_CODE, WarmstartError, isWarmstartError } from "./index.js";

class ToyError extends WarmstartError<"TOY_FAILED"> {
  override readonly name = "ToyError";
}

test("a WarmstartError keeps its code, message and cause", () => {
  const cause = new Error("underneath");
  const error = new ToyError("TOY_FAILED", "the toy failed", { cause });
  assert.equal(error.code, "TOY_FAILED");
  assert.equal(error.message, "the toy failed");
  assert.equal(error.cause, cause);
  assert.equal(error.name, "ToyError");
  assert.ok(error instanceof Error);
  assert.ok(isWarmstartError(error));
  assert.ok(!isWarmstartError(new Error("plain")));
});

test("the code convention is SCREAMING_SNAKE_CASE", () => {
  for (const good of ["INVALID_CONFIG", "MISSING_TOKEN_ID", "E2BIG"]) assert.ok(ERROR_CODE.test(good), good);
  for (const bad of ["unsupported-feature", "missing_token_id", "Invalid_Config", "_X", "X__Y"]) {
    assert.ok(!ERROR_CODE.test(bad), bad);
  }
});
