import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { inspect } from "node:util";
import { sharedPath, sharedSkipReason } from "@warmstart/test-utils";
import { HubError } from "./errors.js";
import { resolveModel } from "./resolve-model.js";
import type { DownloadProgress } from "./download-file.js";
import { repoFilesFromDir, startTestHub } from "./testing/hub-server.js";
import type { TestHub, TestHubOptions, TestRepo } from "./testing/hub-server.js";

const FIXTURE = "fixtures/parity/bert";
const skip = sharedSkipReason(FIXTURE);
const MODEL = "warmstart-test/tiny-bert";
const REPO_FOLDER = "models--warmstart-test--tiny-bert";
const VOCAB = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n";

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "warmstart-hub-"));
  temps.push(dir);
  return dir;
}

async function bertFiles(): Promise<Record<string, Buffer>> {
  return repoFilesFromDir(sharedPath(FIXTURE) as string);
}

/** The bert fixture as a Hub repository, with a vocab and a PyTorch copy that must not be fetched. */
async function bertRepo(): Promise<TestHubOptions["repos"][number]> {
  return {
    id: MODEL,
    files: { ...(await bertFiles()), "vocab.txt": VOCAB, "pytorch_model.bin": "not a pickle", "README.md": "# tiny" },
  };
}

async function withHub<T>(options: TestHubOptions, body: (hub: TestHub) => Promise<T>): Promise<T> {
  const hub = await startTestHub(options);
  try {
    return await body(hub);
  } finally {
    await hub.close();
  }
}

/** Every file below `dir`, as paths relative to it. */
async function walk(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String);
}

function fastRetry(retries: number) {
  return { retries, retryDelayMs: 1 };
}

test(
  "first download fetches config, tokenizer files and safetensors into a huggingface_hub-style cache",
  { skip },
  async () => {
    const cacheDir = await tempDir();
    const fixture = await bertFiles();
    await withHub({ repos: [await bertRepo()] }, async (hub) => {
      const events: DownloadProgress[] = [];
      const folder = await resolveModel(MODEL, {
        cacheDir,
        hubUrl: hub.url,
        offline: false,
        onProgress: (e) => events.push(e),
        ...fastRetry(0),
      });
      const commit = hub.commitOf(MODEL);
      assert.equal(folder, join(cacheDir, REPO_FOLDER, "snapshots", commit));
      assert.deepEqual((await readdir(folder)).sort(), ["config.json", "model.safetensors", "vocab.txt"]);
      assert.deepEqual(await readFile(join(folder, "config.json")), fixture["config.json"]);
      assert.deepEqual(await readFile(join(folder, "model.safetensors")), fixture["model.safetensors"]);
      assert.equal(await readFile(join(folder, "vocab.txt"), "utf8"), VOCAB);
      assert.equal(await readFile(join(cacheDir, REPO_FOLDER, "refs", "main"), "utf8"), commit);
      // Snapshots link into blobs/, as huggingface_hub lays them out.
      const link = join(folder, "model.safetensors");
      assert.ok((await lstat(link)).isSymbolicLink());
      assert.match(await readlink(link), /^\.\.\/\.\.\/blobs\/[0-9a-f]{64}$/);
      assert.deepEqual(
        (await walk(cacheDir)).filter((f) => f.endsWith(".incomplete")),
        [],
      );
      // Safetensors preferred: the PyTorch file was never requested.
      assert.ok(!hub.requests.some((r) => r.url.includes("pytorch_model.bin")));
      assert.ok(hub.requests.some((r) => r.url.startsWith(`/api/models/${MODEL}/revision/main`)));
      assert.ok(hub.requests.some((r) => r.url.startsWith(`/api/models/${MODEL}/tree/${commit}`)));

      const weights = events.filter((e) => e.file === "model.safetensors");
      const size = fixture["model.safetensors"]?.length;
      assert.ok(weights.length >= 2, "progress reported more than once for the weights");
      assert.equal(weights[0]?.loaded, 0);
      assert.deepEqual(weights.at(-1), { file: "model.safetensors", loaded: size, total: size });
      for (let i = 1; i < weights.length; i++) assert.ok((weights[i]?.loaded ?? 0) >= (weights[i - 1]?.loaded ?? 0));

      // A second online call finds every file in the snapshot and downloads nothing.
      const before = hub.requests.length;
      assert.equal(await resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false }), folder);
      const again = hub.requests.slice(before).map((r) => r.url);
      assert.ok(
        again.every((url) => url.startsWith("/api/")),
        `only metadata requests, got ${again.join(", ")}`,
      );
    });
  },
);

