import assert from "node:assert/strict";
import { test } from "node:test";
import { GenerationError } from "../errors.js";
import {
  checkConstraint,
  ConstraintListState,
  constraintsFromForceWordsIds,
  DisjunctiveConstraint,
  DisjunctiveTrie,
  PhrasalConstraint,
  type Constraint,
  type ConstraintProgress,
} from "./beam-constraints.js";

const progress = (stepped: boolean, completed: boolean, reset: boolean): ConstraintProgress => ({
  stepped,
  completed,
  reset,
});

const isConstraintsError = (setting: string) => (e: unknown) =>
  e instanceof GenerationError && e.code === "INVALID_CONFIG" && e.setting === setting;

test("PhrasalConstraint advances through its tokens in order and completes on the last", () => {
  const phrase = new PhrasalConstraint([4, 5, 6]);
  assert.equal(phrase.length, 3);
  assert.equal(phrase.advance(), 4);
  assert.equal(phrase.remaining(), 3);
  assert.equal(phrase.doesAdvance(4), true);
  assert.equal(phrase.doesAdvance(5), false);
  assert.deepEqual(phrase.update(4), progress(true, false, false));
  assert.equal(phrase.advance(), 5);
  assert.equal(phrase.remaining(), 2);
  assert.deepEqual(phrase.update(5), progress(true, false, false));
  assert.deepEqual(phrase.update(6), progress(true, true, false));
  assert.equal(phrase.completed, true);
  assert.equal(phrase.remaining(), 0);
  assert.equal(phrase.advance(), null);
  assert.equal(phrase.doesAdvance(4), false, "a completed phrase takes no more tokens");
});

test("PhrasalConstraint: a wrong token resets it, to transformers 4.56's state (the first token counted)", () => {
  const phrase = new PhrasalConstraint([4, 5, 6]);
  phrase.update(4);
  phrase.update(5);
  assert.deepEqual(phrase.update(9), progress(false, false, true));
  assert.equal(phrase.fulfilledIndex, 0);
  assert.equal(phrase.remaining(), 2);
  assert.equal(phrase.advance(), 5);
  phrase.reset();
  assert.equal(phrase.fulfilledIndex, 0);
});

test("PhrasalConstraint.copy: a fresh phrase, or with stateful the same progress, independent either way", () => {
  const phrase = new PhrasalConstraint([4, 5]);
  phrase.update(4);
  const fresh = phrase.copy();
  assert.equal(fresh.remaining(), 2);
  assert.equal(fresh.advance(), 4);
  const twin = phrase.copy(true);
  assert.equal(twin.remaining(), 1);
  twin.update(5);
  assert.equal(twin.completed, true);
  assert.equal(phrase.completed, false, "the original is untouched");
  assert.equal(phrase.remaining(), 1);
});

test("PhrasalConstraint rejects an empty phrase and ids that are not token ids", () => {
  for (const bad of [[], [1, -1], [1.5], ["a"]]) {
    assert.throws(() => new PhrasalConstraint(bad as number[]), isConstraintsError("constraints"), JSON.stringify(bad));
  }
  assert.throws(() => new PhrasalConstraint([1]).update(0.5), isConstraintsError("constraints"));
});

test("DisjunctiveTrie: next tokens in insertion order, leaves, and no alternative inside another", () => {
  const trie = new DisjunctiveTrie([[7, 3], [7, 1, 2], [4]]);
  assert.equal(trie.maxHeight, 3);
  assert.deepEqual(trie.nextTokens([]), [7, 4]);
  assert.deepEqual(trie.nextTokens([7]), [3, 1]);
  assert.equal(trie.reachedLeaf([7, 3]), true);
  assert.equal(trie.reachedLeaf([7, 1]), false);
  assert.throws(() => new DisjunctiveTrie([[1, 2], [1]]), isConstraintsError("constraints"), "a prefix of another");
  assert.throws(
    () =>
      new DisjunctiveTrie([
        [1, 2],
        [1, 2],
      ]),
    isConstraintsError("constraints"),
    "a repeat",
  );
  assert.doesNotThrow(() => new DisjunctiveTrie([[1, 2], [1]], false));
});

test("DisjunctiveConstraint is fulfilled by any one alternative; a wrong token starts it over", () => {
  const set = new DisjunctiveConstraint([[7, 3], [7, 1, 2], [4]]);
  assert.equal(set.length, 3);
  assert.deepEqual(set.advance(), [7, 4]);
  assert.equal(set.remaining(), 3);
  assert.deepEqual(set.update(7), progress(true, false, false));
  assert.deepEqual(set.advance(), [3, 1]);
  assert.equal(set.remaining(), 2);
  assert.equal(set.doesAdvance(4), false);
  assert.deepEqual(set.update(4), progress(false, false, true));
  assert.deepEqual(set.currentSequence, []);
  assert.deepEqual(set.update(4), progress(true, true, false));
  assert.equal(set.remaining(), 0);
  assert.equal(set.advance(), null);
  set.reset();
  assert.equal(set.completed, false);
  assert.deepEqual(set.advance(), [7, 4]);
});

