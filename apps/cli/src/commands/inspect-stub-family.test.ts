// The CLI half of the stub-family test (packages/composer/src/families/stub-family.test.ts): `warmstart inspect`
// finds a model family registered through @warmstart/composer's public registerModelFamily, by the CLI that users
// run, with the family preloaded into the child process as a plugin would be.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../test-support/run-cli.js";

const tsx = fileURLToPath(import.meta.resolve("tsx"));
const register = fileURLToPath(new URL("../test-support/register-toy-family.ts", import.meta.url));
const withToy = { env: { NODE_OPTIONS: `--import ${tsx} --import ${register}` } };

const dir = mkdtempSync(join(tmpdir(), "cli-stub-family-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOY = {
  model_type: "toy",
  vocab_size: 50,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 32,
  type_vocab_size: 2,
};
// BERT's encoder without pooler: embeddings (word, position, token type, LayerNorm) and one layer.
const TOY_TOTAL = 50 * 8 + 32 * 8 + 2 * 8 + 2 * 8 + (4 * (8 * 8 + 8) + 2 * 8 + (8 * 16 + 16) + (16 * 8 + 8) + 2 * 8);

function folderWith(name: string, config: object): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, "config.json"), JSON.stringify(config));
  return folder;
}

const toyFolder = folderWith("toy", TOY);

test("inspect: without the family registered, toy is an unknown model type", async () => {
  const { code, stderr } = await runCli(["inspect", toyFolder]);
  assert.equal(code, 4);
  assert.match(stderr, /unknown model type "toy"[\s\S]*supported model types: bert, roberta, gpt2, encoder-decoder/);
});

test("inspect: a registered toy family is counted from its config by the family's own shapes", async () => {
  const { code, stdout, stderr } = await runCli(["inspect", toyFolder, "--json"], withToy);
  assert.equal(code, 0, stderr);
  const info = JSON.parse(stdout) as { modelType: string; parameterSource: string; total: number };
  assert.equal(info.modelType, "toy");
  assert.equal(info.parameterSource, "config");
  assert.equal(info.total, TOY_TOTAL);
});

test("inspect: an encoder-decoder config with a toy encoder goes through describeComposition", async () => {
  const bert = { ...TOY, model_type: "bert" };
  const composed = folderWith("toy2bert", {
    model_type: "encoder-decoder",
    encoder: TOY,
    decoder: { ...bert, is_decoder: true, add_cross_attention: true },
    decoder_start_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 0,
  });
  const { code, stdout, stderr } = await runCli(["inspect", composed, "--json"], withToy);
  assert.equal(code, 0, stderr);
  const info = JSON.parse(stdout) as { modelType: string; components: { component: string; parameters: number }[] };
  assert.equal(info.modelType, "encoder-decoder");
  assert.equal(info.components.find((c) => c.component === "encoder")?.parameters, TOY_TOTAL);
});
