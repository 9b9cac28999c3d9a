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
import { DEMO_MODEL_DIR, loadNodeReference, readProvenance } from "./demo/node-reference.js";
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

test(
  "the demo page runs the demo model on wasm and generates what Node generates",
  { skip, timeout: 240_000 },
  async () => {
    // What Node computes for the same folder and inputs: fromPretrained, the native tokenizers, greedy search with
    // the same lengths, on the wasm backend (the same kernels as the page's, so the same float32 arithmetic).
    await initBackend({ backend: "wasm" });
    const provenance = readProvenance(DEMO_MODEL_DIR);
    const node = await loadNodeReference(DEMO_MODEL_DIR);
    const expected: DemoOutput[] = [];
    try {
      for (const text of FIXED_INPUTS) {
        expected.push(await generateDemoOutput(node.model, node.tokenizers, text, provenance.generation));
      }
    } finally {
      node.model.dispose();
    }

    const page = await context.newPage();
    const drain = watch(page);
    await page.goto(`${origin}/demo.html`, { waitUntil: "load" });
    const status = page.getByTestId("status");
    await page
      .waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "ready", undefined, {
        timeout: 90_000,
      })
      .catch(async (error: Error) => {
        // A page that never gets ready says why only in its console: put that into the failure.
        throw new Error(`${error.message}; status "${await status.textContent()}"; ${drain().join(" | ")}`);
      });
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

    const timings: number[] = [];
    for (const [i, text] of FIXED_INPUTS.entries()) {
      await page.getByTestId("input").fill(text);
      await page.getByTestId("generate").click();
      // data-runs counts finished generations: the previous run's "done" is not this one's.
      await page.waitForFunction(
        (runs) => document.querySelector<HTMLElement>('[data-testid="status"]')?.dataset.runs === String(runs),
        i + 1,
        { timeout: 90_000 },
      );
      assert.equal(await status.textContent(), "done");
      const output = page.getByTestId("output");
      const ids = ((await output.getAttribute("data-ids")) ?? "")
        .split(" ")
        .filter((t) => t !== "")
        .map(Number);
      assert.deepEqual(ids, expected[i]?.ids, `token ids for ${JSON.stringify(text)}`);
      assert.equal(await output.textContent(), expected[i]?.text, `text for ${JSON.stringify(text)}`);
      assert.equal(await page.getByTestId("output-empty").count(), expected[i]?.text === "" ? 1 : 0);
      const ms = Number(await page.getByTestId("generate-ms").textContent());
      assert.ok(Number.isFinite(ms) && ms > 0, `generation time ${ms}`);
      timings.push(ms);
    }
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "demo.png"), fullPage: true });
    console.log(
      `demo: backend ${backend}, ${provenance.composition}; ${FIXED_INPUTS.map((t, i) => `${JSON.stringify(expected[i]?.text)} in ${timings[i]?.toFixed(0)} ms`).join("; ")}`,
    );
    assert.deepEqual(drain(), []);
    await page.close();
  },
);
