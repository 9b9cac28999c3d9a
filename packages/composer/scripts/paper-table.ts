// Prints the paper's Table 1 counterpart (random / leveraged / total parameters of the nine compositions of
// Rothe et al. 2020) from the shipped base configs, plus Hugging Face's two reference totals. Config only.
// Usage: pnpm --filter @warmstart/composer exec tsx scripts/paper-table.ts
import { describeComposition, describePaperCompositions, formatCompositionTable } from "../src/index.js";

const rows = await describePaperCompositions();
console.log(formatCompositionTable(rows));
const bert2bert = await describeComposition("bert-base-uncased", "bert-base-uncased");
const bertShare = await describeComposition("bert-base-cased", "bert-base-cased", { tieEncoderDecoder: true });
console.log();
console.log(
  `Hugging Face references: BERT2BERT (bert-base-uncased) ${bert2bert.total.toLocaleString("en-US")}; BERTShare (bert-base-cased) ${bertShare.total.toLocaleString("en-US")}`,
);
