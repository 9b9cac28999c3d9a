// pnpm check:pack — what a user of npm gets: `pnpm pack` every publishable package (workspace: ranges become
// versions), check that no tarball ships test-only code (tests, interop tests, test-support folders, anything
// importing the private @warmstart/test-utils or @warmstart/faults), `npm install` all the tarballs together into
// an empty project (so @warmstart/* dependencies resolve to the tarballs and external ones to the registry, with
// install scripts running: tensors-native builds its addon there), then import every export of every package and
// run `warmstart --version` from node_modules/.bin. Then a wasm-only install: @warmstart/tensors (and what it
// depends on) alone into a second empty project with `--omit=optional`, as a browser bundle or a machine without
// a C compiler would install it: no @warmstart/tensors-native, nothing built by node-gyp, and the package still
// imports, starts the wasm backend and says the native backend is not installed. Needs each package's dist/
// (run after turbo build).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishablePackages, repoRoot } from "./publishable.mjs";

const TEST_ONLY_PATH = /(^|\/)(test-support\/|[^/]+\.(test|interop)\.[cm]?[jt]s$)/;
const PRIVATE_IMPORT = /["']@warmstart\/(test-utils|faults)(\/[^"']*)?["']/;

const work = mkdtempSync(join(tmpdir(), "warmstart-pack-check-"));
const problems = [];
try {
  const tarballs = [];
  for (const { dir, manifest } of publishablePackages()) {
    const out = execFileSync("pnpm", ["pack", "--pack-destination", work], {
      cwd: join(repoRoot, dir),
      encoding: "utf8",
    });
    const tarball = out.trim().split("\n").at(-1).trim();
    tarballs.push({ manifest, tarball });
    const unpacked = join(work, "unpacked", manifest.name);
    mkdirSync(unpacked, { recursive: true });
    execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
    for (const file of listFiles(join(unpacked, "package"))) {
      if (TEST_ONLY_PATH.test(file)) problems.push(`${manifest.name} ships test-only ${file}`);
      else if (/\.[cm]?[jt]s$/.test(file) && PRIVATE_IMPORT.test(readFileSync(join(unpacked, "package", file), "utf8")))
        problems.push(`${manifest.name} ships ${file}, which imports a private @warmstart package`);
    }
  }

  const project = join(work, "project");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "warmstart-pack-check", private: true, type: "module" }, null, 2),
  );
  console.log(`npm install ${tarballs.length} tarballs into ${project}`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs.map((t) => t.tarball)], {
    cwd: project,
    stdio: "inherit",
  });

  // The installed tensors-native built its addon in its install script (OpenBLAS or the bundled GEMM): where CI
  // requires the native backend, an install that fell back to wasm is a failure here too.
  if (
    process.env.WARMSTART_REQUIRE_NATIVE === "1" &&
    tarballs.some((t) => t.manifest.name === "@warmstart/tensors-native")
  ) {
    const probe = `const n = await import("@warmstart/tensors-native"); console.log(n.isAvailable() ? "" : n.unavailableReason() ?? "unavailable");`;
    const reason = execFileSync(process.execPath, ["--input-type=module", "-e", probe], {
      cwd: project,
      encoding: "utf8",
    }).trim();
    if (reason !== "")
      problems.push(`WARMSTART_REQUIRE_NATIVE=1 but the installed @warmstart/tensors-native has no addon: ${reason}`);
    else console.log("installed @warmstart/tensors-native: addon built");
  }

  for (const { manifest } of tarballs) {
    for (const specifier of importSpecifiers(manifest)) {
      try {
        execFileSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)});`], {
          cwd: project,
          stdio: ["ignore", "ignore", "pipe"],
          encoding: "utf8",
        });
        console.log(`import ${specifier}: ok`);
      } catch (error) {
        problems.push(`import ${specifier} failed from the installed tarball:\n${error.stderr ?? error.message}`);
      }
    }
    for (const bin of Object.keys(typeof manifest.bin === "string" ? { [manifest.name]: 1 } : (manifest.bin ?? {}))) {
      try {
        const version = execFileSync(join(project, "node_modules", ".bin", bin), ["--version"], {
          cwd: project,
          encoding: "utf8",
        }).trim();
        if (version !== manifest.version) problems.push(`${bin} --version printed ${version}, not ${manifest.version}`);
        else console.log(`${bin} --version: ${version}`);
      } catch (error) {
        problems.push(`${bin} --version failed from the installed tarball:\n${error.stderr ?? error.message}`);
      }
    }
  }

  wasmOnlyInstall(work, tarballs, problems);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`pack check failed:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log("pack check: every tarball installs and imports");

