// transformers' logits_processor= / stopping_criteria= here: the user's own processors and criteria.
import { EncoderDecoderModel, NoBadWordsLogitsProcessor, type StoppingCriteria } from "@warmstart/composer";
import { TINY_BERT } from "./troubleshooting.js";

export interface CustomProcessorsResult {
  /** What beam search returns without the user's lists. */
  plain: number[][];
  /** With the model's first choice banned. */
  banned: number[][];
  /** Banned as well, and stopped after the token the banned search picks first. */
  custom: number[][];
  unwantedId: number;
  periodId: number;
}

export async function customProcessors(): Promise<CustomProcessorsResult> {
  const model = await EncoderDecoderModel.fromEncoderDecoderPretrained(null, null, {
    encoderConfig: TINY_BERT,
    decoderConfig: TINY_BERT,
    decoderStartTokenId: 2,
    eosTokenId: 3,
    padTokenId: 0,
    seed: 7,
  });
  try {
    const inputIds = [[2, 5, 7, 9, 3]];
    const eosId = 3;
    const plain = (await model.generate({ inputIds }, { numBeams: 4, maxLength: 10 })).sequences;
    // Ban the token the model picks first; stop after the one it picks instead.
    const unwantedId = plain[0]?.[1] ?? 0;
    const noUnwanted = new NoBadWordsLogitsProcessor([[unwantedId]], [eosId]);
    const banned = (
      await model.generate({ inputIds }, { numBeams: 4, maxLength: 10 }, { logitsProcessors: [noUnwanted] })
    ).sequences;
    const periodId = banned[0]?.[1] ?? 0;
    // #region custom-processors
    const stopAtPeriod: StoppingCriteria = { isDone: (ids) => ids.map((row) => row.at(-1) === periodId) };
    const { sequences } = await model.generate(
      { inputIds },
      { numBeams: 4, maxLength: 10 },
      {
        logitsProcessors: [new NoBadWordsLogitsProcessor([[unwantedId]], [eosId])],
        stoppingCriteria: [stopAtPeriod],
      },
    );
    // #endregion custom-processors
    return { plain, banned, custom: sequences, unwantedId, periodId };
  } finally {
    model.dispose();
  }
}