test("with the server stopped, offline mode (option or HF_HUB_OFFLINE) serves the cache", { skip }, async () => {
  const cacheDir = await tempDir();
  const hub = await startTestHub({ repos: [await bertRepo()] });
  const folder = await resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false });
  const hubUrl = hub.url;
  await hub.close();

  assert.equal(await resolveModel(MODEL, { cacheDir, hubUrl, offline: true }), folder);
  const saved = process.env.HF_HUB_OFFLINE;
  process.env.HF_HUB_OFFLINE = "1";
  try {
    const noNetwork: typeof fetch = () => Promise.reject(new Error("offline mode must not fetch"));
    assert.equal(await resolveModel(MODEL, { cacheDir, hubUrl, fetch: noNetwork }), folder);
  } finally {
    if (saved === undefined) delete process.env.HF_HUB_OFFLINE;
    else process.env.HF_HUB_OFFLINE = saved;
  }
  // Online but unreachable: the complete cached snapshot still serves, as in huggingface_hub.
  assert.equal(await resolveModel(MODEL, { cacheDir, hubUrl, offline: false, ...fastRetry(0) }), folder);
  // Pinned to the commit, no request is needed at all.
  const commit = folder.split("/").at(-1) as string;
  const noNetwork: typeof fetch = () => Promise.reject(new Error("a cached commit must not fetch"));
  assert.equal(
    await resolveModel(MODEL, { cacheDir, hubUrl, offline: false, revision: commit, fetch: noNetwork }),
    folder,
  );
});

test("offline with an empty cache names the model and the cache path", async () => {
  const cacheDir = await tempDir();
  await assert.rejects(resolveModel("someone/absent-model", { cacheDir, offline: true }), (error: unknown) => {
    assert.ok(error instanceof HubError);
    assert.equal(error.code, "OFFLINE_CACHE_MISS");
    assert.equal(error.modelId, "someone/absent-model");
    assert.match(error.message, /someone\/absent-model/);
    assert.ok(error.message.includes(cacheDir), error.message);
    assert.equal(error.cachePath, join(cacheDir, "models--someone--absent-model"));
    return true;
  });
});

test("an unknown model or revision is NOT_FOUND and names the model id", { skip }, async () => {
  const cacheDir = await tempDir();
  await withHub({ repos: [await bertRepo()] }, async (hub) => {
    await assert.rejects(
      resolveModel("warmstart-test/no-such-model", { cacheDir, hubUrl: hub.url, offline: false }),
      (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.code, "NOT_FOUND");
        assert.equal(error.status, 404);
        assert.match(error.message, /warmstart-test\/no-such-model/);
        return true;
      },
    );
    await assert.rejects(
      resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, revision: "v9" }),
      (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.code, "NOT_FOUND");
        assert.match(error.message, /tiny-bert \(revision v9\)/);
        return true;
      },
    );
  });
  assert.deepEqual(await walk(cacheDir), []);
});

test("a connection cut mid-file fails with NETWORK after the retries and leaves no half file", { skip }, async () => {
  const cacheDir = await tempDir();
  await withHub({ repos: [await bertRepo()], cut: { file: "model.safetensors" } }, async (hub) => {
    await assert.rejects(
      resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, ...fastRetry(2) }),
      (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.code, "NETWORK");
        assert.equal(error.file, "model.safetensors");
        assert.match(error.message, /model\.safetensors of warmstart-test\/tiny-bert/);
        return true;
      },
    );
    const bodyRequests = hub.requests.filter((r) => r.url.startsWith("/__lfs/") && r.headers.range === undefined);
    assert.equal(bodyRequests.length, 3, "the first try and two retries");
  });
  const files = await walk(cacheDir);
  assert.deepEqual(
    files.filter((f) => f.endsWith(".incomplete")),
    [],
  );
  assert.ok(!files.some((f) => f.endsWith("model.safetensors")), files.join("\n"));
  const blobs = await readdir(join(cacheDir, REPO_FOLDER, "blobs"));
  assert.ok(
    blobs.every((b) => !/^[0-9a-f]{64}$/.test(b)),
    "no safetensors blob",
  );
  assert.ok(!existsSync(join(cacheDir, REPO_FOLDER, "refs", "main")), "no ref to an incomplete snapshot");
  // And the half-filled snapshot does not pass for a cached model.
  await assert.rejects(resolveModel(MODEL, { cacheDir, offline: true }), { code: "OFFLINE_CACHE_MISS" });
});

