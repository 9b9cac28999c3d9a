import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_HUB_URL, resolveSettings } from "./settings.js";

test("defaults follow huggingface_hub: ~/.cache/huggingface/hub, huggingface.co, online, no token", () => {
  assert.deepEqual(resolveSettings({}, {}), {
    cacheDir: join(homedir(), ".cache", "huggingface", "hub"),
    hubUrl: DEFAULT_HUB_URL,
    offline: false,
    token: undefined,
  });
});

test("environment: HF_HUB_CACHE over HF_HOME over XDG_CACHE_HOME; HF_ENDPOINT; HF_HUB_OFFLINE; HF_TOKEN", () => {
  assert.equal(resolveSettings({}, { XDG_CACHE_HOME: "/x" }).cacheDir, join("/x", "huggingface", "hub"));
  assert.equal(resolveSettings({}, { XDG_CACHE_HOME: "/x", HF_HOME: "/h" }).cacheDir, join("/h", "hub"));
  assert.equal(resolveSettings({}, { HF_HOME: "/h", HF_HUB_CACHE: "/c" }).cacheDir, "/c");
  assert.equal(resolveSettings({}, { HF_ENDPOINT: "https://mirror.example/" }).hubUrl, "https://mirror.example");
  for (const on of ["1", "true", "YES", "on"]) {
    assert.equal(resolveSettings({}, { HF_HUB_OFFLINE: on }).offline, true, on);
  }
  for (const off of ["0", "false", "", "no"]) {
    assert.equal(resolveSettings({}, { HF_HUB_OFFLINE: off }).offline, false, off);
  }
  assert.equal(resolveSettings({}, { HF_TOKEN: "hf_a" }).token, "hf_a");
  assert.equal(resolveSettings({}, { HUGGING_FACE_HUB_TOKEN: "hf_b" }).token, "hf_b");
});

test("options win over the environment", () => {
  const env = { HF_HUB_CACHE: "/c", HF_ENDPOINT: "https://e", HF_HUB_OFFLINE: "1", HF_TOKEN: "hf_env" };
  assert.deepEqual(
    resolveSettings({ cacheDir: "/o", hubUrl: "http://127.0.0.1:1", offline: false, token: "hf_opt" }, env),
    {
      cacheDir: "/o",
      hubUrl: "http://127.0.0.1:1",
      offline: false,
      token: "hf_opt",
    },
  );
});
