import { GenerationError } from "../errors.js";

/** What `Constraint.update` reports about the token it was fed. */
export interface ConstraintProgress {
  /** The token moved the constraint one step closer to being fulfilled. */
  stepped: boolean;
  /** The constraint is now fulfilled. */
  completed: boolean;
  /** The token broke the progress made so far, which started over. */
  reset: boolean;
}

/**
 * A condition the output of constrained beam search must satisfy (transformers 4.56's `Constraint`): a state
 * machine fed the generated tokens one by one. Implementations must reach `completed` when fed their own `advance()`
 * tokens (`checkConstraint` verifies it), and `copy()` must give an independent constraint.
 */
export interface Constraint {
  /** Tokens needed to fulfil it from scratch (for a set of alternatives, the longest); the unit of progress banks. */
  readonly length: number;
  /** The token(s) that would make progress now; null once completed (or when nothing can). */
  advance(): number | number[] | null;
  /** Whether `tokenId` would make progress now; does not change the state. */
  doesAdvance(tokenId: number): boolean;
  /** Feeds a generated token. */
  update(tokenId: number): ConstraintProgress;
  /** Back to the start. */
  reset(): void;
  /** How many more `advance()` tokens fulfil it. */
  remaining(): number;
  /** A new constraint with the same definition; with `stateful`, also with this one's progress. */
  copy(stateful?: boolean): Constraint;
}

function invalidConstraint(message: string): GenerationError {
  return new GenerationError("INVALID_CONFIG", message, "constraints");
}

