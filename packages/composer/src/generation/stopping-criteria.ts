/** Decides, per row, whether a decoder sequence is complete. `inputIds` include the token just generated. */
export interface StoppingCriteria {
  isDone(inputIds: number[][]): boolean[];
}

/** Done once the sequence (decoder prompt included) holds `maxLength` tokens. */
export class MaxLengthCriteria implements StoppingCriteria {
  readonly maxLength: number;

  constructor(maxLength: number) {
    this.maxLength = maxLength;
  }

  isDone(inputIds: number[][]): boolean[] {
    return inputIds.map((row) => row.length >= this.maxLength);
  }
}

/** Done once the last token is one of the eos ids. */
export class EosTokenCriteria implements StoppingCriteria {
  readonly eosTokenIds: ReadonlySet<number>;

  constructor(eosTokenIds: readonly number[]) {
    this.eosTokenIds = new Set(eosTokenIds);
  }

  isDone(inputIds: number[][]): boolean[] {
    return inputIds.map((row) => row.length > 0 && this.eosTokenIds.has(row[row.length - 1]!));
  }
}

/** A row is done when any criterion says so. */
export class StoppingCriteriaList implements StoppingCriteria {
  readonly criteria: readonly StoppingCriteria[];

  constructor(criteria: readonly StoppingCriteria[]) {
    this.criteria = criteria;
  }

  isDone(inputIds: number[][]): boolean[] {
    const done = inputIds.map(() => false);
    for (const criterion of this.criteria) {
      criterion.isDone(inputIds).forEach((d, i) => {
        if (d) done[i] = true;
      });
    }
    return done;
  }
}