test("DisjunctiveConstraint.copy: stateful copies share the matched tokens until one resets, as in transformers", () => {
  const set = new DisjunctiveConstraint([
    [7, 3],
    [7, 1],
  ]);
  set.update(7);
  assert.deepEqual(set.copy().currentSequence, [], "a plain copy starts fresh");
  const first = set.copy(true);
  assert.deepEqual(first.update(3), progress(true, true, false));
  // The original saw the 3 too: [7, 3] is a leaf, so 1 no longer advances a second copy.
  assert.deepEqual(set.currentSequence, [7, 3]);
  const second = set.copy(true);
  assert.deepEqual(second.update(1), progress(false, false, true));
  assert.deepEqual(second.currentSequence, []);
  assert.deepEqual(set.currentSequence, [7, 3], "a reset gives the copy a list of its own");
});

test("DisjunctiveConstraint rejects empty sets, entries that are not lists, and bad ids", () => {
  for (const bad of [[], [3], [[1], [-2]], [[1], "x"]]) {
    assert.throws(
      () => new DisjunctiveConstraint(bad as number[][]),
      isConstraintsError("constraints"),
      JSON.stringify(bad),
    );
  }
});

test("ConstraintListState: one constraint in progress at a time, the bank counts the progress", () => {
  const state = new ConstraintListState([new PhrasalConstraint([4, 5]), new PhrasalConstraint([9])]);
  assert.equal(state.maxLength, 2);
  assert.deepEqual(state.advance(), [4, 9]);
  assert.equal(state.bank(), 0);
  assert.deepEqual(state.add(4), { complete: false, stepped: true });
  assert.equal(state.inProgress?.length, 2);
  assert.deepEqual(state.advance(), [5], "only the constraint in progress advances now");
  assert.equal(state.bank(), 1);
  // 9 breaks the phrase in progress (it goes back to pending, fresh) and does not start the other constraint.
  assert.deepEqual(state.add(9), { complete: false, stepped: false });
  assert.equal(state.inProgress, null);
  assert.deepEqual(state.advance(), [9, 4], "the reset phrase is pending again, after the other one");
  assert.equal(state.bank(), 0);
  assert.deepEqual(state.add(9), { complete: true, stepped: true });
  assert.equal(state.bank(), 2);
  state.add(4);
  assert.equal(state.bank(), 3);
  state.add(5);
  assert.equal(state.completed, true);
  assert.equal(state.bank(), 4);
  assert.equal(state.advance(), null);
  assert.deepEqual(state.add(1), { complete: true, stepped: false }, "a completed state takes nothing more");
});

test("ConstraintListState.reset replays a sequence from the start; the given constraints are never changed", () => {
  const phrase = new PhrasalConstraint([4, 5]);
  const state = new ConstraintListState([phrase, new DisjunctiveConstraint([[7], [8, 9]])]);
  state.reset([1, 4, 5, 8]);
  assert.equal(state.completed, false);
  assert.equal(state.complete.length, 1);
  assert.deepEqual(state.advance(), [9]);
  state.reset([1, 8, 9, 2, 4, 5, 6]);
  assert.equal(state.completed, true);
  assert.equal(phrase.remaining(), 2, "states work on copies");
  state.reset([1]);
  assert.equal(state.complete.length, 0);
  assert.equal(state.completed, true, "as in transformers 4.56, reset() leaves the completed flag alone");
});

test("ConstraintListState.copy: stateful by default (complete and in-progress carried, not the completed flag)", () => {
  const state = new ConstraintListState([new PhrasalConstraint([4, 5, 6]), new PhrasalConstraint([9])]);
  state.reset([9, 4]);
  const twin = state.copy();
  assert.equal(twin.bank(), state.bank());
  assert.deepEqual(twin.advance(), [5]);
  twin.add(5);
  assert.equal(state.bank(), 4, "the original is untouched");
  assert.equal(twin.bank(), 5);
  const fresh = state.copy(false);
  assert.equal(fresh.bank(), 0);
  assert.deepEqual(fresh.advance(), [4, 9]);
  state.add(5);
  state.add(6);
  assert.equal(state.completed, true);
  assert.equal(state.copy().completed, false);
  assert.throws(() => new ConstraintListState([]), isConstraintsError("constraints"));
});

test("force_words_ids: phrases and sets of alternatives, with transformers 4.56's checks naming forceWordsIds", () => {
  const [phrase, set] = constraintsFromForceWordsIds([
    [4, 5],
    [[7], [8, 9]],
  ]);
  assert.ok(phrase instanceof PhrasalConstraint && set instanceof DisjunctiveConstraint);
  assert.deepEqual(phrase.tokenIds, [4, 5]);
  assert.deepEqual(set.alternatives, [[7], [8, 9]]);
  for (const bad of [[], 3, [[]], [[1, -1]], [[[1], 2]], [[1.5]], [[[1, 2], [1]]]]) {
    assert.throws(() => constraintsFromForceWordsIds(bad), isConstraintsError("forceWordsIds"), JSON.stringify(bad));
  }
});

test("checkConstraint accepts working constraints and rejects one whose advance() does not lead to completion", () => {
  checkConstraint(new PhrasalConstraint([1, 2, 3]));
  checkConstraint(new DisjunctiveConstraint([[1, 2], [3]]));
  const stuck: Constraint = {
    length: 1,
    advance: () => 3,
    doesAdvance: () => true,
    update: () => progress(true, false, false),
    reset: () => undefined,
    remaining: () => 1,
    copy() {
      return stuck;
    },
  };
  assert.throws(() => checkConstraint(stuck), isConstraintsError("constraints"));
  const refusing: Constraint = { ...stuck, doesAdvance: () => false, copy: () => refusing };
  assert.throws(() => checkConstraint(refusing), isConstraintsError("constraints"));
});
