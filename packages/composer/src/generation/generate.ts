import {
  checkGenerationOptions,
  DEFAULT_MAX_NEW_TOKENS,
  hfName,
  mergeGenerationConfig,
  type GenerationConfig,
} from "./configuration.js";
import { SeededRandom } from "@warmstart/core";
import { ensureBackend } from "@warmstart/tensors";
import { GenerationError } from "./errors.js";
import { buildLogitsProcessors, type LogitsProcessor, type LogitsProcessorList } from "./logits-processors.js";
import type { GenerationInputs, Seq2SeqStepModel } from "./model-interface.js";
import { beamSearch } from "./search/beam-search.js";
import {
  checkConstraint,
  constraintsFromForceWordsIds,
  DisjunctiveConstraint,
  PhrasalConstraint,
  type Constraint,
} from "./search/beam-constraints.js";
import { constrainedBeamSearch } from "./search/constrained-beam-search.js";
import type { SearchContext, SearchOutput } from "./search/context.js";
import { greedySearch } from "./search/greedy.js";
import { groupBeamSearch } from "./search/group-beam-search.js";
import { sampleSearch } from "./search/sample.js";
import { multinomialSampler, type CandidateSampler } from "./search/sampler.js";
import type { PrefixAllowedTokensFn } from "./prefix-constrained.js";
import { mergeCustom } from "./prefix-constrained.js";
import {
  EosTokenCriteria,
  MaxLengthCriteria,
  MaxTimeCriteria,
  StopStringCriteria,
  StoppingCriteriaList,
  type Clock,
  type StoppingCriteria,
} from "./stopping-criteria.js";
import type { BaseStreamer } from "./streamers.js";

/** What `generate` takes besides the generation settings (transformers' other `generate()` arguments). */
export interface GenerateOptions {
  /**
   * Receives the decoder prompt, then every step's tokens, then `end()` (transformers' `streamer`); greedy search
   * and sampling only: with `numBeams` > 1 `generate` throws, as transformers does.
   */
  streamer?: BaseStreamer;
  /**
   * Your stopping criteria (transformers' `stopping_criteria`), merged with the ones the config makes (max length,
   * max time, stop strings, eos) as transformers 5 merges them: one of the same class as a built-in criterion takes
   * its place, the others are checked after the built-in ones. Every strategy honours them: greedy search and
   * sampling per row; beam search and beam sampling on every candidate of a step (a candidate they stop is finished
   * like one ending in eos); group and constrained beam search stop when they say every beam is done (4.56's rule).
   */
  stoppingCriteria?: readonly StoppingCriteria[];
  /**
   * Your logits processors (transformers' `logits_processor`), e.g. `new NoBadWordsLogitsProcessor(...)` or any
   * object with `process(inputIds, scores, vocabSize)`: merged like `stoppingCriteria` (same class replaces a built-in
   * one, the others run after the built-in processors and before the sampling warpers), in every strategy.
   */
  logitsProcessors?: readonly LogitsProcessor[];
  /** Constrained generation: `(batchId, inputIds)` → the allowed next token ids (`PrefixConstrainedLogitsProcessor`). */
  prefixAllowedTokensFn?: PrefixAllowedTokensFn;
  /**
   * Constrained beam search (transformers' `constraints=`, 4.56 semantics): conditions every output must meet,
   * `PhrasalConstraint` / `DisjunctiveConstraint` or your own `Constraint`; combined with `forceWordsIds` (these
   * first). Needs `numBeams` > 1, no `doSample`, no `numBeamGroups` > 1.
   */
  constraints?: readonly Constraint[];
  /**
   * Needed with `stopStrings`, as transformers' `tokenizer=`: a `Tokenizer` from `@warmstart/tokenizers`, or
   * `{ decode, vocabSize, prefixIds }` (a decode function, the vocabulary size and the ids of "abcdef").
   */
  tokenizer?: Parameters<typeof StopStringCriteria.fromTokenizer>[0];
  /** The clock of `maxTime` (seconds); defaults to `performance.now()`. For tests. */
  clock?: Clock;
  /**
   * Sampling and beam sampling draw their tokens / candidates with this instead of the default seeded
   * `multinomialSampler` (e.g. to replay the draws of another run: the random streams of PyTorch and this project
   * differ, the distributions they draw from do not).
   */
  sampler?: CandidateSampler;
}

