import { SeededRandom } from "@warmstart/core";

export interface ToyExample {
  source: number[];
  target: number[];
}

export interface ToyBatch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

/** Examples whose target is a function of the source, so a model can learn them; ids from 1 (0 pads). */
export function toyExamples(count: number, vocabSize: number, seed: number): ToyExample[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, () => {
    const length = 2 + rng.int(4);
    const source = Array.from({ length }, () => 1 + rng.int(vocabSize - 1));
    const target = [
      source[0] as number,
      source[length - 1] as number,
      1 + (((source[0] as number) + 1) % (vocabSize - 1)),
    ];
    return { source, target };
  });
}

/** Pads sources with 0 and masks them; labels are the targets (all the same length). */
export function toyCollate(examples: readonly ToyExample[]): ToyBatch {
  const width = Math.max(...examples.map((e) => e.source.length));
  return {
    inputIds: examples.map((e) => [...e.source, ...new Array<number>(width - e.source.length).fill(0)]),
    attentionMask: examples.map((e) =>
      e.source.map(() => 1).concat(new Array<number>(width - e.source.length).fill(0)),
    ),
    labels: examples.map((e) => e.target.slice()),
  };
}
