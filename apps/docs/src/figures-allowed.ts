// Numbers that look like measurements but are not (a number right after `default`, `every`, `up to`, `at most`,
// `timeout` or a `--flag` is taken as a setting without an entry here): limits and targets, sizes of test inputs and buffers,
// the paper's published scores quoted as the paper's. Each says why; anything measured needs a figure
// reference instead (see figures.ts and "Quoting a figure" in benchmarks/README.md).
import type { AllowedFigure } from "./figures.js";

export const ALLOWED_FIGURES: AllowedFigure[] = [
  ...["README.md", "apps/cli/README.md", "apps/docs/docs/demo.md", "packages/evaluation/README.md"].map((file) => ({
    file,
    figure: "95%",
    reason: "the confidence level of the bootstrap intervals (a setting), not a measurement",
  })),
  {
    file: "packages/evaluation/README.md",
    lineContains: "2.5% and 97.5% order",
    reason: "the percentiles that define sacreBLEU's interval, not measurements",
  },
  {
    file: "README.md",
    figure: "3 GB",
    reason: "approximate size of the oracle's PyPI install (torch + transformers), not a benchmark",
  },
  {
    file: "apps/docs/docs/practice/python-interop.md",
    figure: "3 GB",
    reason: "approximate size of the oracle's PyPI install, not a benchmark",
  },
  { file: "apps/cli/README.md", figure: "10 s", reason: "the progress line's interval off a terminal (a setting)" },
  { file: "packages/training/README.md", figure: "15 %", reason: "maskTokens' masking probability (BERT's setting)" },
  {
    file: "apps/docs/docs/theory/index.md",
    figure: "11%",
    reason: "arithmetic on bert-base's parameter counts, computed on the page, not measured",
  },
  {
    file: "apps/docs/docs/analysis/results.md",
    wholeFile: true,
    reason: "the page quotes the paper's (and Hugging Face's blog post's) published scores as theirs, not reproduced",
  },
  {
    file: "apps/docs/docs/practice/roberta-share.md",
    lineContains: "paper reports it",
    reason: "the paper's published ROUGE-2, quoted as the paper's",
  },
  { file: "benchmarks/README.md", figure: "4 GiB", reason: "the wasm heap's size limit" },
  { file: "packages/training/README.md", figure: "4 GiB", reason: "the wasm heap's size limit" },
  {
    file: "packages/training/README.md",
    figure: "64 KiB",
    reason: "how much of a file the format check reads (a setting)",
  },
  { file: "packages/faults/README.md", figure: "4 GiB", reason: "a size in a hostile test input" },
  { file: "packages/faults/README.md", figure: "256 MiB", reason: "the test's memory bound (a limit it asserts)" },
  { file: "packages/faults/README.md", figure: "10 MB", reason: "the size of a hostile test input" },
  { file: "packages/faults/README.md", figure: "1 MB", reason: "the size of a hostile test input" },
  { file: "packages/faults/README.md", figure: "120 s", reason: "the test's time limit per call" },
  { file: "packages/serve/README.md", figure: "1 MiB", reason: "the default request body limit (a setting)" },
];
