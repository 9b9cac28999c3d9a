import assert from "node:assert/strict";
import { test } from "node:test";
import { CliError } from "./cli-error.js";
import { classifyError } from "./classify-error.js";
import { EXIT } from "./exit-codes.js";

class FakeLibraryError extends Error {
  readonly code: string;
  constructor(name: string, code: string, message: string) {
    super(message);
    this.name = name;
    this.code = code;
  }
}

test("library errors map to documented exit codes by name and code", () => {
  assert.equal(
    classifyError(new FakeLibraryError("TrainingError", "MISSING_COLUMN", "no column")).exitCode,
    EXIT.INPUT,
  );
  assert.equal(
    classifyError(new FakeLibraryError("ComposerError", "UNSUPPORTED_MODEL_TYPE", "t5")).exitCode,
    EXIT.MODEL,
  );
  assert.equal(classifyError(new FakeLibraryError("HubError", "OFFLINE_CACHE_MISS", "offline")).exitCode, EXIT.NETWORK);
  assert.equal(classifyError(new FakeLibraryError("HubError", "NOT_FOUND", "nope")).exitCode, EXIT.MODEL);
  assert.equal(classifyError(new FakeLibraryError("GenerationError", "INVALID_CONFIG", "bad")).exitCode, EXIT.USAGE);
  // The same code from the composer is a malformed config.json, not a bad flag.
  assert.equal(classifyError(new FakeLibraryError("ComposerError", "INVALID_CONFIG", "bad")).exitCode, EXIT.MODEL);
  assert.equal(
    classifyError(new FakeLibraryError("GenerationError", "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS", "4 > 2")).exitCode,
    EXIT.USAGE,
  );
  assert.equal(
    classifyError(new FakeLibraryError("GenerationError", "MAX_LENGTH_TOO_SMALL", "1")).exitCode,
    EXIT.USAGE,
  );
  assert.equal(
    classifyError(new FakeLibraryError("GenerationError", "MISSING_TOKEN_ID", "no eos")).exitCode,
    EXIT.MODEL,
  );
  // A bad value stored in the checkpoint (not given on the command line) is a malformed model file.
  assert.equal(
    classifyError(new FakeLibraryError("ComposerError", "INVALID_GENERATION_CONFIG", "m/generation_config.json: bad"))
      .exitCode,
    EXIT.INPUT,
  );
  assert.equal(classifyError(new FakeLibraryError("TrainingError", "NON_FINITE_LOSS", "nan")).exitCode, EXIT.FAILURE);
});

test("weight files: malformed is an input error (3), absent or of an unusable type a model error (4)", () => {
  for (const code of ["HEADER_TOO_LARGE", "FILE_TOO_SHORT", "INVALID_HEADER_JSON", "DATA_GAP", "INVALID_INDEX"]) {
    const found = classifyError(new FakeLibraryError("SafetensorsError", code, "m/model.safetensors: bad"));
    assert.equal(found.exitCode, EXIT.INPUT, code);
    assert.match(found.hint ?? "", /damaged/);
  }
  assert.equal(classifyError(new FakeLibraryError("PytorchBinError", "INVALID_PICKLE", "bad")).exitCode, EXIT.INPUT);
  assert.equal(classifyError(new FakeLibraryError("SafetensorsError", "MISSING_WEIGHTS", "none")).exitCode, EXIT.MODEL);
  assert.equal(classifyError(new FakeLibraryError("SafetensorsError", "UNSUPPORTED_DTYPE", "f8")).exitCode, EXIT.MODEL);
  assert.equal(classifyError(new FakeLibraryError("SafetensorsError", "CLOSED", "closed")).exitCode, EXIT.FAILURE);
  assert.equal(classifyError(new CliError("MISSING_CONFIG", "no config")).exitCode, EXIT.MODEL);
});

test("the message is the first line only, with a hint; unknown errors suggest --verbose", () => {
  const found = classifyError(
    new FakeLibraryError("TrainingError", "MISSING_COLUMN", 'train.csv: no column "text"\ncolumns: a, b'),
  );
  assert.equal(found.message, 'train.csv: no column "text"');
  assert.equal(found.code, "TrainingError.MISSING_COLUMN");
  assert.match(found.hint ?? "", /--source-column/);
  assert.match(classifyError(new TypeError("x is undefined")).hint ?? "", /--verbose/);
  const cli = classifyError(new CliError("LENGTH_MISMATCH", "3 vs 4", { hint: "align" }));
  assert.deepEqual(cli, { exitCode: EXIT.INPUT, code: "CliError.LENGTH_MISMATCH", message: "3 vs 4", hint: "align" });
});