/** What `generate` returns. */
export interface GenerateOutput {
  /**
   * Decoder sequences, prompt (decoder start token) included, `[batch * numReturnSequences][length]`, the
   * sequences of input 0 first; right-padded to a common length, that of the longest returned sequence.
   * Greedy search and sampling pad with `padTokenId`; beam search, like transformers, with `padTokenId` unless
   * it is unset or 0, and the first eos id then.
   */
  sequences: number[][];
  /** Beam search only: the length-normalised log-probability score of each returned sequence. */
  sequencesScores?: number[];
  /**
   * With `outputScores`: the processed scores of every step, each row-major `[rows, vocabSize]` (logits after the
   * processors for greedy search and sampling; log-probabilities after the processors for beam search).
   */
  scores?: Float32Array[];
  /** With `outputLogits`: the raw logits of every step, each row-major `[rows, vocabSize]`. */
  logits?: Float32Array[];
  /**
   * Beam search with `returnDictInGenerate`: `[returned sequences][generated length]`, the row
   * (`input * numBeams + beam`) of the step's scores each generated token came from, -1 once it ended (as
   * transformers' `beam_indices`); `computeTransitionScores` takes it.
   */
  beamIndices?: number[][];
}

/**
 * The output fields as asked: with `returnDictInGenerate` exactly transformers' (`scores` and beam search's
 * `sequencesScores` only with `outputScores`, `logits` with `outputLogits`, `beamIndices` for beam search);
 * without it, `sequences`, beam search's `sequencesScores`, and `scores` / `logits` when asked for.
 */
function shapeOutput(out: SearchOutput, cfg: GenerationConfig): GenerateOutput {
  const result: GenerateOutput = { sequences: out.sequences };
  const beam = out.beamIndices !== undefined;
  if (out.sequencesScores !== undefined && (!cfg.returnDictInGenerate || cfg.outputScores)) {
    result.sequencesScores = out.sequencesScores;
  }
  if (cfg.outputScores && out.scores !== undefined) result.scores = out.scores;
  if (cfg.outputLogits && out.logits !== undefined) result.logits = out.logits;
  if (cfg.returnDictInGenerate && beam) result.beamIndices = out.beamIndices!;
  return result;
}

/** The sampler of a sampling run: the caller's, or the seeded default (`seed`, else a random seed). */
function samplerOf(cfg: GenerationConfig, options: GenerateOptions): CandidateSampler {
  if (options.sampler !== undefined) return options.sampler;
  if (cfg.seed !== undefined && !Number.isSafeInteger(cfg.seed)) {
    throw new GenerationError("INVALID_CONFIG", `seed must be an integer, got ${String(cfg.seed)}`, "seed");
  }
  return multinomialSampler(new SeededRandom(cfg.seed ?? Math.floor(Math.random() * 4294967296)));
}

/** Settings resolved from a config, after validation. */
interface ResolvedSettings {
  config: GenerationConfig;
  prompts: number[][];
  maxLength: number;
  eosTokenIds: number[];
  padTokenId: number;
  /** What beam search right-pads shorter hypotheses with. */
  beamFillTokenId: number;
  processors: LogitsProcessorList;
  /** Constrained beam search: `options.constraints` then those of `forceWordsIds`; null without either. */
  constraints: Constraint[] | null;
}

function missingTokenId(field: keyof GenerationConfig, why: string): GenerationError {
  return new GenerationError(
    "MISSING_TOKEN_ID",
    `${field} is not set: ${why}. Pass ${field} to generate() or set "${hfName(field)}" in the checkpoint's ` +
      "generation_config.json / config.json",
    field,
  );
}

function requireInteger(config: GenerationConfig, field: keyof GenerationConfig, min: number): void {
  const value = config[field];
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new GenerationError(
      "INVALID_CONFIG",
      `${field} (${hfName(field)}) must be an integer >= ${min}, got ${JSON.stringify(value)}`,
      field,
    );
  }
}

