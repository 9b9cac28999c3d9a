// The training package's formatter, from a subpath that loads no TensorFlow.js (keeps --help fast).
import { formatDuration } from "@warmstart/training/progress";

/** Where a progress bar writes: stderr in the CLI, a buffer in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Words before the bar, e.g. "fine-tune BERT2BERT". */
  label: string;
  /** Units of work in all (steps, lines). */
  total: number;
  stream: ProgressStream;
  /** Injectable clock (milliseconds), for tests. */
  now?: () => number;
  /** Units already done when the bar starts (a resumed run): shown, but left out of the rate. */
  initial?: number;
  /** Without a TTY: at most one line per this many milliseconds (default 10 s), plus every 10 % of the work. */
  plainIntervalMs?: number;
}

/**
 * A progress bar with rate and ETA on stderr. On a TTY it redraws one line in place (at most ~10 times a
 * second); otherwise (CI logs, pipes) it prints a plain line every 10 % or every `plainIntervalMs`, so logs
 * stay readable and short.
 */
export class ProgressBar {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #start: number;
  readonly #initial: number;
  #done: number;
  #note = "";
  #lastDraw = Number.NEGATIVE_INFINITY;
  #lastPlainShare = -1;
  /** What the last plain line showed, so that `finish` does not print the same 100 % line a second time. */
  #lastPlainLine: { done: number; note: string } | undefined;
  #finished = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#start = this.#now();
    this.#initial = options.initial ?? 0;
    this.#done = this.#initial;
  }

  get done(): number {
    return this.#done;
  }

  /** Advances by `n` units; `note` (e.g. "loss 2.31") is shown after the ETA. */
  tick(n = 1, note?: string): void {
    this.update(this.#done + n, note);
  }

  /** Sets the absolute amount done. */
  update(done: number, note?: string): void {
    this.#done = Math.min(done, this.#options.total);
    if (note !== undefined) this.#note = note;
    this.#draw(false);
  }

  /** Draws the final state and ends the line. */
  finish(note?: string): void {
    if (this.#finished) return;
    if (note !== undefined) this.#note = note;
    this.#draw(true);
    this.#finished = true;
  }

  /** The line as it would be printed now, without the bar (plain mode) or with it (TTY mode). */
  render(withBar: boolean): string {
    const { label, total } = this.#options;
    const elapsed = (this.#now() - this.#start) / 1000;
    const share = total > 0 ? this.#done / total : 1;
    const rate = elapsed > 0 ? (this.#done - this.#initial) / elapsed : 0;
    const eta =
      this.#done >= total ? "done" : rate > 0 ? `ETA ${formatDuration((total - this.#done) / rate)}` : "ETA ?";
    const width = 24;
    const filled = Math.round(share * width);
    const bar = withBar ? ` [${"#".repeat(filled)}${".".repeat(width - filled)}]` : "";
    const rateText = rate >= 1 ? `${rate.toFixed(1)}/s` : rate > 0 ? `${(1 / rate).toFixed(1)}s each` : "";
    const parts = [
      `${label}${bar}`,
      `${this.#done}/${total}`,
      `${(share * 100).toFixed(0)}%`,
      rateText,
      eta,
      `elapsed ${formatDuration(elapsed)}`,
      this.#note,
    ];
    return parts.filter((p) => p !== "").join("  ");
  }

  #draw(final: boolean): void {
    if (this.#finished) return;
    const stream = this.#options.stream;
    const now = this.#now();
    if (stream.isTTY === true) {
      if (!final && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const columns = stream.columns ?? 100;
      stream.write(`\r${this.render(true).slice(0, columns - 1)}\x1b[K${final ? "\n" : ""}`);
      return;
    }
    const share = this.#options.total > 0 ? Math.floor((10 * this.#done) / this.#options.total) : 10;
    const interval = this.#options.plainIntervalMs ?? 10_000;
    const repeat = this.#lastPlainLine?.done === this.#done && this.#lastPlainLine.note === this.#note;
    if (final ? !repeat : share > this.#lastPlainShare || now - this.#lastDraw >= interval) {
      this.#lastPlainShare = share;
      this.#lastDraw = now;
      this.#lastPlainLine = { done: this.#done, note: this.#note };
      stream.write(`${this.render(false)}\n`);
    }
  }
}
