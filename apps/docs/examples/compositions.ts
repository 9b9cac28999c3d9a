// Parameter accounting of compositions, from config files only (no weights are read or downloaded).
import { describeComposition, formatCompositionReport, type CompositionReport } from "@warmstart/composer";

export async function bertShareAccounting(): Promise<{ report: CompositionReport; text: string }> {
  // #region describe
  const report = await describeComposition("bert-base-cased", "bert-base-cased", { tieEncoderDecoder: true });
  console.log(formatCompositionReport(report));
  // report.total 137,298,244 · report.random 28,366,848 (the decoder's cross-attention) · report.tied 107,719,680
  // #endregion describe
  return { report, text: formatCompositionReport(report) };
}
