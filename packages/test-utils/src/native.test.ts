import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { nativeMaySkip, nativeSkipReason } from "./native.js";

const saved = process.env.WARMSTART_REQUIRE_NATIVE;
afterEach(() => {
  if (saved === undefined) delete process.env.WARMSTART_REQUIRE_NATIVE;
  else process.env.WARMSTART_REQUIRE_NATIVE = saved;
});

test("without WARMSTART_REQUIRE_NATIVE a missing addon is a skip naming the reason", () => {
  delete process.env.WARMSTART_REQUIRE_NATIVE;
  assert.equal(nativeMaySkip(), true);
  assert.equal(
    nativeSkipReason(true, () => "unused"),
    false,
  );
  assert.equal(
    nativeSkipReason(false, () => "no binding"),
    "native addon unavailable: no binding",
  );
});

test("WARMSTART_REQUIRE_NATIVE=1 turns a missing addon into an error naming the switch and the reason", () => {
  process.env.WARMSTART_REQUIRE_NATIVE = "1";
  assert.equal(nativeMaySkip(), false);
  assert.equal(
    nativeSkipReason(true, () => "unused"),
    false,
  );
  assert.throws(() => nativeSkipReason(false, () => "no binding"), /WARMSTART_REQUIRE_NATIVE=1 .*: no binding/);
});
