import assert from "node:assert/strict";
import { test } from "node:test";
import { repoFilesFromDir, startTestHub } from "@warmstart/hub/testing";
import { AutoTokenizer } from "./auto.js";
import { scratchDir, writeRobertaFolder } from "./test-support/vocabs.js";

test("a Hub id is resolved through @warmstart/hub, fetching tokenizer files but not weights", async () => {
  const files = await repoFilesFromDir(await writeRobertaFolder(await scratchDir("hub-repo")));
  const hub = await startTestHub({
    repos: [
      {
        id: "test-org/tiny-roberta",
        files: { ...files, "config.json": '{"model_type":"roberta"}', "model.safetensors": "not weights" },
      },
    ],
  });
  try {
    const tok = await AutoTokenizer.fromPretrained("test-org/tiny-roberta", {
      hub: { hubUrl: hub.url, cacheDir: await scratchDir("hub-cache"), retries: 0 },
    });
    assert.deepEqual((await tok.encode("Hello, world!")).inputIds, [0, 15500, 15, 999, 4, 2]);
    assert.ok(!hub.requests.some((request) => request.url.includes("model.safetensors")), "weights are not downloaded");
  } finally {
    await hub.close();
  }
});
