// Two inputs the tests run through the demo model in Node and in the browser (the outputs must be the same): a
// sentence pair to fuse and a long sentence to split, in the style of the demo's Brown Corpus task.
export const FIXED_INPUTS = [
  "The rain had stopped by noon. The children went out to play in the yard.",
  "The committee met on Tuesday to discuss the budget, but it could not agree on the cost of the new school.",
] as const;