function checkMatrix(name: string, rows: unknown, expectedRows?: number, expectedCols?: number[]): number[][] {
  if (!Array.isArray(rows) || rows.length === 0 || !rows.every((r) => Array.isArray(r) && r.length > 0)) {
    throw new GenerationError("INVALID_INPUTS", `${name} must be a non-empty array of non-empty id arrays`);
  }
  const matrix = rows as number[][];
  if (expectedRows !== undefined && matrix.length !== expectedRows) {
    throw new GenerationError("INVALID_INPUTS", `${name} has ${matrix.length} rows, expected ${expectedRows}`);
  }
  matrix.forEach((row, i) => {
    if (!row.every((v) => Number.isInteger(v))) {
      throw new GenerationError("INVALID_INPUTS", `${name}[${i}] must hold integers`);
    }
    if (expectedCols !== undefined && row.length !== expectedCols[i]) {
      throw new GenerationError(
        "INVALID_INPUTS",
        `${name}[${i}] has length ${row.length}, expected ${expectedCols[i]} (the length of inputIds[${i}])`,
      );
    }
  });
  return matrix;
}

/** Validates inputs and config and resolves the derived settings; throws `GenerationError`. */
export function resolveGenerationSettings(
  inputs: GenerationInputs,
  config: GenerationConfig,
  options: Pick<GenerateOptions, "logitsProcessors" | "prefixAllowedTokensFn" | "constraints"> = {},
): ResolvedSettings {
  checkCustomList(options, "logitsProcessors", "process");
  const inputIds = checkMatrix("inputIds", inputs.inputIds);
  if (inputs.attentionMask !== undefined) {
    checkMatrix(
      "attentionMask",
      inputs.attentionMask,
      inputIds.length,
      inputIds.map((r) => r.length),
    );
  }
  if (inputs.tokenTypeIds !== undefined) {
    checkMatrix(
      "tokenTypeIds",
      inputs.tokenTypeIds,
      inputIds.length,
      inputIds.map((r) => r.length),
    );
  }
  const widths = new Set(inputIds.map((r) => r.length));
  if (widths.size > 1 && inputs.attentionMask === undefined) {
    throw new GenerationError(
      "INVALID_INPUTS",
      "inputIds rows have different lengths: pad them to one length and pass attentionMask (1 = token, 0 = padding)",
    );
  }

  requireInteger(config, "numBeams", 1);
  requireInteger(config, "numReturnSequences", 1);
  if (config.maxLength !== undefined) requireInteger(config, "maxLength", 1);
  requireInteger(config, "minLength", 0);
  if (config.minNewTokens !== undefined) requireInteger(config, "minNewTokens", 0);
  requireInteger(config, "noRepeatNgramSize", 0);
  requireInteger(config, "topK", 0);
  if (config.maxNewTokens !== undefined) requireInteger(config, "maxNewTokens", 1);
  if (!Number.isFinite(config.lengthPenalty)) {
    throw new GenerationError("INVALID_CONFIG", `lengthPenalty (length_penalty) must be finite`, "lengthPenalty");
  }

  // Sampling without beams may return any number of samples per input; every beam strategy at most numBeams.
  if (config.numReturnSequences > config.numBeams && (config.numBeams > 1 || !config.doSample)) {
    throw new GenerationError(
      "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS",
      `numReturnSequences (${config.numReturnSequences}) is larger than numBeams (${config.numBeams}): ` +
        `beam search returns at most numBeams sequences per input. Raise numBeams (num_beams) to at least ` +
        `${config.numReturnSequences}, lower numReturnSequences (num_return_sequences), or set doSample for samples`,
      "numBeams",
    );
  }
  const constraints = resolveConstraints(config, options.constraints);
  requireInteger(config, "numBeamGroups", 1);
  if (config.numBeams % config.numBeamGroups !== 0) {
    throw new GenerationError(
      "INVALID_CONFIG",
      `numBeamGroups (num_beam_groups, ${config.numBeamGroups}) must divide numBeams (num_beams, ${config.numBeams})`,
      "numBeamGroups",
    );
  }
  if (!Number.isFinite(config.diversityPenalty)) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "diversityPenalty (diversity_penalty) must be finite",
      "diversityPenalty",
    );
  }
  if (config.numBeamGroups > 1 && config.diversityPenalty === 0) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "diverse beam search (numBeamGroups > 1) needs diversityPenalty (diversity_penalty) other than 0, as in " +
        "transformers: otherwise the groups are identical",
      "diversityPenalty",
    );
  }
  if (config.numBeamGroups === 1 && config.diversityPenalty !== 0) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "diversityPenalty (diversity_penalty) only applies to diverse beam search: set numBeamGroups (num_beam_groups) " +
        "above 1 or diversityPenalty to 0",
      "diversityPenalty",
    );
  }
  if (config.numBeamGroups > 1 && config.doSample) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "diverse beam search (numBeamGroups > 1) cannot sample, as in transformers: set doSample (do_sample) to false",
      "numBeamGroups",
    );
  }

  // transformers falls back to bos for encoder-decoder models whose decoder start is unset.
  const start = config.decoderStartTokenId ?? config.bosTokenId;
  if (start === undefined || !Number.isInteger(start)) {
    throw missingTokenId("decoderStartTokenId", "the decoder needs a first token (e.g. [CLS] for BERT2BERT)");
  }
  let prompts: number[][];
  if (inputs.decoderInputIds !== undefined) {
    prompts = checkMatrix("decoderInputIds", inputs.decoderInputIds, inputIds.length);
    if (new Set(prompts.map((p) => p.length)).size > 1) {
      throw new GenerationError("INVALID_INPUTS", "decoderInputIds rows must all have the same length");
    }
    // As transformers: prompts get the start token prepended only when no row starts with it (a batch where only
    // some rows start with it is taken as it is).
    if (prompts.every((p) => p[0] !== start)) prompts = prompts.map((p) => [start, ...p]);
  } else {
    prompts = inputIds.map(() => [start]);
  }
  const promptLength = prompts[0]!.length;

  // Unset eos: nothing ends a sequence early, every one runs to the maximum length.
  const eosTokenIds =
    config.eosTokenId === undefined
      ? []
      : Array.isArray(config.eosTokenId)
        ? [...config.eosTokenId]
        : [config.eosTokenId];
  if (config.padTokenId !== undefined && !Number.isInteger(config.padTokenId)) {
    throw new GenerationError("INVALID_CONFIG", `padTokenId (pad_token_id) must be an integer`, "padTokenId");
  }
  // Unset pad: transformers pads with the first eos id. With no eos either, no row ever needs padding (all reach
  // the maximum length together), so the value is never written.
  const padTokenId = config.padTokenId ?? eosTokenIds[0] ?? -1;
  // transformers' beam search fills with `pad_token_id or eos_token_id[0]`: a pad id of 0 is falsy, so eos is used.
  const beamFillTokenId = padTokenId !== 0 ? padTokenId : (eosTokenIds[0] ?? padTokenId);

  const maxLength =
    config.maxNewTokens !== undefined
      ? promptLength + config.maxNewTokens
      : (config.maxLength ?? promptLength + DEFAULT_MAX_NEW_TOKENS);
  if (maxLength <= promptLength) {
    throw new GenerationError(
      "MAX_LENGTH_TOO_SMALL",
      `maxLength (max_length) is ${maxLength} but the decoder prompt already has ${promptLength} token(s), ` +
        `so nothing can be generated: raise maxLength above ${promptLength} or set maxNewTokens (max_new_tokens)`,
      "maxLength",
    );
  }
  const minLength = config.minNewTokens !== undefined ? promptLength + config.minNewTokens : config.minLength;
  // Built here so that invalid processor settings fail before the encoder runs.
  const processors = buildLogitsProcessors({ ...config, minLength }, eosTokenIds, {
    prefixAllowedTokensFn: options.prefixAllowedTokensFn,
    logitsProcessors: options.logitsProcessors,
    encoderInputIds: inputIds,
    promptLength,
    maxLength,
  });
  return { config, prompts, maxLength, eosTokenIds, padTokenId, beamFillTokenId, processors, constraints };
}

