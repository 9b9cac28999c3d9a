import { argmaxRange } from "../numeric.js";
import type { SearchContext, SearchOutput } from "./context.js";
import { tokenByTokenSearch } from "./token-by-token.js";

/** Greedy search: the highest processed score wins each step (the lowest token id on ties). */
export function greedySearch<E, C>(ctx: SearchContext<E, C>): Promise<SearchOutput> {
  return tokenByTokenSearch(ctx, argmaxRange, 1);
}
