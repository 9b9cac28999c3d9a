import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The visible files of a folder (hidden temporary files excluded) with their bytes; undefined if absent. */
export function visibleFiles(dir: string): Map<string, Buffer> | undefined {
  if (!existsSync(dir)) return undefined;
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    if (!name.startsWith(".")) out.set(name, readFileSync(join(dir, name)));
  }
  return out;
}

/** True when `actual` holds exactly the files of `expected`, byte for byte. */
export function sameFiles(actual: Map<string, Buffer>, expected: Map<string, Buffer>): boolean {
  if (actual.size !== expected.size) return false;
  for (const [name, bytes] of expected) {
    const other = actual.get(name);
    if (other === undefined || !other.equals(bytes)) return false;
  }
  return true;
}

/** Hidden entries (temporary folders and files a crash left behind) directly inside `dir`. */
export function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith(".")) : [];
}
