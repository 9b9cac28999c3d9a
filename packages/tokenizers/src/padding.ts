/** Rows padded on the right to `length` with `value`; rows already that long are returned as they are. */
export function padRows(rows: number[][], length: number, value: number): number[][] {
  return rows.map((row) => {
    if (row.length >= length) return row;
    const out = row.slice();
    for (let i = row.length; i < length; i++) out.push(value);
    return out;
  });
}
