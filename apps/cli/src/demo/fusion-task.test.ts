import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "@warmstart/core";
import { parseBrownFile, parseToken, readBrownCorpus, type TaggedToken } from "./brown-corpus.js";
import { detokenize } from "./detokenize.js";
import { buildFusionTask, findClauseSplit, fusedText, splitText } from "./fusion-task.js";

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

test("buildFusionTask on the Brown corpus: disjoint documents, both directions, deterministic", () => {
  const docs = readBrownCorpus({ limit: 120 });
  const task = buildFusionTask(docs, { seed: 3 });
  const again = buildFusionTask(docs, { seed: 3 });
  assert.deepEqual(again.test, task.test);
  assert.notDeepEqual(buildFusionTask(docs, { seed: 4 }).documents, task.documents);
  const sets = Object.values(task.documents).map((ids) => new Set(ids));
  const all = sets.flatMap((s) => [...s]);
  assert.equal(new Set(all).size, all.length, "no document in two splits");
  assert.equal(all.length, 120);
  assert.ok(task.train.length > 20 && task.validation.length > 0 && task.test.length > 0);
  assert.ok(task.pretrainSentences.length > 1000);
  const directions = new Set(task.train.map((e) => e.direction));
  assert.deepEqual([...directions].sort(), ["fuse", "split"]);
  for (const e of [...task.train, ...task.test]) {
    assert.notEqual(e.source, e.target);
    const fused = e.direction === "fuse" ? e.target : e.source;
    assert.match(fused, new RegExp(`, ${e.connective} `), "the fused side keeps its connective");
    assert.ok(!/\/[a-z]/.test(e.source), "no POS tags left");
    assert.match(e.source, /^[^a-z]/, "starts like a sentence");
  }
  const testDocs = new Set(task.documents.test);
  assert.ok(task.test.every((e) => testDocs.has(e.document)));
});
