import { TokenizerError } from "./errors.js";

/** Row-major int32 data with its `[rows, columns]` shape, ready for `tf.tensor2d(data, shape, "int32")`. */
export interface Int32Matrix {
  data: Int32Array;
  shape: [number, number];
}

/**
 * Packs padded id rows (inputIds, attentionMask, labels, ...) into one Int32Array. Kept free of any
 * tensor library so this package stays light; every library can wrap `{ data, shape }`.
 */
export function toInt32Array(rows: readonly (readonly number[])[]): Int32Matrix {
  if (!Array.isArray(rows)) throw new TokenizerError("RAGGED_ROWS", "toInt32Array expects an array of number arrays");
  const columns = rows[0]?.length ?? 0;
  const data = new Int32Array(rows.length * columns);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== columns) {
      throw new TokenizerError(
        "RAGGED_ROWS",
        `row ${r} has ${Array.isArray(row) ? row.length : "no"} entries, row 0 has ${columns}: pad the batch (padding: "longest" or "max_length") first`,
      );
    }
    for (let c = 0; c < columns; c++) {
      const value = row[c] as number;
      if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
        throw new TokenizerError("NOT_INT32", `row ${r}, column ${c}: ${value} is not a 32-bit integer`);
      }
      data[r * columns + c] = value;
    }
  });
  return { data, shape: [rows.length, columns] };
}