function isTokenId(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

function checkTokenId(tokenId: number, who: string): void {
  if (!Number.isInteger(tokenId)) {
    throw invalidConstraint(`${who}: a token id must be an integer, got ${JSON.stringify(tokenId)}`);
  }
}

/**
 * transformers' `Constraint.test()`, on a copy: feeding `advance()` back must complete the constraint within 10000
 * tokens, restarting once after the first token, and leave nothing `remaining()`. Throws `GenerationError`
 * (`INVALID_CONFIG`, setting `constraints`).
 */
export function checkConstraint(constraint: Constraint): void {
  const probe = constraint.copy(false);
  let fed = 0;
  let completed = false;
  while (!completed) {
    if (fed === 1) probe.reset();
    const next = probe.advance();
    const token = Array.isArray(next) ? next[0] : next;
    if (token === undefined || token === null || !probe.doesAdvance(token)) {
      throw invalidConstraint(
        "constraint is not defined correctly: doesAdvance(advance()) must be true until it completes",
      );
    }
    completed = probe.update(token).completed;
    fed += 1;
    if (fed > 10000) throw invalidConstraint("constraint is not defined correctly: update() never completes it");
  }
  if (probe.remaining() !== 0) {
    throw invalidConstraint("constraint is not defined correctly: remaining() must be 0 once it is completed");
  }
}

/** An ordered run of tokens that must appear in the output (transformers' `PhrasalConstraint`). */
export class PhrasalConstraint implements Constraint {
  readonly tokenIds: readonly number[];
  readonly length: number;
  /** Index of the last fulfilled token of the phrase; -1 before the first. */
  fulfilledIndex = -1;
  completed = false;

  constructor(tokenIds: readonly number[]) {
    if (!Array.isArray(tokenIds) || tokenIds.length === 0) {
      throw invalidConstraint(`PhrasalConstraint: tokenIds must be a non-empty list, got ${JSON.stringify(tokenIds)}`);
    }
    if (!tokenIds.every(isTokenId)) {
      throw invalidConstraint(
        `PhrasalConstraint: tokenIds must be token ids (integers >= 0), got ${JSON.stringify(tokenIds)}`,
      );
    }
    this.tokenIds = [...tokenIds];
    this.length = tokenIds.length;
  }

  advance(): number | null {
    return this.completed ? null : this.tokenIds[this.fulfilledIndex + 1]!;
  }

  doesAdvance(tokenId: number): boolean {
    checkTokenId(tokenId, "PhrasalConstraint.doesAdvance");
    return !this.completed && tokenId === this.tokenIds[this.fulfilledIndex + 1];
  }

  update(tokenId: number): ConstraintProgress {
    checkTokenId(tokenId, "PhrasalConstraint.update");
    if (!this.doesAdvance(tokenId)) {
      this.reset();
      return { stepped: false, completed: false, reset: true };
    }
    this.fulfilledIndex += 1;
    this.completed = this.fulfilledIndex === this.length - 1;
    return { stepped: true, completed: this.completed, reset: false };
  }

  /**
   * As in transformers 4.56, a reset leaves the first token of the phrase counted as fulfilled (index 0, not -1).
   * Constrained beam search never sees it (it replaces a reset constraint with a fresh copy), but a direct caller
   * does, so it is kept rather than corrected.
   */
  reset(): void {
    this.completed = false;
    this.fulfilledIndex = 0;
  }

  remaining(): number {
    return this.length - (this.fulfilledIndex + 1);
  }

  copy(stateful = false): PhrasalConstraint {
    const twin = new PhrasalConstraint(this.tokenIds);
    if (stateful) {
      twin.fulfilledIndex = this.fulfilledIndex;
      twin.completed = this.completed;
    }
    return twin;
  }
}

/** A prefix tree of token sequences; children in insertion order (transformers' `DisjunctiveTrie`, a dict). */
type TrieNode = Map<number, TrieNode>;

/** The alternatives of a `DisjunctiveConstraint` as a prefix tree. */
export class DisjunctiveTrie {
  readonly root: TrieNode = new Map();
  /** Length of the longest alternative. */
  readonly maxHeight: number;

  /** With `noSubsets`, an alternative that is a prefix of another (or a duplicate) is an error. */
  constructor(alternatives: readonly (readonly number[])[], noSubsets = true) {
    this.maxHeight = Math.max(...alternatives.map((ids) => ids.length));
    for (const ids of alternatives) {
      let node = this.root;
      for (const id of ids) {
        let child = node.get(id);
        if (child === undefined) {
          child = new Map();
          node.set(id, child);
        }
        node = child;
      }
    }
    // One leaf per alternative unless one of them ends inside (or at the end of) another.
    if (noSubsets && countLeaves(this.root) !== alternatives.length) {
      throw invalidConstraint(
        `DisjunctiveConstraint: no alternative may be a prefix of another (or repeat one), got ${JSON.stringify(alternatives)}`,
      );
    }
  }

  /** The tokens that continue `sequence` (a path from the root) towards some alternative. */
  nextTokens(sequence: readonly number[]): number[] {
    let node = this.root;
    for (const id of sequence) {
      const child = node.get(id);
      if (child === undefined) {
        throw invalidConstraint(`DisjunctiveTrie: ${JSON.stringify(sequence)} is not a path of the trie`);
      }
      node = child;
    }
    return [...node.keys()];
  }

  reachedLeaf(sequence: readonly number[]): boolean {
    return this.nextTokens(sequence).length === 0;
  }
}

function countLeaves(node: TrieNode): number {
  if (node.size === 0) return 1;
  let leaves = 0;
  for (const child of node.values()) leaves += countLeaves(child);
  return leaves;
}

/** Fulfilled by any one of several token sequences (transformers' `DisjunctiveConstraint`). */
export class DisjunctiveConstraint implements Constraint {
  readonly alternatives: readonly (readonly number[])[];
  readonly trie: DisjunctiveTrie;
  readonly length: number;
  /** The tokens of the alternatives matched so far. */
  currentSequence: number[] = [];
  completed = false;

  constructor(alternatives: readonly (readonly number[])[]) {
    if (!Array.isArray(alternatives) || alternatives.length === 0) {
      throw invalidConstraint(
        `DisjunctiveConstraint: alternatives must be a non-empty list, got ${JSON.stringify(alternatives)}`,
      );
    }
    if (!alternatives.every((ids) => Array.isArray(ids))) {
      throw invalidConstraint(
        `DisjunctiveConstraint: alternatives must be a list of token-id lists, got ${JSON.stringify(alternatives)}`,
      );
    }
    if (!alternatives.every((ids) => ids.every(isTokenId))) {
      throw invalidConstraint(
        `DisjunctiveConstraint: every alternative must hold token ids (integers >= 0), got ${JSON.stringify(alternatives)}`,
      );
    }
    this.alternatives = alternatives.map((ids) => [...ids]);
    this.trie = new DisjunctiveTrie(this.alternatives);
    this.length = this.trie.maxHeight;
  }

  advance(): number[] | null {
    const next = this.trie.nextTokens(this.currentSequence);
    return next.length === 0 ? null : next;
  }

  doesAdvance(tokenId: number): boolean {
    checkTokenId(tokenId, "DisjunctiveConstraint.doesAdvance");
    return this.trie.nextTokens(this.currentSequence).includes(tokenId);
  }

  update(tokenId: number): ConstraintProgress {
    checkTokenId(tokenId, "DisjunctiveConstraint.update");
    const stepped = this.doesAdvance(tokenId);
    // Appended in place: a stateful copy shares this list (below), as in transformers.
    if (stepped) this.currentSequence.push(tokenId);
    else this.reset();
    this.completed = this.trie.reachedLeaf(this.currentSequence);
    return { stepped, completed: this.completed, reset: !stepped };
  }

  reset(): void {
    this.completed = false;
    this.currentSequence = [];
  }

  remaining(): number {
    return this.completed ? 0 : this.length - this.currentSequence.length;
  }

  /**
   * A stateful copy shares the list of matched tokens with this constraint, as transformers 4.56's does: progress
   * appended to one shows in the other until either resets. Constrained beam search depends on it (the candidates
   * that branch off one in-progress alternative see each other's tokens), so outputs match only with it.
   */
  copy(stateful = false): DisjunctiveConstraint {
    const twin = new DisjunctiveConstraint(this.alternatives);
    if (stateful) {
      twin.currentSequence = this.currentSequence;
      twin.completed = this.completed;
    }
    return twin;
  }
}

/**
 * How far one token sequence has got through a list of constraints (transformers' `ConstraintListState`): at most
 * one constraint is in progress at a time; the others are complete or pending.
 */
export class ConstraintListState {
  readonly constraints: readonly Constraint[];
  /** The longest constraint's length: a completed constraint is worth this much progress. */
  readonly maxLength: number;
  completed = false;
  complete: Constraint[] = [];
  inProgress: Constraint | null = null;
  pending: Constraint[] = [];

  constructor(constraints: readonly Constraint[]) {
    if (constraints.length === 0) throw invalidConstraint("constrained beam search needs at least one constraint");
    this.constraints = constraints;
    this.maxLength = Math.max(...constraints.map((c) => c.length));
    this.start();
  }

  private start(): void {
    this.complete = [];
    this.inProgress = null;
    this.pending = this.constraints.map((c) => c.copy(false));
  }

  /** Progress as one number: `maxLength` per completed constraint plus the steps made on the one in progress. */
  bank(): number {
    const partial = this.inProgress === null ? 0 : this.maxLength - this.inProgress.remaining();
    return this.complete.length * this.maxLength + partial;
  }

  /**
   * The tokens that make progress: the next one of the constraint in progress, or else the first of every pending
   * constraint (in pending order, duplicates kept); null when there are none.
   */
  advance(): number[] | null {
    const sources = this.inProgress === null ? this.pending : [this.inProgress];
    const tokens: number[] = [];
    for (const constraint of sources) {
      const next = constraint.advance();
      if (typeof next === "number") tokens.push(next);
      else if (Array.isArray(next)) tokens.push(...next);
    }
    return tokens.length === 0 ? null : tokens;
  }

  /**
   * Starts over and feeds `tokenIds` (stopping once every constraint is fulfilled). As in transformers 4.56, the
   * `completed` flag is not cleared (constrained beam search only resets fresh states).
   */
  reset(tokenIds?: readonly number[]): void {
    this.start();
    if (tokenIds === undefined) return;
    for (const token of tokenIds) {
      this.add(token);
      if (this.completed) break;
    }
  }

  /**
   * Feeds one generated token. A constraint in progress gets it (a reset one goes back to the end of the pending
   * list, fresh); otherwise the first pending constraint it advances starts, and only that one.
   */
  add(tokenId: number): { complete: boolean; stepped: boolean } {
    checkTokenId(tokenId, "ConstraintListState.add");
    if (this.completed) return { complete: true, stepped: false };
    let complete = false;
    let stepped = false;
    if (this.inProgress !== null) {
      const current = this.inProgress;
      const progress = current.update(tokenId);
      ({ stepped, completed: complete } = progress);
      if (progress.reset) {
        this.pending.push(current.copy(false));
        this.inProgress = null;
      }
      if (complete) {
        this.complete.push(current);
        this.inProgress = null;
        if (this.pending.length === 0) this.completed = true;
      }
      return { complete, stepped };
    }
    for (let i = 0; i < this.pending.length; i++) {
      const candidate = this.pending[i]!;
      if (!candidate.doesAdvance(tokenId)) continue;
      ({ stepped, completed: complete } = candidate.update(tokenId));
      if (!stepped) {
        throw invalidConstraint(
          "constraint.update(token) made no progress although constraint.doesAdvance(token) was true",
        );
      }
      if (complete) this.complete.push(candidate);
      else this.inProgress = candidate;
      this.pending.splice(i, 1);
      if (this.pending.length === 0 && this.inProgress === null) this.completed = true;
      break;
    }
    return { complete, stepped };
  }

  /**
   * A new state over the same constraints; with `stateful` (the default), carrying this one's complete and
   * in-progress constraints (stateful copies) and fresh copies of the pending ones. Like transformers', the copy's
   * `completed` flag starts false.
   */
  copy(stateful = true): ConstraintListState {
    const twin = new ConstraintListState(this.constraints);
    if (stateful) {
      twin.complete = this.complete.map((c) => c.copy(true));
      twin.inProgress = this.inProgress === null ? null : this.inProgress.copy(true);
      twin.pending = this.pending.map((c) => c.copy(false));
    }
    return twin;
  }
}

/**
 * transformers 4.56's `force_words_ids` → constraints: each entry a phrase (`number[]`, a `PhrasalConstraint`) or a
 * set of alternatives (`number[][]`, a `DisjunctiveConstraint`), told apart by the entry's first element, with its
 * validation (a `GenerationError` naming `forceWordsIds`).
 */
export function constraintsFromForceWordsIds(forceWordsIds: unknown): Constraint[] {
  const invalid = (): GenerationError =>
    new GenerationError(
      "INVALID_CONFIG",
      "forceWordsIds (force_words_ids) must be a non-empty list of phrases (lists of token ids >= 0, number[][]) or of " +
        `sets of alternative phrases (number[][][]), got ${JSON.stringify(forceWordsIds)}`,
      "forceWordsIds",
    );
  if (!Array.isArray(forceWordsIds) || forceWordsIds.length === 0) throw invalid();
  return forceWordsIds.map((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length === 0) throw invalid();
    const disjunctive = Array.isArray(entry[0]);
    if (
      disjunctive ? !entry.every((ids: unknown) => Array.isArray(ids) && ids.every(isTokenId)) : !entry.every(isTokenId)
    ) {
      throw invalid();
    }
    try {
      return disjunctive ? new DisjunctiveConstraint(entry as number[][]) : new PhrasalConstraint(entry as number[]);
    } catch (error) {
      // e.g. one alternative a prefix of another: the constructor's reason, but naming the setting.
      if (!(error instanceof GenerationError)) throw error;
      throw new GenerationError(
        "INVALID_CONFIG",
        `forceWordsIds (force_words_ids)[${i}]: ${error.message}`,
        "forceWordsIds",
      );
    }
  });
}
