// Builds (if needed) and serves the site on 127.0.0.1, then drives Debian's Chromium through playwright-core:
// every page reachable from the home page is visited (each internal link must answer 200, no page may log a
// console error or throw), the demo generates once, and a screenshot of it is saved under .artifacts/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { initBackend } from "@warmstart/tensors";
import { FIXED_INPUTS } from "./demo/fixed-inputs.js";
import { generateDemoOutput, type DemoOutput } from "./demo/generation.js";
import { demoModelDir, loadNodeReference, readProvenance } from "./demo/node-reference.js";
import type { DemoScore } from "./demo/provenance.js";
import { serveStatic } from "./static-server.js";

const CHROMIUM = "/usr/bin/chromium";
const app = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(app, "docs", ".vitepress", "dist");
const artifacts = join(app, ".artifacts");
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`;

let context: BrowserContext;
let origin: string;
let close: () => Promise<void> = async () => {};

before(async () => {
  if (skip !== false) return;
  if (!existsSync(join(dist, "index.html"))) {
    // `pnpm test` builds every package first (turbo), the site included; this covers a bare test run.
    const build = spawnSync("pnpm", ["run", "build"], { cwd: app, stdio: "inherit", shell: false });
    assert.equal(build.status, 0, "pnpm --filter @warmstart/docs build failed");
  }
  const served = await serveStatic(dist);
  origin = served.origin;
  const profile = mkdtempSync(join(tmpdir(), "docs-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  close = async () => {
    await context.close();
    served.server.close();
    rmSync(profile, { recursive: true, force: true });
  };
});

after(async () => {
  await close();
});

/** Console errors and uncaught exceptions of `page` since the last call. */
function watch(page: Page): () => string[] {
  let errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`exception: ${error.message}`));
  page.on("response", (response) => {
    if (response.url().startsWith(origin) && response.status() >= 400) {
      errors.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  return () => {
    const out = errors;
    errors = [];
    return out;
  };
}

/** As the demo page shows a score: "63.1 [61.9, 64.2]". */
const formatScore = (s: DemoScore): string => `${s.score.toFixed(1)} [${s.low.toFixed(1)}, ${s.high.toFixed(1)}]`;

/** Titles are HTML-escaped in the page; decode the few entities VitePress writes. */
function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

test("every page loads without broken internal links or console errors", { skip, timeout: 240_000 }, async () => {
  // The first page is a full load; every other page is reached the way a reader's click reaches it, through
  // VitePress' client-side router (a full reload per page would spend minutes re-hydrating the same app).
  // Every internal link is also fetched over HTTP, so a link to a missing page fails twice: 404 and NotFound.
  const page = await context.newPage();
  const drain = watch(page);
  const seen = new Set<string>(["/"]);
  const queue = ["/"];
  const problems: string[] = [];
  await page.goto(`${origin}/`, { waitUntil: "load" });
  // Clicks go through the router only once the app has hydrated (Vue sets __vue_app__ on #app when mount, which
  // hydrates, returns). The load event can come first on a busy machine, and a link clicked mid-hydration made the
  // next page log a hydration mismatch that no reader's click produces.
  await page.waitForFunction(
    () => (document.querySelector("#app") as { __vue_app__?: unknown } | null)?.__vue_app__ !== undefined,
    undefined,
    {
      timeout: 30_000,
    },
  );
  while (queue.length > 0) {
    const path = queue.shift() as string;
    const response = await fetch(`${origin}${path}`);
    const html = await response.text();
    if (response.status !== 200) {
      problems.push(`${path}: HTTP ${response.status}`);
      continue;
    }
    const title = unescapeHtml(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? "");
    if (path !== "/") {
      await page.evaluate((href) => {
        const link = document.createElement("a");
        link.href = href;
        document.body.appendChild(link);
        link.click();
        link.remove();
      }, path);
      await page.waitForFunction(([p, t]) => location.pathname === p && document.title === t, [path, title] as const, {
        timeout: 15_000,
      });
    }
    if (await page.locator(".NotFound").count()) problems.push(`${path}: rendered as "page not found"`);
    // Mermaid renders after the page; wait for its SVGs so that rendering errors are caught here.
    const diagrams = await page.locator("pre.mermaid, .mermaid").count();
    if (diagrams > 0) {
      await page.waitForFunction(() => document.querySelectorAll(".mermaid svg").length > 0, undefined, {
        timeout: 15_000,
      });
    }
    const hrefs = await page.$$eval("a[href]", (links) => links.map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== origin || seen.has(url.pathname)) continue;
      seen.add(url.pathname);
      queue.push(url.pathname);
    }
    for (const error of drain()) problems.push(`${path}: ${error}`);
  }
  await page.close();
  assert.ok(seen.size > 20, `only ${seen.size} pages reached from the home page`);
  for (const required of [
    "/getting-started.html",
    "/theory/",
    "/analysis/",
    "/troubleshooting.html",
    "/demo.html",
    "/api/",
  ]) {
    assert.ok(seen.has(required), `${required} is not linked from the site`);
  }
  assert.deepEqual(problems, [], `problems on ${problems.length} pages`);
  console.log(`visited ${seen.size} pages`);
});

/** Node's outputs for the demo model and FIXED_INPUTS, on the wasm backend (see the demo test). */
async function nodeOutputs(): Promise<DemoOutput[]> {
  await initBackend({ backend: "wasm" });
  const provenance = readProvenance(demoModelDir());
  const node = await loadNodeReference(demoModelDir());
  try {
    const outputs: DemoOutput[] = [];
    for (const text of FIXED_INPUTS) {
      outputs.push(await generateDemoOutput(node.model, node.tokenizers, text, provenance.generation));
    }
    return outputs;
  } finally {
    node.model.dispose();
  }
}

/** Opens the demo page and waits until its model is loaded. */
async function openDemo(browser: BrowserContext): Promise<{ page: Page; drain: () => string[] }> {
  const page = await browser.newPage();
  const drain = watch(page);
  await page.goto(`${origin}/demo.html`, { waitUntil: "load" });
  await page
    .waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "ready", undefined, {
      timeout: 120_000,
    })
    .catch(async (error: Error) => {
      // A page that never gets ready says why only in its console: put that into the failure.
      const status = await page.getByTestId("status").textContent();
      throw new Error(`${error.message}; status "${status}"; ${drain().join(" | ")}`);
    });
  return { page, drain };
}

/** Types `text`, clicks Generate, and returns what the page shows once its `run`-th generation has finished. */
async function generateOnPage(
  page: Page,
  text: string,
  run: number,
): Promise<DemoOutput & { ms: number; empty: boolean }> {
  await page.getByTestId("input").fill(text);
  await page.getByTestId("generate").click();
  // data-runs counts finished generations: the previous run's "done" is not this one's.
  await page.waitForFunction(
    (runs) => document.querySelector<HTMLElement>('[data-testid="status"]')?.dataset.runs === String(runs),
    run,
    { timeout: 300_000 },
  );
  assert.equal(await page.getByTestId("status").textContent(), "done");
  const output = page.getByTestId("output");
  const ids = ((await output.getAttribute("data-ids")) ?? "")
    .split(" ")
    .filter((t) => t !== "")
    .map(Number);
  return {
    ids,
    text: (await output.textContent()) ?? "",
    ms: Number(await page.getByTestId("generate-ms").textContent()),
    empty: (await page.getByTestId("output-empty").count()) === 1,
  };
}

test(
  "the demo page runs the demo model on wasm and generates what Node generates",
  { skip, timeout: 300_000 },
  async () => {
    // What Node computes for the same folder and inputs: fromPretrained, the native tokenizers, greedy search with
    // the same lengths, on the wasm backend (the same kernels as the page's, so the same float32 arithmetic).
    const expected = await nodeOutputs();
    const provenance = readProvenance(demoModelDir());
    const { page, drain } = await openDemo(context);
    const backend = await page.getByTestId("backend").textContent();
    assert.equal(backend, "wasm", "headless Chromium without a GPU has no WebGPU adapter: the demo should pick wasm");
    assert.equal(await page.getByTestId("composition").textContent(), provenance.composition);
    assert.equal(await page.getByTestId("sari").textContent(), formatScore(provenance.scores.sari));
    assert.equal(await page.getByTestId("exact-match").textContent(), formatScore(provenance.scores.exact_match));

    // An example button puts its test example into the input.
    const first = provenance.examples[0];
    assert.ok(first !== undefined, "provenance.json has no examples");
    await page.getByTestId("example-0").click();
    assert.equal(await page.getByTestId("input").inputValue(), first.source);

    const shown: string[] = [];
    for (const [i, text] of FIXED_INPUTS.entries()) {
      const got = await generateOnPage(page, text, i + 1);
      assert.deepEqual(got.ids, expected[i]?.ids, `token ids for ${JSON.stringify(text)}`);
      assert.equal(got.text, expected[i]?.text, `text for ${JSON.stringify(text)}`);
      assert.equal(got.empty, got.text === "", "an empty output is marked as such, and only then");
      assert.ok(Number.isFinite(got.ms) && got.ms > 0, `generation time ${got.ms}`);
      shown.push(`${JSON.stringify(got.text)} in ${got.ms.toFixed(0)} ms`);
    }
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "demo.png"), fullPage: true });
    console.log(`demo: backend ${backend}, ${provenance.composition}; ${shown.join("; ")}`);
    assert.deepEqual(drain(), []);
    await page.close();
  },
);

// Chromium's software WebGPU (SwiftShader) gives the page an adapter, so the WebGPU path runs without a GPU; it
// is slow (about 90 s for one generation on 2 busy cores, mostly shader compilation), hence opt-in.
const webgpuSkip =
  skip !== false
    ? skip
    : process.env.WARMSTART_DOCS_WEBGPU === "1"
      ? false
      : "set WARMSTART_DOCS_WEBGPU=1 to run the demo on WebGPU (SwiftShader) as well";

test(
  "on WebGPU (SwiftShader) the demo picks webgpu and generates what Node generates",
  { skip: webgpuSkip, timeout: 600_000 },
  async () => {
    const expected = await nodeOutputs();
    const profile = mkdtempSync(join(tmpdir(), "docs-chromium-webgpu-"));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--enable-unsafe-webgpu",
        "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader",
        "--enable-features=Vulkan",
        "--use-vulkan=swiftshader",
        "--disable-vulkan-surface",
        "--no-first-run",
      ],
    });
    try {
      const { page, drain } = await openDemo(browser);
      assert.equal(await page.getByTestId("backend").textContent(), "webgpu");
      const got = await generateOnPage(page, FIXED_INPUTS[0], 1);
      // WebGPU's float32 arithmetic is not wasm's: a near tie between two tokens could in principle go the other way.
      assert.deepEqual(got.ids, expected[0]?.ids, "WebGPU's token ids (wasm's and Node's are the expected ones)");
      console.log(`demo on webgpu: ${JSON.stringify(got.text)} in ${got.ms.toFixed(0)} ms`);
      assert.deepEqual(drain(), []);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  },
);
