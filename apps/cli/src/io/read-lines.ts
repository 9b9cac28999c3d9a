import { readFile, stat } from "node:fs/promises";
import { CliError } from "../framework/cli-error.js";

/** Reads all of stdin as text. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Fails with a usable message when `path` is not a readable file (`what` says which option gave it). */
export async function requireFile(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new CliError("FILE_NOT_FOUND", `${what}: no such file "${path}"`, {
      hint: "check the path (relative paths start from the current folder)",
    });
  }
  if (!info.isFile()) {
    throw new CliError("BAD_INPUT", `${what}: "${path}" is a folder, not a file`, {
      hint: "give the path of a text file",
    });
  }
}

/**
 * One example per line, as the metric and generation commands take them. `-` reads stdin. A trailing newline
 * does not make an extra empty example; Windows line ends are accepted.
 */
export async function readLines(path: string, what: string): Promise<string[]> {
  let text: string;
  if (path === "-") {
    // Waiting on a terminal for text nobody is going to type looks like a hang.
    if (process.stdin.isTTY === true) {
      throw new CliError("USAGE", `${what}: reading stdin, but stdin is a terminal`, {
        hint: `pipe text in, or give ${what} FILE`,
      });
    }
    text = await readStdin();
  } else {
    await requireFile(path, what);
    text = await readFile(path, "utf8");
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
