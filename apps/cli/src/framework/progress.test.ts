import assert from "node:assert/strict";
import { test } from "node:test";
import { ProgressBar } from "./progress.js";

function sink(isTTY: boolean): {
  chunks: string[];
  stream: { write: (s: string) => boolean; isTTY: boolean; columns: number };
} {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => chunks.push(s) > 0, isTTY, columns: 200 } };
}

test("without a TTY: a plain line per 10 % of the work, with rate and ETA", () => {
  let now = 0;
  const { chunks, stream } = sink(false);
  const bar = new ProgressBar({ label: "train", total: 100, stream, now: () => now });
  for (let i = 0; i < 100; i++) {
    now += 500;
    bar.tick(1, "loss 1.0");
  }
  bar.finish();
  assert.ok(chunks.length >= 10 && chunks.length <= 12, `got ${chunks.length} lines`);
  assert.ok(chunks.every((c) => c.endsWith("\n") && !c.includes("\r")));
  assert.match(chunks[1] ?? "", /^train {2}10\/100 {2}10% {2}2\.0\/s {2}ETA 45s/);
  assert.match(chunks.at(-1) ?? "", /100\/100 {2}100%.*done/);
});

test("without a TTY: the last line is printed once, whether the work reached its total before finish or not", () => {
  let now = 0;
  const { chunks, stream } = sink(false);
  const bar = new ProgressBar({ label: "pretrain", total: 2, stream, now: () => now });
  now = 1000;
  bar.update(2, "loss 4.4");
  bar.finish();
  assert.equal(chunks.filter((c) => c.includes("2/2")).length, 1, chunks.join(""));
  const early = sink(false);
  const stopped = new ProgressBar({ label: "train", total: 100, stream: early.stream, now: () => now });
  stopped.update(1);
  stopped.update(50);
  stopped.finish("stopped");
  assert.match(early.chunks.at(-1) ?? "", /50\/100.*stopped/);
  assert.equal(early.chunks.filter((c) => c.includes("50/100")).length, 2, "a new note is a new line");
});

test("on a TTY: redraws one line in place and ends it at finish", () => {
  let now = 0;
  const { chunks, stream } = sink(true);
  const bar = new ProgressBar({ label: "gen", total: 4, stream, now: () => now });
  now = 1000;
  bar.tick();
  now = 2000;
  bar.tick();
  bar.finish();
  assert.ok(chunks.every((c) => c.startsWith("\r")));
  assert.match(chunks[0] ?? "", /\[######\.+\] {2}1\/4/);
  assert.ok(chunks.at(-1)?.endsWith("\n"));
});

test("steps done before the bar started do not inflate the rate", () => {
  let now = 0;
  const { stream } = sink(false);
  const bar = new ProgressBar({ label: "resume", total: 200, stream, now: () => now, initial: 100 });
  now = 10_000;
  bar.update(110);
  assert.match(bar.render(false), /1\.0\/s {2}ETA 1m30s/);
});
