// The repository README's "In code" snippet runs as written: it is read from README.md, saved at the repository
// root's level (where the README says to save it) and run in a fresh process, against a tiny BERT built here
// instead of bert-base-uncased (no network, no ../shared). Any drift between the snippet and the API fails here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { BertModel } from "@warmstart/encoders";
import { initBackend, writeSafetensors } from "@warmstart/tensors";
import { Tokenizer } from "@warmstart/tokenizers";

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
// Under the root's node_modules, so that module resolution is the root's (as for a file saved at the root) without
// writing into the shared working tree.
const cacheRoot = join(repositoryRoot, "node_modules", ".cache");
mkdirSync(cacheRoot, { recursive: true });
const scratch = mkdtempSync(join(cacheRoot, "warmstart-readme-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const HUB_ID = "bert-base-uncased";

/** The first ```ts block under "## In code". */
function inCodeSnippet(): string {
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## In code"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match?.[1] !== undefined, 'README.md has no ```ts block under "## In code"');
  return match[1];
}

/** A 2-layer, 16-wide BERT with its tokenizer, in the Hub layout: config.json, model.safetensors, tokenizer files. */
async function writeTinyBert(dir: string): Promise<void> {
  await initBackend({ backend: "cpu" });
  const words = ["a", "long", "text", "its", "summary", "the", "cat", "sat", ".", "..."];
  const tokenizer = Tokenizer.fromVocab({
    kind: "wordpiece",
    vocab: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...words],
    // Fewer positions than the 512 prepareSeq2SeqBatch once defaulted to: the snippet must take the model's.
    modelMaxLength: 32,
  });
  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    vocab_size: tokenizer.vocabSize,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 32,
    pad_token_id: 0,
  };
  const model = BertModel.fromConfig(config, { seed: 3 });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  await writeSafetensors(join(dir, "model.safetensors"), new Map(model.parameters.entries()));
  model.dispose();
  await tokenizer.save(dir);
}

test("the README's In code snippet runs as written (against a tiny local BERT)", async () => {
  const snippet = inCodeSnippet();
  const uses = snippet.split(`"${HUB_ID}"`).length - 1;
  assert.ok(uses >= 2, `the snippet no longer loads "${HUB_ID}": update this test's substitution`);
  const tiny = join(scratch, "tiny-bert");
  await writeTinyBert(tiny);
  const work = join(scratch, "run");
  mkdirSync(work);
  // Inside node_modules a file has no package scope of its own: give it the root's module type, as at the root.
  const { type } = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8")) as { type?: string };
  writeFileSync(join(work, "package.json"), JSON.stringify({ private: true, ...(type === undefined ? {} : { type }) }));
  const file = join(work, "example.ts");
  writeFileSync(file, snippet.replaceAll(`"${HUB_ID}"`, JSON.stringify(tiny)));

  const env: NodeJS.ProcessEnv = { ...process.env, HF_HUB_OFFLINE: "1" };
  delete env.WARMSTART_BACKEND;
  const child = spawnSync(process.execPath, ["--import", "tsx", file], {
    cwd: work,
    encoding: "utf8",
    env,
    timeout: 300_000,
  });
  assert.equal(child.status, 0, `the snippet failed:\n${child.stderr}`);

  const loss = /^loss (\S+)$/m.exec(child.stdout);
  assert.ok(loss?.[1] !== undefined && Number.isFinite(Number(loss[1])), `no finite loss printed:\n${child.stdout}`);
  assert.match(child.stdout, /leveraged/i, "warmStartReport() printed");
  // The decoded outputs: an array of one string (text, not ids).
  assert.match(child.stdout, /^\[ '.*' \]$/m, `no decoded text printed:\n${child.stdout}`);
  const saved = join(work, "bertshare");
  assert.ok(existsSync(saved), "savePretrained wrote ./bertshare");
  assert.deepEqual(readdirSync(saved).sort(), ["config.json", "generation_config.json", "model.safetensors"]);
});

test("the README's two commands and the CLI README run the pnpm package.json pins, through npx, as .ci/run does", () => {
  const { packageManager } = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8")) as {
    packageManager: string;
  };
  assert.match(packageManager, /^pnpm@\d+\.\d+\.\d+$/);
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
  const twoCommands = readme.slice(readme.indexOf("## Two commands"), readme.indexOf("## In code"));
  const commands = twoCommands.split("\n").filter((line) => line.startsWith("npx "));
  const npx = `npx --yes ${packageManager}`;
  assert.deepEqual(commands, [`${npx} install && ${npx} demo`, `${npx} install && ${npx} test`]);
  assert.ok(readme.includes(`${npx} exec tsx example.ts`), "the In code snippet says how to run it");
  const cliReadme = readFileSync(join(repositoryRoot, "apps", "cli", "README.md"), "utf8");
  assert.ok(cliReadme.includes(`${npx} install`));
  assert.doesNotMatch(
    cliReadme,
    /--filter @warmstart\/cli exec warmstart/,
    "pnpm does not link a package's own bin into it",
  );
  const ci = readFileSync(join(repositoryRoot, ".ci", "run"), "utf8");
  assert.match(ci, /packageManager/);
  assert.match(ci, /npx --yes "\$PNPM_SPEC"/);
});
