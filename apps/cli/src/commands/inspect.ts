import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { HFConfigJSON } from "@warmstart/composer";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { locateConfig, modelTypeOf, type LocatedConfig } from "../models/locate.js";
import { componentRows, formatComponentRows, type ComponentRow } from "../models/parameter-table.js";

interface InspectOptions extends CommonOptions {
  paperTable?: boolean;
}

/** The architecture fields worth a glance, whatever the family calls them. */
function summary(config: HFConfigJSON): Record<string, unknown> {
  const pick = (...keys: string[]): unknown => keys.map((k) => config[k]).find((v) => v !== undefined) ?? null;
  return {
    model_type: config.model_type ?? null,
    hidden_size: pick("hidden_size", "n_embd"),
    num_hidden_layers: pick("num_hidden_layers", "n_layer"),
    num_attention_heads: pick("num_attention_heads", "n_head"),
    intermediate_size: pick("intermediate_size", "n_inner"),
    vocab_size: pick("vocab_size"),
    max_position_embeddings: pick("max_position_embeddings", "n_positions"),
  };
}

/** Shapes from the checkpoint header when the folder has weights, else computed from the config. */
async function parameterShapes(
  located: LocatedConfig,
  type: string,
): Promise<{ source: string; shapes: [string, number[]][] }> {
  const dir = located.dir;
  if (dir !== null && ["model.safetensors", "model.safetensors.index.json"].some((f) => existsSync(join(dir, f)))) {
    const { openCheckpoint } = await import("@warmstart/tensors");
    const checkpoint = await openCheckpoint(dir);
    try {
      return { source: "checkpoint", shapes: checkpoint.names().map((n) => [n, [...checkpoint.info(n).shape]]) };
    } finally {
      checkpoint.close();
    }
  }
  if (type === "bert" || type === "roberta") {
    const { BertModel, bertConfigFromHF, robertaConfigFromHF } = await import("@warmstart/encoders");
    const config = type === "bert" ? bertConfigFromHF(located.config) : robertaConfigFromHF(located.config);
    return { source: "config", shapes: [...BertModel.parameterShapes(config)] };
  }
  if (type === "gpt2") {
    const { GPT2LMHeadModel, gpt2ConfigFromHF } = await import("@warmstart/decoders");
    return { source: "config", shapes: [...GPT2LMHeadModel.parameterShapes(gpt2ConfigFromHF(located.config))] };
  }
  // An encoder-decoder config without weights: the composer's config-only accounting, one row per part.
  const { describeComposition } = await import("@warmstart/composer");
  const encoder = located.config.encoder as HFConfigJSON | undefined;
  const decoder = located.config.decoder as HFConfigJSON | undefined;
  if (encoder === undefined || decoder === undefined) {
    throw new CliError(
      "BAD_INPUT",
      `${located.label}: an encoder-decoder config.json needs "encoder" and "decoder" sub-configs`,
      {
        hint: "re-save the model with `warmstart compose ... --out DIR`",
      },
    );
  }
  const report = await describeComposition(null, null, {
    encoderConfig: encoder,
    decoderConfig: decoder,
    tieEncoderDecoder: located.config.tie_encoder_decoder === true,
  });
  const parts = (["encoder", "decoder", "projection"] as const).flatMap((part) => {
    const counts = report.parts[part];
    // Distinct counts: tied decoder weights are the encoder's tensors, counted once as transformers does.
    return counts === null ? [] : [[part, [counts.distinct]] as [string, number[]]];
  });
  return { source: "config", shapes: parts };
}

export function registerInspect(program: Command, io: ProgramIO, state: RunState): void {
  const command = withCommonOptions(
    program
      .command("inspect")
      .description(
        "Show the config and the parameter table of a checkpoint or composition, or the paper's nine-row table.",
      )
      .argument(
        "[model]",
        "Hub id, local folder, config.json, or a shipped config (bert-base-uncased, bert-base-cased, roberta-base, gpt2)",
      )
      .option(
        "--paper-table",
        "print the random / leveraged / total table of the paper's nine compositions, from the shipped configs (offline)",
      ),
  ).addHelpText(
    "after",
    examples([
      "warmstart inspect bert-base-cased",
      "warmstart inspect ./bert2bert --json",
      "warmstart inspect --paper-table",
    ]),
  );
  defineAction<InspectOptions>(command, io, state, async (ctx, [model], options) => {
    if (options.paperTable === true) {
      if (model !== undefined) {
        throw new CliError("USAGE", "--paper-table takes no model", {
          hint: "run `warmstart inspect --paper-table` alone",
        });
      }
      const { describePaperCompositions, formatCompositionTable } = await import("@warmstart/composer");
      const rows = await describePaperCompositions();
      ctx.print(
        "Rothe et al. (2020), Table 1 compositions: bert-base-cased, roberta-base, gpt2; Rnd = BERT-base architecture.\n" +
          "Counted from the shipped configs as transformers' num_parameters() does (tied tensors once).\n\n" +
          formatCompositionTable(rows),
      );
      ctx.result({
        ok: true,
        rows: rows.map(({ name, report }) => ({
          name,
          random: report.random,
          leveraged: report.leveraged,
          total: report.total,
          tied: report.tied,
        })),
      });
      return;
    }
    if (model === undefined) {
      throw new CliError("USAGE", "inspect needs a model (or --paper-table)", {
        hint: "e.g. `warmstart inspect bert-base-cased`",
      });
    }
    const located = await locateConfig(model);
    const type = modelTypeOf(located);
    const { source, shapes } = await parameterShapes(located, type);
    const rows: ComponentRow[] = componentRows(shapes);
    const total = rows.reduce((s, r) => s + r.parameters, 0);
    const fields = summary(located.config);
    const header = Object.entries(fields)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `  ${k}: ${String(v)}`)
      .join("\n");
    ctx.print(
      `${located.label}\n${header}\n\nparameters (from the ${source}; tied tensors once):\n${formatComponentRows(rows)}`,
    );
    ctx.result({
      ok: true,
      model: located.label,
      modelType: type,
      config: located.config,
      summary: fields,
      parameterSource: source,
      total,
      components: rows,
    });
  });
}
