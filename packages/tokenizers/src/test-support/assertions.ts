import assert from "node:assert/strict";
import { TokenizerError } from "../errors.js";

/** For `assert.rejects`/`assert.throws`: a TokenizerError with `code`, its message matching `pattern`. */
export function hasCode(code: string, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TokenizerError, `expected a TokenizerError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return true;
  };
}