test("a connection cut once is retried and the file arrives whole", { skip }, async () => {
  const cacheDir = await tempDir();
  const fixture = await bertFiles();
  await withHub({ repos: [await bertRepo()], cut: { file: "model.safetensors", times: 1 } }, async (hub) => {
    const folder = await resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, ...fastRetry(2) });
    assert.deepEqual(await readFile(join(folder, "model.safetensors")), fixture["model.safetensors"]);
  });
});

test("bytes that do not match the listing's sha256 are INTEGRITY errors and never kept", { skip }, async () => {
  const cacheDir = await tempDir();
  await withHub({ repos: [await bertRepo()] }, async (hub) => {
    // Flip the first byte of every storage body: same size, wrong hash.
    const corrupting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const isBody = String(res.url).includes("/__lfs/") && res.status === 200;
      if (!isBody) return res;
      const bytes = new Uint8Array(await res.arrayBuffer());
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return new Response(bytes, { status: 200, headers: res.headers });
    };
    await assert.rejects(
      resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, fetch: corrupting, ...fastRetry(1) }),
      (error: unknown) => error instanceof HubError && error.code === "INTEGRITY" && /sha256/.test(error.message),
    );
  });
  const files = await walk(cacheDir);
  assert.ok(!files.some((f) => f.endsWith("model.safetensors") || f.endsWith(".incomplete")), files.join("\n"));
});

test("a local folder passes through unchanged, without any request", { skip }, async () => {
  const dir = sharedPath(FIXTURE) as string;
  const noNetwork: typeof fetch = () => Promise.reject(new Error("a local folder must not fetch"));
  assert.equal(await resolveModel(dir, { fetch: noNetwork }), dir);
  await assert.rejects(resolveModel(join(dir, "config.json")), { code: "INVALID_ARGUMENT" });
  await assert.rejects(resolveModel("./no/such/folder"), (error: unknown) => {
    return error instanceof HubError && error.code === "NOT_FOUND" && /\.\/no\/such\/folder/.test(error.message);
  });
  await assert.rejects(resolveModel("bad--id"), { code: "INVALID_ARGUMENT" });
});

test("the token is sent as a bearer header and never appears in errors", { skip }, async () => {
  const cacheDir = await tempDir();
  const token = "hf_good_token_0123456789";
  await withHub({ repos: [await bertRepo()], token }, async (hub) => {
    await resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, token });
    assert.ok(hub.requests.length > 0);
    for (const r of hub.requests) assert.equal(r.headers.authorization, `Bearer ${token}`, r.url);

    // HF_TOKEN is read when no token option is given.
    const saved = process.env.HF_TOKEN;
    process.env.HF_TOKEN = token;
    try {
      await resolveModel(MODEL, { cacheDir: await tempDir(), hubUrl: hub.url, offline: false });
    } finally {
      if (saved === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved;
    }

    // The server echoes a rejected token in its error body; the HubError must not carry it.
    for (const wrong of ["hf_wrong_secret_987654321", "mirror-secret-abcdef"]) {
      await assert.rejects(
        resolveModel(MODEL, { cacheDir: await tempDir(), hubUrl: hub.url, offline: false, token: wrong }),
        (error: unknown) => {
          assert.ok(error instanceof HubError);
          assert.equal(error.code, "UNAUTHORIZED");
          assert.equal(error.status, 401);
          const everything = `${error.message}\n${error.stack}\n${inspect(error, { depth: 5 })}`;
          assert.ok(!everything.includes(wrong), everything);
          assert.ok(everything.includes("***"), "the echoed token was replaced");
          return true;
        },
      );
      const sent = hub.requests.at(-1)?.headers.authorization;
      assert.equal(sent, `Bearer ${wrong}`);
    }
  });
});

