/** What happened to each weight when a checkpoint was loaded into a model. */
export interface LoadReport {
  /** Model parameters that took their values from the checkpoint (model names). */
  loaded: string[];
  /** Model parameters the checkpoint lacks: they keep their random initialisation (model names). */
  missing: string[];
  /** Checkpoint weights the model has no use for, such as heads of another task (checkpoint names). */
  unexpected: string[];
  /** Checkpoint entries that are not parameters here: causal-mask and position-id buffers, stored copies of tied weights. */
  skipped: string[];
}

function section(title: string, names: string[], limit: number): string[] {
  if (names.length === 0) return [];
  const shown = names.slice(0, limit).map((n) => `  ${n}`);
  if (names.length > limit) shown.push(`  … and ${names.length - limit} more`);
  return [`${title} (${names.length}):`, ...shown];
}

/** A readable summary, as printed when warm-starting: counts, then the names a user should look at. */
export function formatLoadReport(report: LoadReport, options: { modelName?: string; limit?: number } = {}): string {
  const limit = options.limit ?? 20;
  const name = options.modelName ?? "model";
  const lines = [
    `${name}: ${report.loaded.length} weights loaded, ${report.missing.length} newly initialised, ` +
      `${report.unexpected.length} checkpoint weights unused, ${report.skipped.length} buffers/tied copies skipped`,
    ...section("Newly initialised (train before use)", report.missing, limit),
    ...section("Unused checkpoint weights", report.unexpected, limit),
  ];
  return lines.join("\n");
}
