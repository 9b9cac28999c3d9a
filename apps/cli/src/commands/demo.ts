import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { DEMO_COMPOSITION_NAMES } from "../demo/compositions.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { CliError } from "../framework/cli-error.js";
import { decimal, integer } from "../framework/option-parsers.js";

function compositionList(text: string): string[] {
  const names = text.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !DEMO_COMPOSITION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown composition ${unknown.map((n) => `"${n}"`).join(", ")}; use a comma-separated list of ${DEMO_COMPOSITION_NAMES.join(", ")}.`,
    );
  }
  return names;
}

/**
 * Where the demo writes without --out: beside the other warmstart caches, not in the working directory, so that
 * `pnpm demo` from a clone leaves the repository as it was. The run names the folder at its start and end.
 */
export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME === undefined || env.XDG_CACHE_HOME === "" ? join(homedir(), ".cache") : env.XDG_CACHE_HOME;
  return join(cache, "warmstart", "demo");
}

interface DemoFlags extends CommonOptions {
  quick?: boolean;
  steps?: number;
  lr?: number;
  fromHub?: boolean;
  hubBert?: string;
  hubGpt2?: string;
  testExamples?: number;
  trainExamples?: number;
  documents?: number;
  compositions?: string[];
  seed: number;
  out?: string;
}

export function registerDemo(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("demo")
      .description(
        "The paper in miniature: warm-start Rnd2Rnd, Rnd2BERT, BERT2Rnd, BERT2BERT, BERTShare, RoBERTaShare, BERT2GPT2 and Rnd2GPT2 from the small pre-trained checkpoints bundled with warmstart (or from the Hub), fine-tune each with the same budget on sentence fusion / splitting, and print SARI, exact match, BLEU and ROUGE-2 with 95% intervals beside the copy-the-input baseline.",
      )
      .option(
        "--quick",
        "the short budget (Rnd2Rnd, BERT2Rnd, BERT2BERT, BERTShare): under 10 minutes on 2 CPU cores; without it every composition the checkpoints allow, trained longer",
      )
      .option("--steps <n>", "fine-tuning steps per composition", integer(1))
      .option(
        "--lr <x>",
        "peak fine-tuning learning rate of every composition",
        decimal({ min: 0, exclusiveMin: true, max: 1 }),
      )
      .option(
        "--from-hub",
        "warm-start from Google's BERT miniatures and DistilGPT2 on the Hugging Face Hub instead of the bundled checkpoints",
      )
      .option("--hub-bert <name|id>", "with --from-hub: tiny, mini (default), small, medium, or a BERT's Hub id")
      .option("--hub-gpt2 <id>", "with --from-hub: a GPT-2's Hub id (default distilbert/distilgpt2)")
      .option("--test-examples <n>", "score only the first n test examples", integer(1))
      .option("--train-examples <n>", "fine-tune on only the first n training examples", integer(1))
      .option(
        "--documents <n>",
        "use only the first n of the corpus's 500 documents (smaller CI runs)",
        integer(10, 500),
      )
      .option(
        "--compositions <names>",
        `only these compositions, comma-separated (of ${DEMO_COMPOSITION_NAMES.join(", ")})`,
        compositionList,
      )
      .option("--seed <n>", "seed of data split, initialisation and data order", integer(0), 1)
      .option(
        "--out <dir>",
        "where data, models, results.json and results.md go (default: ~/.cache/warmstart/demo, or $XDG_CACHE_HOME/warmstart/demo)",
      ),
  ).addHelpText(
    "after",
    examples([
      "warmstart demo --quick",
      "warmstart demo",
      "warmstart demo --quick --compositions Rnd2Rnd,BERT2BERT",
      "warmstart demo --quick --steps 5 --test-examples 4 --documents 60 --out /tmp/demo-ci",
      "warmstart demo --quick --from-hub --hub-bert tiny",
    ]),
  );
  defineAction<DemoFlags>(command, io, state, async (ctx, _args, flags) => {
    const { QUICK, FULL } = await import("../demo/budget.js");
    const base = flags.quick === true ? QUICK : FULL;
    const custom = [flags.steps, flags.lr, flags.testExamples, flags.trainExamples, flags.documents].some(
      (v) => v !== undefined,
    );
    const budget = {
      ...base,
      name: custom ? `${base.name}, custom budget` : base.name,
      ...(flags.steps === undefined ? {} : { fineTuneSteps: flags.steps }),
      ...(flags.lr === undefined ? {} : { fineTuneLearningRate: flags.lr }),
      ...(flags.testExamples === undefined ? {} : { testExamples: flags.testExamples }),
    };
    if (flags.fromHub !== true && (flags.hubBert !== undefined || flags.hubGpt2 !== undefined)) {
      throw new CliError("USAGE", "--hub-bert and --hub-gpt2 choose what --from-hub downloads", {
        hint: "add --from-hub, or drop them to use the bundled checkpoints",
      });
    }
    const out = resolve(flags.out ?? defaultDemoDir());
    ctx.log(`writing data, models and results to ${out}`);
    // Download a GPT-2 only when a composition that runs needs one.
    const running = flags.compositions ?? budget.compositions;
    const wantsGpt2 = running === null || running.some((name) => name.endsWith("GPT2"));
    const checkpoints =
      flags.fromHub === true
        ? await (
            await import("../demo/hub-checkpoints.js")
          ).downloadHubCheckpoints(ctx, {
            ...(flags.hubBert === undefined ? {} : { bert: flags.hubBert }),
            gpt2: wantsGpt2 ? (flags.hubGpt2 ?? undefined) : null,
          })
        : (await import("../demo/checkpoints.js")).bundledCheckpoints();
    const { runDemo } = await import("../demo/pipeline.js");
    const { results, markdown, files, backend } = await runDemo(ctx, {
      budget,
      seed: flags.seed,
      out,
      checkpoints,
      trainExamples: flags.trainExamples,
      documents: flags.documents,
      compositions: flags.compositions,
    });
    ctx.print(`\n${markdown}\nsaved ${files.join(" and ")} (backend ${backend}); models in ${join(out, "models")}`);
    ctx.result({ ok: true, files, backend, ...results });
  });
}
