/** Which part of the composed model a weight belongs to. */
export type Part = "encoder" | "decoder" | "projection";

/** One named weight of a composed model, as the report sees it. */
export interface WeightEntry {
  /** Full state-dict name (`encoder.…`, `decoder.…`, `enc_to_dec_proj.…`). */
  name: string;
  part: Part;
  /** Number of scalars. */
  size: number;
  /** For a decoder weight tied to the encoder: the encoder name it is the same tensor as. */
  sameAs?: string;
  /** Where its values come from: a pretrained checkpoint, or a random initialiser. */
  origin: "checkpoint" | "random";
}

/** Counts of one part. `total` includes weights shared with the encoder; the others do not. */
export interface PartCounts {
  /** Every parameter of the part, weights shared with the encoder included. */
  total: number;
  /** Parameters that are the encoder's tensors (tied; decoder only). */
  tied: number;
  /** `total - tied`: what is stored under this part's names. */
  distinct: number;
  /** Of `distinct`: values from the pretrained checkpoint. */
  leveraged: number;
  /** Of `distinct`: randomly initialised. */
  random: number;
}

/**
 * The paper's "random / leveraged / total" accounting of a composition. Totals count each distinct tensor
 * once (tied weights once), like `model.num_parameters()` in transformers.
 */
export interface CompositionReport {
  total: number;
  leveraged: number;
  random: number;
  /** Parameters the decoder shares with the encoder (`tie_encoder_decoder`). */
  tied: number;
  parts: { encoder: PartCounts; decoder: PartCounts; projection: PartCounts | null };
  /** Full names of the randomly initialised weights, per part, in model order. */
  randomWeights: { encoder: string[]; decoder: string[]; projection: string[] };
  /** Decoder weights that are the encoder's tensors: `{ name, sameAs }`. */
  tiedWeights: { name: string; sameAs: string }[];
}

function emptyCounts(): PartCounts {
  return { total: 0, tied: 0, distinct: 0, leveraged: 0, random: 0 };
}

/** Sums a list of weights into a report; a tied weight counts towards its part's total only. */
export function summarise(entries: readonly WeightEntry[]): CompositionReport {
  const parts = { encoder: emptyCounts(), decoder: emptyCounts(), projection: emptyCounts() };
  const randomWeights: CompositionReport["randomWeights"] = { encoder: [], decoder: [], projection: [] };
  const tiedWeights: CompositionReport["tiedWeights"] = [];
  let hasProjection = false;
  for (const entry of entries) {
    const counts = parts[entry.part];
    if (entry.part === "projection") hasProjection = true;
    counts.total += entry.size;
    if (entry.sameAs !== undefined) {
      counts.tied += entry.size;
      tiedWeights.push({ name: entry.name, sameAs: entry.sameAs });
      continue;
    }
    counts.distinct += entry.size;
    if (entry.origin === "checkpoint") {
      counts.leveraged += entry.size;
    } else {
      counts.random += entry.size;
      randomWeights[entry.part].push(entry.name);
    }
  }
  const all = [parts.encoder, parts.decoder, parts.projection];
  const sum = (key: keyof PartCounts): number => all.reduce((s, c) => s + c[key], 0);
  return {
    total: sum("distinct"),
    leveraged: sum("leveraged"),
    random: sum("random"),
    tied: sum("tied"),
    parts: { encoder: parts.encoder, decoder: parts.decoder, projection: hasProjection ? parts.projection : null },
    randomWeights,
    tiedWeights,
  };
}

const number = (n: number): string => n.toLocaleString("en-US");

/** A short human-readable summary: totals, per part, and the randomly initialised weights. */
export function formatCompositionReport(report: CompositionReport, maxNames = 12): string {
  const lines = [
    `total ${number(report.total)} parameters: ${number(report.leveraged)} leveraged, ${number(report.random)} random` +
      (report.tied > 0 ? ` (${number(report.tied)} decoder parameters tied to the encoder)` : ""),
  ];
  for (const part of ["encoder", "decoder", "projection"] as const) {
    const counts = report.parts[part];
    if (counts === null) continue;
    lines.push(
      `  ${part}: ${number(counts.total)}` +
        (counts.tied > 0 ? ` (${number(counts.tied)} tied)` : "") +
        `, ${number(counts.leveraged)} leveraged, ${number(counts.random)} random`,
    );
    const names = report.randomWeights[part];
    if (names.length > 0) {
      const shown = names.slice(0, maxNames).join(", ");
      lines.push(`    random: ${shown}${names.length > maxNames ? `, … (${names.length} in all)` : ""}`);
    }
  }
  return lines.join("\n");
}

/** One row of the paper's Table 1 counterpart. */
export interface CompositionRow {
  name: string;
  report: CompositionReport;
}

/** A Markdown table: composition, random, leveraged, total (exact counts and millions). */
export function formatCompositionTable(rows: readonly CompositionRow[]): string {
  const millions = (n: number): string => `${(n / 1e6).toFixed(1)}M`;
  const header = ["| composition | random | leveraged | total | tied (decoder→encoder) |", "|---|---:|---:|---:|---:|"];
  const body = rows.map(
    ({ name, report: r }) =>
      `| ${name} | ${number(r.random)} (${millions(r.random)}) | ${number(r.leveraged)} (${millions(r.leveraged)}) | ${number(r.total)} (${millions(r.total)}) | ${number(r.tied)} |`,
  );
  return [...header, ...body].join("\n");
}
