import { TextStreamer, type BaseStreamer, type StreamedTokens, type StreamerTokenizer } from "@warmstart/composer";

/** Receives one row's text as transformers' `TextStreamer` would emit it for that row alone. */
export type RowTextSink = (text: string) => void;

/**
 * A streamer for a whole batch that fans each step's tokens out to one `TextStreamer` per streaming row (the
 * built-in one takes batch size 1). A row's streamer ends at its first eos token, so its text is complete as soon
 * as that row is, not when the slowest row of the batch finishes; rows without a sink are not decoded.
 */
export class RowFanOutStreamer implements BaseStreamer {
  readonly #rows: (TextStreamer | undefined)[];
  readonly #ended: boolean[];
  readonly #eos: ReadonlySet<number>;
  #sawPrompt = false;

  constructor(
    tokenizer: StreamerTokenizer,
    sinks: readonly (RowTextSink | undefined)[],
    eosTokenIds: readonly number[],
  ) {
    this.#eos = new Set(eosTokenIds);
    this.#ended = sinks.map((sink) => sink === undefined);
    this.#rows = sinks.map((sink) =>
      sink === undefined
        ? undefined
        : new TextStreamer(tokenizer, {
            skipPrompt: true,
            decodeOptions: { skipSpecialTokens: true },
            onText: (text) => {
              if (text !== "") sink(text);
            },
          }),
    );
  }

  async put(value: StreamedTokens): Promise<void> {
    if (!this.#sawPrompt) {
      // The decoder prompt, one row per input: each row's streamer sees its own as a batch of one.
      this.#sawPrompt = true;
      const prompts = value as readonly (readonly number[])[];
      await Promise.all(this.#rows.map((row, i) => row?.put([prompts[i]!])));
      return;
    }
    const step = value as readonly number[];
    await Promise.all(
      this.#rows.map(async (row, i) => {
        if (row === undefined || this.#ended[i] === true) return;
        const id = step[i]!;
        await row.put([id]);
        if (this.#eos.has(id)) {
          this.#ended[i] = true;
          await row.end();
        }
      }),
    );
  }

  async end(): Promise<void> {
    await Promise.all(
      this.#rows.map(async (row, i) => {
        if (row === undefined || this.#ended[i] === true) return;
        this.#ended[i] = true;
        await row.end();
      }),
    );
  }
}