test(
  "a listing with a traversing or absolute file name is refused and nothing escapes the cache",
  { skip },
  async () => {
    const root = await tempDir();
    const cacheDir = join(root, "cache");
    for (const path of ["../../escape.txt", "/etc/evil", "sub\\..\\..\\evil"]) {
      const repo = { ...(await bertRepo()), extraListing: [{ type: "file", oid: "0".repeat(40), size: 4, path }] };
      await withHub({ repos: [repo] }, async (hub) => {
        await assert.rejects(resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false }), (error: unknown) => {
          assert.ok(error instanceof HubError);
          assert.equal(error.code, "UNSAFE_PATH");
          assert.equal(error.file, path);
          assert.ok(error.message.includes(path) && error.message.includes(MODEL), error.message);
          return true;
        });
        assert.ok(!hub.requests.some((r) => r.url.includes("/resolve/")), "refused before any download");
      });
    }
    assert.deepEqual(
      (await readdir(root)).filter((f) => f !== "cache"),
      [],
    );
    assert.ok(!existsSync(join(dirname(root), "escape.txt")));
  },
);

test("a safetensors index with a traversing shard name is refused", async () => {
  const cacheDir = await tempDir();
  const index = JSON.stringify({ metadata: {}, weight_map: { "a.weight": "../../../outside.safetensors" } });
  const files = { "config.json": "{}", "model.safetensors.index.json": index };
  await withHub({ repos: [{ id: "org/sharded", files }] }, async (hub) => {
    await assert.rejects(resolveModel("org/sharded", { cacheDir, hubUrl: hub.url, offline: false }), {
      code: "UNSAFE_PATH",
    });
  });
});

test("only PyTorch weights: pytorch_model.bin is fetched (and its shards), safetensors preferred when both exist", async () => {
  const cacheDir = await tempDir();
  const binIndex = JSON.stringify({
    metadata: {},
    weight_map: { "a.weight": "pytorch_model-00001-of-00002.bin", "b.weight": "pytorch_model-00002-of-00002.bin" },
  });
  const repos: TestRepo[] = [
    { id: "org/old-model", files: { "config.json": "{}", "pytorch_model.bin": "pickle", "vocab.txt": VOCAB } },
    {
      id: "org/old-sharded",
      files: {
        "config.json": "{}",
        "pytorch_model.bin.index.json": binIndex,
        "pytorch_model-00001-of-00002.bin": "one",
        "pytorch_model-00002-of-00002.bin": "two",
      },
    },
    { id: "org/both", files: { "config.json": "{}", "pytorch_model.bin": "pickle", "model.safetensors": "st" } },
    { id: "org/no-weights", files: { "config.json": "{}" } },
  ];
  await withHub({ repos }, async (hub) => {
    const old = await resolveModel("org/old-model", { cacheDir, hubUrl: hub.url, offline: false });
    assert.equal(await readFile(join(old, "pytorch_model.bin"), "utf8"), "pickle");
    const sharded = await resolveModel("org/old-sharded", { cacheDir, hubUrl: hub.url, offline: false });
    assert.equal(await readFile(join(sharded, "pytorch_model-00002-of-00002.bin"), "utf8"), "two");
    const both = await resolveModel("org/both", { cacheDir, hubUrl: hub.url, offline: false });
    assert.equal(await readFile(join(both, "model.safetensors"), "utf8"), "st");
    assert.ok(
      !hub.requests.some((r) => r.url.includes("org/both/resolve") && r.url.endsWith(".bin")),
      "no .bin when safetensors exist",
    );
    await assert.rejects(
      resolveModel("org/no-weights", { cacheDir, hubUrl: hub.url, offline: false }),
      (error: unknown) => {
        assert.ok(error instanceof HubError);
        assert.equal(error.code, "NO_WEIGHTS");
        assert.match(error.message, /pytorch_model\.bin/);
        return true;
      },
    );
  });
  // Offline, the cache serves what was fetched.
  const again = await resolveModel("org/old-sharded", { cacheDir, offline: true });
  assert.equal(await readFile(join(again, "pytorch_model-00001-of-00002.bin"), "utf8"), "one");
});

test("sharded safetensors: the index and every shard it names are fetched, and serve offline", async () => {
  const cacheDir = await tempDir();
  const index = JSON.stringify({
    metadata: { total_size: 8 },
    weight_map: {
      "a.weight": "model-00001-of-00002.safetensors",
      "b.weight": "model-00002-of-00002.safetensors",
      "c.bias": "model-00002-of-00002.safetensors",
    },
  });
  const files = {
    "config.json": "{}",
    "model.safetensors.index.json": index,
    "model-00001-of-00002.safetensors": "shard-1!",
    "model-00002-of-00002.safetensors": "shard-2!",
    "model-00003-of-00003.safetensors": "stray, not in the index",
  };
  let folder = "";
  await withHub({ repos: [{ id: "org/sharded", files }] }, async (hub) => {
    folder = await resolveModel("org/sharded", { cacheDir, hubUrl: hub.url, offline: false });
  });
  assert.deepEqual((await readdir(folder)).sort(), [
    "config.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "model.safetensors.index.json",
  ]);
  assert.equal(await resolveModel("org/sharded", { cacheDir, offline: true }), folder);
  await rm(join(folder, "model-00002-of-00002.safetensors"));
  await assert.rejects(resolveModel("org/sharded", { cacheDir, offline: true }), (error: unknown) => {
    return (
      error instanceof HubError && error.code === "OFFLINE_CACHE_MISS" && /model-00002-of-00002/.test(error.message)
    );
  });
});