/**
 * Checks a list of user processors / criteria before anything runs: a list, each entry with its method (`process`,
 * `isDone`). The earlier option name `logitsProcessor` is refused by name, so code written for it is not silently
 * generated without its processors.
 */
function checkCustomList(
  options: Partial<Record<"logitsProcessors" | "stoppingCriteria", unknown>>,
  field: "logitsProcessors" | "stoppingCriteria",
  method: "process" | "isDone",
): void {
  if ("logitsProcessor" in options && (options as { logitsProcessor?: unknown }).logitsProcessor !== undefined) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "generate()'s option logitsProcessor is now logitsProcessors (transformers' logits_processor): rename it",
      "logitsProcessors",
    );
  }
  const list = options[field];
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    throw new GenerationError("INVALID_CONFIG", `${field} must be a list, got ${typeof list}`, field);
  }
  list.forEach((entry: unknown, i) => {
    if (
      typeof entry !== "object" ||
      entry === null ||
      typeof (entry as Record<string, unknown>)[method] !== "function"
    ) {
      throw new GenerationError(
        "INVALID_CONFIG",
        `${field}[${i}] must be an object with a ${method}() method (a ${field === "logitsProcessors" ? "LogitsProcessor" : "StoppingCriteria"})`,
        field,
      );
    }
  });
}

