import { WarmstartError } from "@warmstart/core";
import { GenerationError } from "./errors.js";

/**
 * Token ids handed to a streamer: `generate` passes the decoder prompt first as `[rows][promptLength]`, then the
 * tokens of every step as `[rows]` (one id per row), as transformers passes a 2-D then 1-D tensors.
 */
export type StreamedTokens = readonly number[] | readonly (readonly number[])[];

/**
 * What `generate(..., { streamer })` accepts (transformers' `BaseStreamer`): `put` is called with the decoder
 * prompt, then with each step's new tokens, and `end` once the search has finished (not when it throws).
 * Both may return a promise; `generate` waits for it before the next step.
 */
export interface BaseStreamer {
  put(value: StreamedTokens): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Options passed to the tokenizer's `decode` (those of `@warmstart/tokenizers`' `Tokenizer.decode`). */
export interface StreamerDecodeOptions {
  skipSpecialTokens?: boolean;
  cleanUpTokenizationSpaces?: boolean;
}

/** The part of a tokenizer a text streamer needs; `Tokenizer` from `@warmstart/tokenizers` fits it as is. */
export interface StreamerTokenizer {
  decode(ids: readonly number[], options?: StreamerDecodeOptions): Promise<string> | string;
}

/** Called with each piece of finished text; `streamEnd` is true for the last one (from `end()`). */
export type TextCallback = (text: string, streamEnd: boolean) => void | Promise<void>;

export interface TextStreamerOptions {
  /** Do not emit the prompt (the first `put`); default false, as transformers. */
  skipPrompt?: boolean;
  /** Passed to every `decode` call, e.g. `{ skipSpecialTokens: true }`. */
  decodeOptions?: StreamerDecodeOptions;
  /** Receives the text (empty pieces included, as transformers' `on_finalized_text`). */
  onText?: TextCallback;
}

