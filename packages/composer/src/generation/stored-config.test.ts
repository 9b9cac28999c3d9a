import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ComposerError } from "../errors.js";
import { blameStoredSetting, checkStoredGenerationConfig, readGenerationConfigFile } from "./configuration.js";
import { GenerationError } from "./errors.js";

const isStoredConfigError = (path: string) => (error: unknown) =>
  error instanceof ComposerError && error.code === "INVALID_GENERATION_CONFIG" && error.message.includes(path);

test("a checkpoint's generation_config.json that is not JSON or has a wrongly typed value is a model-file error naming it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "warmstart-genconfig-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "generation_config.json");
  writeFileSync(path, '{"num_beams": 2');
  assert.throws(() => readGenerationConfigFile(path), isStoredConfigError(path));
  writeFileSync(path, '{"num_beams": "four"}');
  assert.throws(() => readGenerationConfigFile(path), isStoredConfigError(path));
  writeFileSync(path, '{"num_beams": 4, "max_length": 32}');
  assert.deepEqual(readGenerationConfigFile(path), { num_beams: 4, max_length: 32 });
  assert.throws(() => checkStoredGenerationConfig([1, 2], "config.json"), isStoredConfigError("config.json"));
});

test("a value rejected at generate() is blamed on the stored file only when the call did not pass it", () => {
  const rejected = new GenerationError(
    "INVALID_CONFIG",
    "numBeams (num_beams) must be an integer >= 1, got -3",
    "numBeams",
  );
  const stored = { num_beams: -3 };
  const blamed = blameStoredSetting(rejected, stored, {}, "m/generation_config.json");
  assert.ok(isStoredConfigError("m/generation_config.json")(blamed), String(blamed));
  assert.match((blamed as Error).message, /^m\/generation_config\.json: numBeams \(num_beams\) must be/);
  assert.equal(blameStoredSetting(rejected, stored, { numBeams: -3 }, "m/generation_config.json"), rejected);
  assert.equal(blameStoredSetting(rejected, {}, {}, "m/generation_config.json"), rejected);
  const other = new GenerationError("INVALID_INPUTS", "inputIds must be a non-empty array");
  assert.equal(blameStoredSetting(other, stored, {}, "m/generation_config.json"), other);
});
