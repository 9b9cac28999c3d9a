/**
 * The `warmstart pretrain` arguments of the end-to-end tests' tiny masked-LM BERT (the `tiny-bert` preset, a
 * 120-word vocabulary trained on `text`, 16-token blocks, batch 4): seconds on 2 cores, saved to `out`. Add
 * `--quiet` / `--json` as a test needs.
 */
export function tinyBertPretrainArgs(
  text: string,
  out: string,
  options: { steps?: number; vocabSize?: number } = {},
): string[] {
  return [
    "pretrain",
    "--objective",
    "mlm",
    "--config",
    "tiny-bert",
    "--text",
    text,
    "--out",
    out,
    "--vocab-size",
    String(options.vocabSize ?? 120),
    "--block-size",
    "16",
    "--batch-size",
    "4",
    "--steps",
    String(options.steps ?? 2),
  ];
}
