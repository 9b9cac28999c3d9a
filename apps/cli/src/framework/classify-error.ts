import { CliError } from "./cli-error.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** What the CLI prints and returns for a failure. */
export interface ClassifiedError {
  exitCode: ExitCode;
  /** `<ErrorName>.<code>`, stable for `--json` consumers. */
  code: string;
  message: string;
  hint: string | undefined;
}

// Library errors are matched by their `name` and `code` rather than by class, so that a command which never
// touches tensors need not load TensorFlow.js just to recognise a tokenizer or hub error.
const INPUT_CODES = new Set([
  // @warmstart/evaluation
  "INVALID_ARGUMENT",
  "LENGTH_MISMATCH",
  "EMPTY_INPUT",
  "EMPTY_REFERENCE",
  // @warmstart/training
  "MALFORMED_ROW",
  "MISSING_COLUMN",
  "UNSUPPORTED_FORMAT",
  "CHECKPOINT_NOT_FOUND",
  "CHECKPOINT_MISMATCH",
  // @warmstart/tokenizers
  "NOT_A_STRING",
  "INVALID_FILE",
  // @warmstart/composer: a generation_config.json (or config.json generation keys) that is not valid JSON or
  // holds a bad value is a malformed model file, not a bad command line
  "INVALID_GENERATION_CONFIG",
]);
const USAGE_CODES = new Set([
  "INVALID_OPTION",
  "OUTPUT_EXISTS",
  "UNKNOWN_ROUGE_TYPE",
  "UNKNOWN_METRIC",
  "MAX_LENGTH_TOO_LARGE",
  "MAX_LENGTH_TOO_SMALL",
]);
// A generation setting out of range comes from the command line (--num-beams, --max-length, ...). ComposerError
// has an INVALID_CONFIG of its own, a malformed config.json (a model error), so these are matched with the name.
const GENERATION_USAGE_CODES = new Set(["INVALID_CONFIG", "NUM_RETURN_SEQUENCES_EXCEEDS_NUM_BEAMS"]);
const MODEL_CODES = new Set([
  // @warmstart/composer
  "INVALID_CONFIG",
  "MISSING_SUB_CONFIG",
  "UNSUPPORTED_MODEL_TYPE",
  "MISSING_SPECIAL_TOKEN",
  "TIE_MISMATCH",
  "MISSING_WEIGHTS",
  "WEIGHT_SHAPE_MISMATCH",
  // @warmstart/modeling (the model errors of every family)
  "UNKNOWN_MODEL_TYPE",
  "UNKNOWN_ACTIVATION",
  "INVALID_FIELD",
  "UNSUPPORTED_FEATURE",
  "SHAPE_MISMATCH",
  "INVALID_SOURCE",
  // @warmstart/tokenizers, @warmstart/hub, generation
  "MISSING_FILES",
  "NO_WEIGHTS",
  "MISSING_TOKEN_ID",
]);
const NETWORK_CODES = new Set(["NETWORK", "OFFLINE_CACHE_MISS", "UNAUTHORIZED", "HTTP", "INTEGRITY"]);

const hints: Record<string, string> = {
  NOT_FOUND: "check the model id or folder path; a local folder must contain config.json",
  OFFLINE_CACHE_MISS: "run once with network access to fill the cache, or pass a local folder",
  NETWORK: "check the network connection, or set HF_HUB_OFFLINE=1 and use cached or local models",
  MISSING_COLUMN: "name the columns with --source-column / --target-column",
  UNSUPPORTED_MODEL_TYPE: "use a BERT, RoBERTa or GPT-2 checkpoint (model_type bert, roberta or gpt2)",
  UNKNOWN_MODEL_TYPE: "use a BERT, RoBERTa or GPT-2 checkpoint (model_type bert, roberta or gpt2)",
  LENGTH_MISMATCH: "the files must have one example per line and the same number of lines",
  EMPTY_INPUT: "the input files are empty: give at least one line",
  ENOENT: "check the path",
  EACCES: "check the file's permissions",
  EISDIR: "give a file, not a folder",
  INVALID_GENERATION_CONFIG: "fix the value in the file, or delete the file to use the model config's settings",
};

/** The hint of a weight file the readers found malformed (any code of theirs that maps to exit 3). */
const DAMAGED_WEIGHTS_HINT = "the weights file is truncated or damaged: download or save the model again";

// The weight readers of @warmstart/tensors: apart from weights that are absent or of a type this project cannot
// use (a model error) and a reader used after close (a bug), every code says the file itself is malformed
// (truncated, bad header, bad offsets, bad zip or pickle): an input error like any other malformed file.
const WEIGHT_FILE_ERRORS = new Set(["SafetensorsError", "PytorchBinError"]);
const WEIGHT_MODEL_CODES = new Set(["MISSING_WEIGHTS", "UNSUPPORTED_DTYPE", "UNKNOWN_TENSOR"]);

function exitFor(name: string, code: string): ExitCode {
  if (WEIGHT_FILE_ERRORS.has(name)) {
    if (code === "CLOSED") return EXIT.FAILURE;
    return WEIGHT_MODEL_CODES.has(code) ? EXIT.MODEL : EXIT.INPUT;
  }
  if (name === "HubError") {
    if (code === "NOT_FOUND" || code === "NO_WEIGHTS") return EXIT.MODEL;
    if (code === "INVALID_ARGUMENT") return EXIT.USAGE;
    return NETWORK_CODES.has(code) ? EXIT.NETWORK : EXIT.FAILURE;
  }
  if (name === "ModelInputError") return EXIT.INPUT;
  if (name === "GenerationError" && GENERATION_USAGE_CODES.has(code)) return EXIT.USAGE;
  if (USAGE_CODES.has(code)) return EXIT.USAGE;
  if (INPUT_CODES.has(code)) return EXIT.INPUT;
  if (MODEL_CODES.has(code)) return EXIT.MODEL;
  if (NETWORK_CODES.has(code)) return EXIT.NETWORK;
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR" || code === "ENOTDIR") return EXIT.INPUT;
  return EXIT.FAILURE;
}

/** Maps any thrown value to an exit status, a stable code and a one-line message with what to do. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, code: `CliError.${error.code}`, message: error.message, hint: error.hint };
  }
  if (error instanceof Error) {
    const raw = (error as unknown as { code?: unknown }).code;
    const code = typeof raw === "string" ? raw : "";
    const name = error.name === "Error" && code !== "" ? "SystemError" : error.name;
    const message = error.message.split("\n")[0] ?? error.message;
    const exitCode = code === "" ? EXIT.FAILURE : exitFor(error.name, code);
    const damagedWeights = WEIGHT_FILE_ERRORS.has(error.name) && exitCode === EXIT.INPUT;
    return {
      exitCode,
      code: code === "" ? name : `${name}.${code}`,
      message,
      hint:
        hints[code] ??
        (damagedWeights
          ? DAMAGED_WEIGHTS_HINT
          : code === ""
            ? "run again with --verbose for the stack trace"
            : undefined),
    };
  }
  return {
    exitCode: EXIT.FAILURE,
    code: "Unknown",
    message: String(error),
    hint: "run again with --verbose for details",
  };
}
