/** One finished beam-search hypothesis. */
export interface Hypothesis {
  /** Decoder tokens, prompt included, eos (if it ended on one) included. */
  tokens: number[];
  /** Summed log-probability divided by (generated length) ** lengthPenalty. */
  score: number;
  /** The row each generated token came from (`input * numBeams + beam`), one per generated token. */
  beamIndices?: number[];
}

/**
 * The `numBeams` best finished hypotheses of one input, kept sorted best first. Ties keep the hypothesis that
 * finished first.
 */
export class BeamHypotheses {
  readonly numBeams: number;
  readonly lengthPenalty: number;
  private readonly hyps: Hypothesis[] = [];

  constructor(numBeams: number, lengthPenalty: number) {
    this.numBeams = numBeams;
    this.lengthPenalty = lengthPenalty;
  }

  get size(): number {
    return this.hyps.length;
  }

  /** True once `numBeams` hypotheses are held. */
  get isFull(): boolean {
    return this.hyps.length >= this.numBeams;
  }

  /** Best first. */
  get hypotheses(): readonly Hypothesis[] {
    return this.hyps;
  }

  /** The lowest kept score; -Infinity while not full. */
  get worstScore(): number {
    return this.isFull ? this.hyps[this.hyps.length - 1]!.score : -Infinity;
  }

  /** Length-normalised score of a hypothesis with `generatedLength` tokens after the prompt (eos included). */
  normalise(sumLogProbs: number, generatedLength: number): number {
    return sumLogProbs / generatedLength ** this.lengthPenalty;
  }

  /** Adds a hypothesis if it ranks among the `numBeams` best; returns whether it was kept. */
  add(tokens: number[], sumLogProbs: number, generatedLength: number, beamIndices?: number[]): boolean {
    const score = this.normalise(sumLogProbs, generatedLength);
    if (this.isFull && !(score > this.worstScore)) return false;
    let pos = this.hyps.length;
    while (pos > 0 && score > this.hyps[pos - 1]!.score) pos--;
    this.hyps.splice(pos, 0, beamIndices === undefined ? { tokens, score } : { tokens, score, beamIndices });
    if (this.hyps.length > this.numBeams) this.hyps.pop();
    return true;
  }

  /**
   * Hugging Face's stop heuristic for `earlyStopping` false / "never": true when even the best running beam
   * (`bestRunningSumLogProbs`), normalised at `bestHypotheticalLength`, cannot beat the worst kept hypothesis.
   */
  cannotImprove(bestRunningSumLogProbs: number, bestHypotheticalLength: number): boolean {
    if (!this.isFull) return false;
    return !(this.normalise(bestRunningSumLogProbs, bestHypotheticalLength) > this.worstScore);
  }
}
