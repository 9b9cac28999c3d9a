import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { HFConfigJSON } from "@warmstart/composer";
import { CliError } from "../framework/cli-error.js";
import { defineAction, examples, withCommonOptions, type ProgramIO, type RunState } from "../framework/command.js";
import type { CommonOptions } from "../framework/context.js";
import { ENCODER_DECODER, locateConfig, modelTypeOf, type LocatedConfig } from "../models/locate.js";
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
  const { describeComposition, modelFamily } = await import("@warmstart/composer");
  const family = type === ENCODER_DECODER ? undefined : modelFamily(type);
  if (family !== undefined) {
    // A single model is shown as the Hub publishes it: the encoder class (as AutoModel builds it) when the family
    // has one, else its causal LM.
    const shapes =
      family.encoder?.parameterShapes(located.config, {}) ?? family.decoder?.parameterShapes(located.config);
    if (shapes === undefined) {
      throw new CliError(
        "UNKNOWN_MODEL",
        `${located.label}: model family "${type}" has no encoder or causal-LM class`,
        {
          hint: "its registered ModelFamily must give encoder or decoder",
        },
      );
    }
    return { source: "config", shapes: [...shapes] };
  }
  // An encoder-decoder config without weights: the composer's config-only accounting, one row per part.
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
    const type = await modelTypeOf(located);
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