/** Is `cp` in one of the CJK ideograph blocks that transformers' `TextStreamer` emits without waiting for a space? */
export function isCJKCodePoint(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Python's `str.isspace()` or a Unicode letter, mark or number (categories L*, M*, N*). */
function isPlainChar(char: string): boolean {
  // \x1c-\x1f are the ASCII separators that Python's isspace() counts as white space.
  // eslint-disable-next-line no-control-regex
  return /^[\s\x1c-\x1f\p{L}\p{M}\p{N}]$/u.test(char);
}

function isRowBatch(value: StreamedTokens): value is readonly (readonly number[])[] {
  return value.length > 0 && Array.isArray(value[0]);
}

/**
 * transformers 5's `TextStreamer`: decodes the tokens seen so far (all of them, so that subword merges and clean-up
 * come out as in a full decode) and emits the new text: all of it when it ends in a newline (then starts over with
 * the last token as context), when it ends in a CJK ideograph, or when the new part holds only letters, marks,
 * digits and spaces; otherwise (a symbol, which may still change) only up to the last space. `end()` emits the
 * rest. Positions count Unicode code points, as Python's string indices do. Batch size 1 only.
 *
 * Emits through `onText`, or override `onFinalizedText`.
 */
export class TextStreamer implements BaseStreamer {
  readonly tokenizer: StreamerTokenizer;
  readonly skipPrompt: boolean;
  readonly decodeOptions: StreamerDecodeOptions;
  readonly #onText: TextCallback | undefined;
  #tokenCache: number[] = [];
  /** Code points of the decoded cache already emitted. */
  #printLength = 0;
  #nextTokensArePrompt = true;

  constructor(tokenizer: StreamerTokenizer, options: TextStreamerOptions = {}) {
    this.tokenizer = tokenizer;
    this.skipPrompt = options.skipPrompt ?? false;
    this.decodeOptions = { ...options.decodeOptions };
    this.#onText = options.onText;
  }

  async put(value: StreamedTokens): Promise<void> {
    let ids: readonly number[];
    if (isRowBatch(value)) {
      if (value.length > 1) {
        throw new GenerationError(
          "INVALID_INPUTS",
          `TextStreamer only supports batch size 1, got ${value.length} rows: stream one input at a time ` +
            "(and numReturnSequences 1)",
        );
      }
      ids = value[0]!;
    } else {
      ids = value as readonly number[];
    }
    if (this.skipPrompt && this.#nextTokensArePrompt) {
      this.#nextTokensArePrompt = false;
      return;
    }
    this.#tokenCache.push(...ids);
    const text = Array.from(await this.tokenizer.decode(this.#tokenCache, this.decodeOptions));
    let printable: string;
    if (text.length > 0 && text[text.length - 1] === "\n") {
      // Start over, but keep the last token as decoding context (a leading space of the next line survives).
      printable = text.slice(this.#printLength).join("");
      this.#tokenCache = this.#tokenCache.slice(-1);
      this.#printLength = Array.from(await this.tokenizer.decode(this.#tokenCache, this.decodeOptions)).length;
    } else if (text.length > 0 && isCJKCodePoint(text[text.length - 1]!.codePointAt(0)!)) {
      printable = text.slice(this.#printLength).join("");
      this.#printLength = text.length;
    } else if (text.slice(this.#printLength).every(isPlainChar)) {
      // Letters, marks, digits and spaces go out at once (words without spaces stream too).
      printable = text.slice(this.#printLength).join("");
      this.#printLength = text.length;
    } else {
      // A symbol may open some formatting or be half a character: wait for the next space.
      // Up to and including the last space (an empty piece when there is none yet, or none after printLength).
      const upTo = text.lastIndexOf(" ") + 1;
      const piece = text.slice(this.#printLength, upTo);
      printable = piece.join("");
      this.#printLength += piece.length;
    }
    await this.onFinalizedText(printable, false);
  }

  async end(): Promise<void> {
    let printable = "";
    if (this.#tokenCache.length > 0) {
      const text = Array.from(await this.tokenizer.decode(this.#tokenCache, this.decodeOptions));
      printable = text.slice(this.#printLength).join("");
      this.#tokenCache = [];
      this.#printLength = 0;
    }
    this.#nextTokensArePrompt = true;
    await this.onFinalizedText(printable, true);
  }

  /** Receives every finished piece; calls `onText` (nothing without it). */
  protected async onFinalizedText(text: string, streamEnd: boolean): Promise<void> {
    if (this.#onText !== undefined) await this.#onText(text, streamEnd);
  }
}

/** A `TextIteratorStreamer` waited longer than its `timeoutMs` for the next piece of text. */
export class StreamerTimeoutError extends WarmstartError<"STREAMER_TIMEOUT"> {
  override readonly name = "StreamerTimeoutError";

  constructor(timeoutMs: number) {
    super(
      "STREAMER_TIMEOUT",
      `no text arrived from the streamer within ${timeoutMs} ms (did generate() fail or never start?)`,
    );
  }
}

export interface TextIteratorStreamerOptions extends Omit<TextStreamerOptions, "onText"> {
  /**
   * How long one step of the iteration waits for text, in milliseconds; then it throws `StreamerTimeoutError`
   * (transformers' `TextIteratorStreamer` raises `queue.Empty`). Unset: waits indefinitely.
   */
  timeoutMs?: number;
}

const STOP = Symbol("stop");

/**
 * transformers' `TextIteratorStreamer`: the text of a `TextStreamer` queued for `for await (const text of streamer)`
 * while `generate` runs (start it without awaiting it first). Yields every piece, empty ones included, and stops at
 * `end()`; a later `generate` with the same streamer can be iterated again.
 */
export class TextIteratorStreamer extends TextStreamer implements AsyncIterableIterator<string> {
  readonly timeoutMs: number | undefined;
  readonly #queue: (string | typeof STOP)[] = [];
  #waiting: ((value: string | typeof STOP) => void) | undefined;

  constructor(tokenizer: StreamerTokenizer, options: TextIteratorStreamerOptions = {}) {
    super(tokenizer, options);
    this.timeoutMs = options.timeoutMs;
  }

  protected override async onFinalizedText(text: string, streamEnd: boolean): Promise<void> {
    this.#push(text);
    if (streamEnd) this.#push(STOP);
  }

  #push(value: string | typeof STOP): void {
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting(value);
    } else {
      this.#queue.push(value);
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<string, undefined>> {
    const value = await this.#take();
    return value === STOP ? { done: true, value: undefined } : { done: false, value };
  }

  #take(): Promise<string | typeof STOP> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift()!);
    if (this.#waiting !== undefined) {
      return Promise.reject(new Error("TextIteratorStreamer: next() called again before the previous call resolved"));
    }
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.#waiting = (value) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(value);
      };
      if (this.timeoutMs !== undefined) {
        const timeoutMs = this.timeoutMs;
        timer = setTimeout(() => {
          this.#waiting = undefined;
          reject(new StreamerTimeoutError(timeoutMs));
        }, timeoutMs);
      }
    });
  }
}