/**
 * The constraints of constrained beam search with transformers 4.56's checks: the mode is on as soon as either
 * `constraints` or `forceWordsIds` is given; it cannot sample or use beam groups, and needs more than one beam.
 */
function resolveConstraints(config: GenerationConfig, given: readonly Constraint[] | undefined): Constraint[] | null {
  if (given === undefined && config.forceWordsIds === undefined) return null;
  const conflict = (field: keyof GenerationConfig, value: unknown): GenerationError =>
    new GenerationError(
      "INVALID_CONFIG",
      `constraints or forceWordsIds (force_words_ids) make this constrained beam search, which cannot run with ` +
        `${field} (${hfName(field)}) ${JSON.stringify(value)}: unset one of them`,
      field,
    );
  if (config.numBeams > 1 && config.doSample) throw conflict("doSample", config.doSample);
  if (config.numBeams > 1 && config.numBeamGroups !== 1) throw conflict("numBeamGroups", config.numBeamGroups);
  if (given !== undefined && !Array.isArray(given)) {
    throw new GenerationError("INVALID_CONFIG", "constraints must be a list of Constraint objects", "constraints");
  }
  // Built-in constraints are correct by construction; transformers checks the others when they are created.
  for (const constraint of given ?? []) {
    if (!(constraint instanceof PhrasalConstraint || constraint instanceof DisjunctiveConstraint)) {
      checkConstraint(constraint);
    }
  }
  const all = [
    ...(given ?? []),
    ...(config.forceWordsIds !== undefined ? constraintsFromForceWordsIds(config.forceWordsIds) : []),
  ];
  if (config.numBeams <= 1) {
    throw new GenerationError(
      "INVALID_CONFIG",
      `constrained beam search (constraints / forceWordsIds) needs numBeams (num_beams) > 1, got ${config.numBeams}`,
      "numBeams",
    );
  }
  if (all.length === 0) {
    throw new GenerationError(
      "INVALID_CONFIG",
      "constraints is empty: give at least one constraint, or leave it unset",
      "constraints",
    );
  }
  return all;
}

/**
 * Generates decoder sequences for a batch of encoder inputs: greedy search (`numBeams` 1), beam search
 * (`numBeams` > 1), sampling (`doSample`) or beam sampling (both), with Hugging Face's semantics. `config` is
 * layered over Hugging Face's defaults (`mergeGenerationConfig`); models pass their checkpoint defaults as earlier
 * layers.
 *
 * The encoder runs once per input; beams (or samples) become rows of one decoder batch; the decoder's key/value
 * cache is reordered on beam selection (`useCache`, default true).
 */
