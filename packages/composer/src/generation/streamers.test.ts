import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerationConfig } from "./configuration.js";
import { GenerationError } from "./errors.js";
import { generate } from "./generate.js";
import {
  StreamerTimeoutError,
  TextIteratorStreamer,
  TextStreamer,
  type BaseStreamer,
  type StreamedTokens,
  type StreamerDecodeOptions,
} from "./streamers.js";
import { ToyModel } from "./test-support/toy-model.js";

// A WordPiece-like toy tokenizer: pieces joined by spaces, "##" pieces glued to the previous one.
const vocab = ["[PAD]", "[CLS]", "[SEP]", "the", "cat", "##s", "sat", "猫", "##是", "\n", "𠀀", "a", "b", ",", "##!"];
const SPECIAL = new Set([0, 1, 2]);
const tokenizer = {
  decodeCalls: 0,
  async decode(ids: readonly number[], options: StreamerDecodeOptions = {}): Promise<string> {
    this.decodeCalls++;
    let text = "";
    for (const id of ids) {
      if (options.skipSpecialTokens === true && SPECIAL.has(id)) continue;
      const piece = vocab[id]!;
      if (piece.startsWith("##")) text += piece.slice(2);
      else text += text === "" ? piece : ` ${piece}`;
    }
    return text;
  },
};
const ids = (...words: string[]): number[] => words.map((w) => vocab.indexOf(w));

/** Streams `steps` (the prompt first) through a TextStreamer and returns what it emitted. */
async function chunks(steps: StreamedTokens[], options: ConstructorParameters<typeof TextStreamer>[1] = {}) {
  const out: [string, boolean][] = [];
  const streamer = new TextStreamer(tokenizer, { ...options, onText: (text, end) => void out.push([text, end]) });
  for (const step of steps) await streamer.put(step);
  await streamer.end();
  return out;
}

const skip = { decodeOptions: { skipSpecialTokens: true } };

// transformers 5's rules (also checked against transformers itself in streamers-hf.interop.ts).
test("TextStreamer emits letters, digits and spaces at once; after a symbol only up to the last space", async () => {
  const out = await chunks([[ids("[CLS]")], ids("the"), ids("cat"), ids("##s"), ids(","), ids("sat")], skip);
  assert.deepEqual(out, [
    ["", false], // the prompt ([CLS], skipped by decode)
    ["the", false],
    [" cat", false],
    ["s", false],
    [" ", false], // " ," holds a symbol: up to the last space
    [", ", false],
    ["sat", true],
  ]);
  assert.equal(out.map(([t]) => t).join(""), "the cats , sat");
  // A symbol glued to a word waits for the next space.
  assert.deepEqual(await chunks([ids("a"), ids("##!"), ids("b")]), [
    ["a", false],
    ["", false],
    ["! ", false],
    ["b", true],
  ]);
});

test("TextStreamer: special tokens stay unless decode skips them; skipPrompt drops the first put", async () => {
  const kept = await chunks([[ids("[CLS]")], ids("the"), ids("[SEP]")]);
  assert.deepEqual(kept, [
    ["", false], // "[CLS]" holds symbols
    ["[CLS] ", false],
    ["the ", false],
    ["[SEP]", true],
  ]);
  const skipped = await chunks([[ids("[CLS]")], ids("the"), ids("[SEP]")], { skipPrompt: true });
  assert.deepEqual(skipped, [
    ["the", false],
    [" ", false],
    ["[SEP]", true],
  ]);
});

test("TextStreamer flushes CJK ideographs at once (by code point, astral ones included)", async () => {
  const out = await chunks([ids("猫"), ids("##是"), ids("the"), ids("cat")]);
  assert.deepEqual(out, [
    ["猫", false],
    ["是", false],
    [" the", false],
    [" cat", false],
    ["", true],
  ]);
  // U+20000 is two UTF-16 units but one code point, as in Python's indices.
  const astral = await chunks([ids("𠀀"), ids("a"), ids("##!"), ids("b")]);
  assert.deepEqual(astral, [
    ["𠀀", false],
    [" a", false],
    ["", false],
    ["! ", false],
    ["b", true],
  ]);
});

test("TextStreamer: a newline flushes and starts over from the last token; end() with nothing left emits ''", async () => {
  const out = await chunks([ids("the"), ids("\n"), ids("cat"), ids("sat")]);
  assert.deepEqual(out, [
    ["the", false],
    [" \n", false],
    [" cat", false], // decoded after the kept "\n", which was printed already
    [" sat", false],
    ["", true],
  ]);
  assert.deepEqual(await chunks([ids("the"), ids("\n")]), [
    ["the", false],
    [" \n", false],
    ["", true],
  ]);
});

test("TextStreamer takes batch size 1 only; a 1-row batch and plain ids are the same", async () => {
  const streamer = new TextStreamer(tokenizer);
  await assert.rejects(
    streamer.put([ids("[CLS]"), ids("[CLS]")]),
    (e: unknown) => e instanceof GenerationError && e.code === "INVALID_INPUTS" && /batch size 1/.test(e.message),
  );
  assert.deepEqual(await chunks([[ids("the", "cat")], ids("sat")]), await chunks([ids("the", "cat"), ids("sat")]));
});

