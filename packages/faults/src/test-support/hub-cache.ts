import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * Everything wrong with a huggingface_hub-style cache of one repository, compared with the files
 * the server holds: a blob whose bytes do not hash to its name, a snapshot file whose bytes differ
 * from the server's, a ref to a snapshot that lacks a file. `.incomplete` temporaries are allowed.
 */
export function cacheProblems(repoDir: string, served: Record<string, Buffer>, expectedFiles: string[]): string[] {
  const problems: string[] = [];
  const blobs = join(repoDir, "blobs");
  if (existsSync(blobs)) {
    for (const name of readdirSync(blobs)) {
      if (name.endsWith(".incomplete")) continue;
      const bytes = readFileSync(join(blobs, name));
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const gitSha1 = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
      if (name !== sha256 && name !== gitSha1) problems.push(`blob ${name} holds other bytes (${bytes.length} bytes)`);
    }
  }
  const snapshots = join(repoDir, "snapshots");
  if (existsSync(snapshots)) {
    for (const commit of readdirSync(snapshots)) {
      for (const entry of readdirSync(join(snapshots, commit), { recursive: true, withFileTypes: true })) {
        if (entry.isDirectory() || entry.name.endsWith(".incomplete")) continue;
        const full = join(entry.parentPath, entry.name);
        const path = relative(join(snapshots, commit), full).split(sep).join("/");
        let bytes: Buffer;
        try {
          if (!statSync(full).isFile()) continue;
          bytes = readFileSync(full);
        } catch (error) {
          problems.push(`snapshot ${path} is a dangling link: ${(error as Error).message}`);
          continue;
        }
        if (!bytes.equals(served[path] ?? Buffer.alloc(0))) {
          problems.push(`snapshot ${path} differs from the server's file`);
        }
      }
    }
  }
  const ref = join(repoDir, "refs", "main");
  if (existsSync(ref)) {
    const commit = readFileSync(ref, "utf8").trim();
    for (const file of expectedFiles) {
      if (!existsSync(join(snapshots, commit, file))) {
        problems.push(`refs/main points at ${commit}, which lacks ${file}`);
      }
    }
  }
  return problems;
}
