/** Parameters of one component of a model (embeddings, the stack of layers, a head). */
export interface ComponentRow {
  component: string;
  /** Number of repeated blocks folded into this row (layers), 1 otherwise. */
  repeats: number;
  tensors: number;
  parameters: number;
}

/**
 * Folds a state dict into readable rows: layer blocks collapse to `….layer.*` with a repeat count, other
 * weights group by their module (`embeddings.word_embeddings`, `pooler.dense`, `transformer.wte`).
 */
export function componentRows(shapes: Iterable<[string, readonly number[]]>): ComponentRow[] {
  const rows = new Map<string, ComponentRow & { indices: Set<string> }>();
  for (const [name, shape] of shapes) {
    const parts = name.split(".");
    const layerAt = parts.findIndex((p) => /^\d+$/.test(p));
    const key =
      layerAt >= 0
        ? [...parts.slice(0, layerAt), "*"].join(".")
        : parts.slice(0, Math.max(1, parts.length - 1)).join(".");
    const row = rows.get(key) ?? { component: key, repeats: 1, tensors: 0, parameters: 0, indices: new Set<string>() };
    if (layerAt >= 0) row.indices.add(parts[layerAt] as string);
    row.tensors += 1;
    row.parameters += shape.reduce((a, b) => a * b, 1);
    rows.set(key, row);
  }
  return [...rows.values()].map(({ indices, ...row }) => ({ ...row, repeats: Math.max(1, indices.size) }));
}

/** Right-aligned numbers, left-aligned names. */
export function formatComponentRows(rows: readonly ComponentRow[]): string {
  const total = rows.reduce((s, r) => s + r.parameters, 0);
  const cells = [
    ["component", "blocks", "tensors", "parameters"],
    ...rows.map((r) => [
      r.component,
      r.repeats > 1 ? `×${r.repeats}` : "",
      String(r.tensors),
      r.parameters.toLocaleString("en-US"),
    ]),
    ["total", "", String(rows.reduce((s, r) => s + r.tensors, 0)), total.toLocaleString("en-US")],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => (c[i] as string).length)));
  return cells
    .map((c) =>
      c.map((text, i) => (i === 0 ? text.padEnd(widths[i] as number) : text.padStart(widths[i] as number))).join("  "),
    )
    .join("\n");
}
