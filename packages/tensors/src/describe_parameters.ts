import type { Parameters } from "./parameters.js";

export interface ParameterRow {
  name: string;
  shape: number[];
  size: number;
  trainable: boolean;
  /** The first name (in registration order) holding the same variable, when this one is tied to it. */
  tiedTo?: string;
}

/** One row per name, in registration order; a tied name points at the first name of its variable. */
export function listParameters(params: Parameters): ParameterRow[] {
  const firstName = new Map<unknown, string>();
  const rows: ParameterRow[] = [];
  for (const [name, variable] of params.entries()) {
    const row: ParameterRow = { name, shape: [...variable.shape], size: variable.size, trainable: variable.trainable };
    const first = firstName.get(variable);
    if (first === undefined) firstName.set(variable, name);
    else row.tiedTo = first;
    rows.push(row);
  }
  return rows;
}

/** A plain-text table of every parameter and a total that counts tied variables once. */
export function describeParameters(params: Parameters): string {
  const rows = listParameters(params);
  const cells = rows.map((r) => [
    r.name,
    `[${r.shape.join(", ")}]`,
    r.size.toLocaleString("en-US"),
    r.tiedTo !== undefined ? `tied to ${r.tiedTo}` : r.trainable ? "" : "frozen",
  ]);
  const header = ["name", "shape", "parameters", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]): string =>
    c
      .map((text, i) => (i === 2 ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const total = params.count();
  const trainable = params.distinct().reduce((n, v) => n + (v.trainable ? v.size : 0), 0);
  return [
    line(header),
    ...cells.map(line),
    `total: ${total.toLocaleString("en-US")} parameters (${trainable.toLocaleString("en-US")} trainable) in ${params.distinct().length} tensors`,
  ].join("\n");
}