/**
 * Installs @warmstart/tensors with its @warmstart/* dependencies but without optional ones, and checks that the
 * native package is absent, nothing ran node-gyp, and the package works on wasm and reports why native is not used.
 */
function wasmOnlyInstall(work, tarballs, problems) {
  const byName = new Map(tarballs.map((t) => [t.manifest.name, t]));
  const wanted = new Set();
  const visit = (name) => {
    const entry = byName.get(name);
    if (entry === undefined || wanted.has(name)) return;
    wanted.add(name);
    for (const dependency of Object.keys(entry.manifest.dependencies ?? {})) visit(dependency);
  };
  visit("@warmstart/tensors");
  if (!wanted.has("@warmstart/tensors")) return;
  const project = join(work, "wasm-only");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "warmstart-pack-check-wasm-only", private: true, type: "module" }, null, 2),
  );
  const names = [...wanted];
  console.log(`npm install --omit=optional ${names.join(", ")} into ${project}`);
  execFileSync(
    "npm",
    [
      "install",
      "--omit=optional",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...names.map((n) => byName.get(n).tarball),
    ],
    { cwd: project, stdio: "inherit" },
  );
  const installed = join(project, "node_modules", "@warmstart");
  if (readdirSync(installed).includes("tensors-native")) {
    problems.push("wasm-only install: @warmstart/tensors-native was installed despite --omit=optional");
  }
  const built = listFiles(join(project, "node_modules")).filter(
    (file) => file.endsWith(".node") || file.endsWith("/config.gypi"),
  );
  if (built.length > 0) problems.push(`wasm-only install: native build output appeared: ${built.join(", ")}`);
  const probe = `
    const t = await import("@warmstart/tensors");
    const choice = await t.initBackend();
    const native = choice.skipped.find((s) => s.backend === "native");
    const build = await t.nativeBuildInfo();
    const x = t.tf.tensor([1, 2, 3]);
    console.log(JSON.stringify({ backend: choice.backend, native: native?.reason, build, sum: t.tf.sum(x).dataSync()[0] }));`;
  const before = problems.length;
  try {
    const result = JSON.parse(
      execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: project, encoding: "utf8" }).trim(),
    );
    const notInstalled = /@warmstart\/tensors-native is not installed/;
    if (result.backend !== "wasm") problems.push(`wasm-only install: initBackend() chose ${result.backend}, not wasm`);
    if (!notInstalled.test(result.native ?? "")) {
      problems.push(`wasm-only install: native was skipped for "${result.native}", not "not installed"`);
    }
    if (result.build.available !== false || !notInstalled.test(result.build.reason)) {
      problems.push(`wasm-only install: nativeBuildInfo() says ${JSON.stringify(result.build)}`);
    }
    if (result.sum !== 6) problems.push(`wasm-only install: a sum on wasm gave ${result.sum}`);
    if (problems.length === before)
      console.log(`wasm-only install: ${result.backend}, native skipped: ${result.native}`);
  } catch (error) {
    problems.push(
      `wasm-only install: @warmstart/tensors failed without its native package:\n${error.stderr ?? error.message}`,
    );
  }
}

/** Every importable subpath of `exports` (./package.json aside; patterns are not used by these packages). */
function importSpecifiers(manifest) {
  const exports = manifest.exports;
  if (exports === undefined) return manifest.main === undefined ? [] : [manifest.name];
  if (typeof exports === "string" || !Object.keys(exports).some((k) => k.startsWith("."))) return [manifest.name];
  return Object.keys(exports)
    .filter((key) => key !== "./package.json")
    .map((key) => {
      if (key.includes("*")) throw new Error(`${manifest.name}: exports pattern ${key} is not supported by pack-check`);
      return key === "." ? manifest.name : `${manifest.name}/${key.slice(2)}`;
    });
}

function listFiles(dir, prefix = "") {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}
