import assert from "node:assert/strict";
import { test } from "node:test";
import { componentRows, formatComponentRows } from "./parameter-table.js";

test("componentRows folds layers into one row with a repeat count", () => {
  const rows = componentRows([
    ["embeddings.word_embeddings.weight", [10, 4]],
    ["encoder.layer.0.attention.self.query.weight", [4, 4]],
    ["encoder.layer.0.attention.self.query.bias", [4]],
    ["encoder.layer.1.attention.self.query.weight", [4, 4]],
    ["encoder.layer.1.attention.self.query.bias", [4]],
    ["pooler.dense.weight", [4, 4]],
  ]);
  assert.deepEqual(rows, [
    { component: "embeddings.word_embeddings", repeats: 1, tensors: 1, parameters: 40 },
    { component: "encoder.layer.*", repeats: 2, tensors: 4, parameters: 40 },
    { component: "pooler.dense", repeats: 1, tensors: 1, parameters: 16 },
  ]);
  const text = formatComponentRows(rows);
  assert.match(text, /encoder\.layer\.\* +×2 +4 +40/);
  assert.match(text, /total +6 +96$/);
});