export async function generate<E, C>(
  model: Seq2SeqStepModel<E, C>,
  inputs: GenerationInputs,
  config: Partial<GenerationConfig> = {},
  options: GenerateOptions = {},
): Promise<GenerateOutput> {
  checkGenerationOptions(config);
  checkCustomList(options, "stoppingCriteria", "isDone");
  const settings = resolveGenerationSettings(inputs, mergeGenerationConfig(config), options);
  // A model built by hand (any Seq2SeqStepModel) may reach here first, and the search creates tensors.
  await ensureBackend();
  const { config: cfg } = settings;
  const { streamer } = options;
  if (streamer !== undefined && cfg.numBeams > 1) {
    throw new GenerationError(
      "INVALID_CONFIG",
      `a streamer cannot be used with beam search (numBeams is ${cfg.numBeams}): set numBeams (num_beams) to 1`,
      "numBeams",
    );
  }
  if (options.sampler !== undefined && !cfg.doSample) {
    // Greedy and beam search draw nothing: a sampler given there would be ignored without a word.
    throw new GenerationError(
      "INVALID_CONFIG",
      "a sampler only draws the tokens of sampling and beam sampling: set doSample (do_sample), or drop the sampler",
      "doSample",
    );
  }
  let stopStrings: StopStringCriteria | undefined;
  if (cfg.stopStrings !== undefined) {
    if (options.tokenizer === undefined) {
      throw new GenerationError(
        "INVALID_CONFIG",
        "stopStrings (stop_strings) needs the tokenizer: pass { tokenizer } in generate()'s options, as transformers' tokenizer=",
        "stopStrings",
      );
    }
    stopStrings = await StopStringCriteria.fromTokenizer(options.tokenizer, cfg.stopStrings);
  }
  if (cfg.maxTime !== undefined && !(typeof cfg.maxTime === "number" && cfg.maxTime >= 0)) {
    throw new GenerationError("INVALID_CONFIG", "maxTime (max_time) must be a number of seconds >= 0", "maxTime");
  }
  const attentionMask = inputs.attentionMask ?? inputs.inputIds.map((row) => row.map(() => 1));
  const rowsPerInput = cfg.numBeams > 1 ? cfg.numBeams : cfg.doSample ? cfg.numReturnSequences : 1;

  let encoded: E;
  if (inputs.encoderOutputs !== undefined) {
    if (model.encoderStateFromOutputs === undefined) {
      throw new GenerationError("INVALID_INPUTS", "this model cannot take encoderOutputs: pass inputIds only");
    }
    encoded = await model.encoderStateFromOutputs(inputs.encoderOutputs, attentionMask);
  } else {
    encoded = await model.encode(
      inputs.inputIds,
      attentionMask,
      inputs.tokenTypeIds !== undefined ? { tokenTypeIds: inputs.tokenTypeIds } : undefined,
    );
  }
  let encoderState = encoded;
  if (rowsPerInput > 1) {
    // The unexpanded state is freed before the search so it does not sit in memory for every step.
    try {
      encoderState = await model.expandEncoderState(encoded, rowsPerInput);
    } finally {
      model.disposeEncoderState(encoded);
    }
  }
  try {
    const ctx: SearchContext<E, C> = {
      model,
      encoderState,
      prompts: settings.prompts,
      maxLength: settings.maxLength,
      eosTokenIds: settings.eosTokenIds,
      padTokenId: settings.padTokenId,
      beamFillTokenId: settings.beamFillTokenId,
      processors: settings.processors,
      // transformers' order; the time limit starts now, after the encoder.
      stoppingCriteria: new StoppingCriteriaList(
        mergeCustom<StoppingCriteria>(
          [
            new MaxLengthCriteria(settings.maxLength),
            ...(cfg.maxTime !== undefined
              ? [new MaxTimeCriteria(cfg.maxTime, { ...(options.clock ? { clock: options.clock } : {}) })]
              : []),
            ...(stopStrings !== undefined ? [stopStrings] : []),
            ...(settings.eosTokenIds.length > 0 ? [new EosTokenCriteria(settings.eosTokenIds)] : []),
          ],
          options.stoppingCriteria,
        ),
      ),
      useCache: cfg.useCache,
      ...(streamer !== undefined ? { streamer } : {}),
      outputScores: cfg.outputScores,
      outputLogits: cfg.outputLogits,
    };
    // As transformers: the prompt of every (expanded) row goes to the streamer before the first step.
    if (streamer !== undefined) {
      await streamer.put(settings.prompts.flatMap((p) => Array.from({ length: rowsPerInput }, () => p)));
    }
    let out: SearchOutput;
    // What every beam strategy shares.
    const beams = {
      numBeams: cfg.numBeams,
      lengthPenalty: cfg.lengthPenalty,
      earlyStopping: cfg.earlyStopping,
      numReturnSequences: cfg.numReturnSequences,
    };
    if (settings.constraints !== null) {
      out = await constrainedBeamSearch(ctx, { ...beams, constraints: settings.constraints });
    } else if (cfg.numBeamGroups > 1) {
      out = await groupBeamSearch(ctx, {
        ...beams,
        numBeamGroups: cfg.numBeamGroups,
        diversityPenalty: cfg.diversityPenalty,
      });
    } else if (cfg.numBeams > 1) {
      out = await beamSearch(ctx, { ...beams, ...(cfg.doSample ? { sampler: samplerOf(cfg, options) } : {}) });
    } else if (cfg.doSample) {
      out = await sampleSearch(ctx, samplerOf(cfg, options), rowsPerInput);
    } else {
      out = await greedySearch(ctx);
    }
    if (streamer !== undefined) await streamer.end();
    return shapeOutput(out, cfg);
  } finally {
    model.disposeEncoderState(encoderState);
  }
}