test("TextStreamer can be reused: end() makes the next put a prompt again", async () => {
  const out: string[] = [];
  const streamer = new TextStreamer(tokenizer, { skipPrompt: true, onText: (t) => void out.push(t) });
  for (let run = 0; run < 2; run++) {
    await streamer.put([ids("[CLS]")]);
    await streamer.put(ids("cat"));
    await streamer.end();
  }
  assert.deepEqual(out, ["cat", "", "cat", ""]);
});

// "7|1" → the, "the" → cat, "cat" → [SEP]; "8|..." → sat, [SEP].
const table = { "7|1": { 3: 1 }, "7|1,3": { 4: 1 }, "7|1,3,4": { 2: 1 }, "8|1": { 6: 1 }, "8|1,6": { 2: 1 } };
const special = { decoderStartTokenId: 1, eosTokenId: 2, padTokenId: 0 } as const;

class Recorder implements BaseStreamer {
  readonly calls: unknown[] = [];
  put(value: StreamedTokens): void {
    this.calls.push(structuredClone(value));
  }
  end(): void {
    this.calls.push("end");
  }
}

test("generate puts the prompt ([rows][length]), then each step's tokens ([rows]), then end()", async () => {
  const one = new Recorder();
  const out = await generate(new ToyModel(vocab.length, table), { inputIds: [[7]] }, special, { streamer: one });
  assert.deepEqual(out.sequences, [[1, 3, 4, 2]]);
  assert.deepEqual(one.calls, [[[1]], [3], [4], [2], "end"]);
  // A streamer of its own may take batches (transformers checks the batch in TextStreamer, not in generate).
  const two = new Recorder();
  await generate(new ToyModel(vocab.length, table), { inputIds: [[7], [8]] }, special, { streamer: two });
  assert.deepEqual(two.calls, [[[1], [1]], [3, 6], [4, 2], [2, 0], "end"]);
});

test("generate with a streamer: beam search refused before the encoder; TextStreamer refuses batches", async () => {
  const model = new ToyModel(vocab.length, table);
  await assert.rejects(
    generate(model, { inputIds: [[7]] }, { ...special, numBeams: 2 }, { streamer: new Recorder() }),
    (e: unknown) =>
      e instanceof GenerationError &&
      e.code === "INVALID_CONFIG" &&
      e.setting === "numBeams" &&
      /beam search/.test(e.message),
  );
  assert.equal(model.encodedRows, 0);
  const batches: [{ inputIds: number[][] }, Partial<GenerationConfig>][] = [
    [{ inputIds: [[7], [8]] }, special],
    [{ inputIds: [[7]] }, { ...special, doSample: true, numReturnSequences: 2, seed: 1 }],
  ];
  for (const [inputs, cfg] of batches) {
    const m = new ToyModel(vocab.length, table);
    await assert.rejects(
      generate(m, inputs, cfg, { streamer: new TextStreamer(tokenizer) }),
      (e: unknown) => e instanceof GenerationError && /batch size 1/.test(e.message),
    );
    assert.equal(m.live.size, 0, "states and caches disposed");
  }
});

test("TextIteratorStreamer: for await yields the text while generate runs; it joins to the full decode", async () => {
  const streamer = new TextIteratorStreamer(tokenizer, {
    skipPrompt: true,
    decodeOptions: { skipSpecialTokens: true },
  });
  const running = generate(new ToyModel(vocab.length, table), { inputIds: [[7]] }, special, { streamer });
  const pieces: string[] = [];
  for await (const text of streamer) pieces.push(text);
  const out = await running;
  assert.deepEqual(pieces, ["the", " cat", "", ""]);
  assert.equal(pieces.join(""), await tokenizer.decode(out.sequences[0]!, { skipSpecialTokens: true }));
  // The same streamer streams a second run.
  const again = generate(new ToyModel(vocab.length, table), { inputIds: [[8]] }, special, { streamer });
  const second: string[] = [];
  for await (const text of streamer) second.push(text);
  await again;
  assert.equal(second.join(""), "sat");
});

test("TextIteratorStreamer: timeoutMs rejects a wait for text that never comes", async () => {
  const streamer = new TextIteratorStreamer(tokenizer, { timeoutMs: 20 });
  const started = Date.now();
  await assert.rejects(streamer.next(), StreamerTimeoutError);
  assert.ok(Date.now() - started >= 15);
  // Text queued before the wait is there at once, the end stops the iteration.
  await streamer.put(ids("the", "cat"));
  await streamer.end();
  assert.deepEqual(await streamer.next(), { done: false, value: "the cat" });
  assert.deepEqual(await streamer.next(), { done: false, value: "" });
  assert.deepEqual(await streamer.next(), { done: true, value: undefined });
});