test("the files option fetches only the named files that exist", { skip }, async () => {
  const cacheDir = await tempDir();
  await withHub({ repos: [await bertRepo()] }, async (hub) => {
    const folder = await resolveModel(MODEL, {
      cacheDir,
      hubUrl: hub.url,
      offline: false,
      files: ["vocab.txt", "tokenizer.json"],
    });
    assert.deepEqual(await readdir(folder), ["vocab.txt"]);
    assert.equal(
      await resolveModel(MODEL, { cacheDir, offline: true, files: ["vocab.txt", "tokenizer.json"] }),
      folder,
    );
    await assert.rejects(resolveModel(MODEL, { cacheDir, hubUrl: hub.url, offline: false, files: ["nope.json"] }), {
      code: "NOT_FOUND",
    });
  });
});

test("a cache written by Python's huggingface_hub is read offline (HF_HOME layout)", { skip }, async () => {
  const home = await tempDir();
  const repo = join(home, "hub", "models--google-bert--bert-tiny");
  const commit = "a".repeat(40);
  const fixture = await bertFiles();
  await mkdir(join(repo, "blobs"), { recursive: true });
  await mkdir(join(repo, "snapshots", commit), { recursive: true });
  await mkdir(join(repo, "refs"), { recursive: true });
  await writeFile(join(repo, "refs", "main"), commit);
  for (const [name, bytes] of Object.entries(fixture)) {
    const blob = `${name.length}${"b".repeat(39)}`;
    await writeFile(join(repo, "blobs", blob), bytes);
    await symlink(`../../blobs/${blob}`, join(repo, "snapshots", commit, name));
  }
  const saved = {
    HF_HOME: process.env.HF_HOME,
    HF_HUB_CACHE: process.env.HF_HUB_CACHE,
    HF_HUB_OFFLINE: process.env.HF_HUB_OFFLINE,
  };
  process.env.HF_HOME = home;
  process.env.HF_HUB_OFFLINE = "true";
  delete process.env.HF_HUB_CACHE;
  try {
    assert.equal(await resolveModel("google-bert/bert-tiny"), join(repo, "snapshots", commit));
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});

test("server errors (503) are retried with backoff; a throwing progress callback stops at once", { skip }, async () => {
  const cacheDir = await tempDir();
  await withHub({ repos: [await bertRepo()] }, async (hub) => {
    let failures = 2;
    const flaky: typeof fetch = (input, init) => {
      if (String(input).includes("/revision/") && failures-- > 0) {
        return Promise.resolve(new Response("busy", { status: 503 }));
      }
      return fetch(input, init);
    };
    const folder = await resolveModel(MODEL, {
      cacheDir,
      hubUrl: hub.url,
      offline: false,
      fetch: flaky,
      ...fastRetry(2),
    });
    assert.equal(failures, -1, "two 503s, then success");
    assert.ok(existsSync(join(folder, "model.safetensors")));

    const boom = new Error("stop here");
    const fresh = await tempDir();
    const before = hub.requests.length;
    await assert.rejects(
      resolveModel(MODEL, {
        cacheDir: fresh,
        hubUrl: hub.url,
        offline: false,
        ...fastRetry(3),
        onProgress: (e) => {
          if (e.file === "model.safetensors" && e.loaded > 0) throw boom;
        },
      }),
      (error: unknown) => error === boom,
    );
    const bodies = hub.requests
      .slice(before)
      .filter((r) => r.url.startsWith("/__lfs/") && r.headers.range === undefined);
    assert.equal(bodies.length, 1, "not retried");
    assert.deepEqual(
      (await walk(fresh)).filter((f) => f.endsWith(".incomplete") || f.endsWith("model.safetensors")),
      [],
    );
  });
});
