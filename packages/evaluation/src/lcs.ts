/**
 * Longest-common-subsequence helpers of rouge_score (`_lcs_table`, `_backtrack_norec`, `_find_union`),
 * on token-id arrays. The backtrack must take the same branch as rouge_score's on ties, because the union
 * of the chosen subsequences decides rougeLsum.
 */

// Above this many 32-bit words of match masks the bit-parallel method falls back to the O(n) memory DP.
const MAX_MASK_WORDS = 1 << 24;

/**
 * LCS length, for rougeL where only the length matters. Bit-parallel (Allison & Dix 1986, in Hyyro's
 * formulation): one bit per position of the shorter sequence, V = (V + U) | (V - U) with U = V & M[c]
 * per symbol of the longer one, so a 20,000-token pair takes milliseconds instead of seconds.
 */
export function lcsLength(ref: Int32Array, can: Int32Array): number {
  const [short, long] = ref.length <= can.length ? [ref, can] : [can, ref];
  const m = short.length;
  if (m === 0) return 0;
  const words = (m + 31) >>> 5;
  const slot = new Map<number, number>();
  for (const symbol of short) if (!slot.has(symbol)) slot.set(symbol, slot.size);
  if (slot.size * words > MAX_MASK_WORDS) return lcsLengthDp(ref, can);
  const masks = new Uint32Array(slot.size * words);
  for (let i = 0; i < m; i++) {
    const base = (slot.get(short[i] as number) as number) * words;
    const word = base + (i >>> 5);
    masks[word] = (masks[word] as number) | (1 << (i & 31));
  }
  const v = new Uint32Array(words).fill(0xffffffff);
  for (let k = 0; k < long.length; k++) {
    const s = slot.get(long[k] as number);
    if (s === undefined) continue;
    const base = s * words;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w] as number;
      const u = (vw & (masks[base + w] as number)) >>> 0;
      const sum = vw + u + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      // V - U needs no borrow: U is a subset of V's bits, so it is V & ~U.
      v[w] = ((sum >>> 0) | (vw & ~u)) >>> 0;
    }
  }
  // The LCS length is the number of zero bits among the m used positions.
  let zeros = 0;
  for (let i = 0; i < m; i++) if (((v[i >>> 5] as number) & (1 << (i & 31))) === 0) zeros++;
  return zeros;
}

/** The textbook DP with two rows: O(n) memory. */
export function lcsLengthDp(ref: ArrayLike<number>, can: ArrayLike<number>): number {
  const cols = can.length;
  let prev = new Int32Array(cols + 1);
  let curr = new Int32Array(cols + 1);
  for (let i = 1; i <= ref.length; i++) {
    const r = ref[i - 1];
    for (let j = 1; j <= cols; j++) {
      if (r === can[j - 1]) curr[j] = (prev[j - 1] as number) + 1;
      else {
        const up = prev[j] as number;
        const left = curr[j - 1] as number;
        curr[j] = up > left ? up : left;
      }
    }
    [prev, curr] = [curr, prev];
  }
  return prev[cols] as number;
}

/** The full (rows+1) x (cols+1) table, row-major; entries never exceed min(rows, cols). */
export function lcsTable(ref: ArrayLike<number>, can: ArrayLike<number>): Uint16Array | Uint32Array {
  const rows = ref.length;
  const cols = can.length;
  const width = cols + 1;
  const size = (rows + 1) * width;
  const table = Math.min(rows, cols) < 0xffff ? new Uint16Array(size) : new Uint32Array(size);
  for (let i = 1; i <= rows; i++) {
    const r = ref[i - 1];
    const row = i * width;
    const above = row - width;
    for (let j = 1; j <= cols; j++) {
      if (r === can[j - 1]) table[row + j] = (table[above + j - 1] as number) + 1;
      else {
        const up = table[above + j] as number;
        const left = table[row + j - 1] as number;
        table[row + j] = up > left ? up : left;
      }
    }
  }
  return table;
}

/** Indices into `ref` of one LCS, read back from the end exactly as `_backtrack_norec` does. */
export function lcsIndices(ref: ArrayLike<number>, can: ArrayLike<number>): number[] {
  const table = lcsTable(ref, can);
  const width = can.length + 1;
  let i = ref.length;
  let j = can.length;
  const reversed: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      reversed.push(i - 1);
      i--;
      j--;
    } else if ((table[i * width + j - 1] as number) > (table[(i - 1) * width + j] as number)) {
      j--;
    } else {
      i--;
    }
  }
  return reversed.reverse();
}

/** Sorted union of index lists (`_find_union`). */
export function findUnion(lists: readonly (readonly number[])[]): number[] {
  const set = new Set<number>();
  for (const list of lists) for (const x of list) set.add(x);
  return [...set].sort((a, b) => a - b);
}
