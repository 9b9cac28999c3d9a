import { HubError } from "./errors.js";

/** huggingface_hub's validate_repo_id: `name` or `namespace/name`, word characters, `-` and `.`. */
const REPO_ID = /^(?:[\w\-.]+\/)?[\w\-.]+$/;
const COMMIT_HASH = /^[0-9a-f]{40}$/;

export function isCommitHash(revision: string): boolean {
  return COMMIT_HASH.test(revision);
}

export function assertValidModelId(modelId: string): void {
  const ok =
    REPO_ID.test(modelId) &&
    modelId.length <= 96 &&
    !modelId.includes("--") &&
    !modelId.includes("..") &&
    !/^[-.]|[-.]$/.test(modelId) &&
    !/\/[-.]|[-.]\//.test(modelId);
  if (!ok) {
    throw new HubError(
      "INVALID_ARGUMENT",
      `"${modelId}" is neither an existing local folder nor a valid Hub model id ` +
        `("name" or "org/name": letters, digits, "_", "-", "."; no "--" or ".."; at most 96 characters)`,
      { modelId },
    );
  }
}

/** A revision becomes a file name under `refs/`, so it must not climb out of it. */
export function assertValidRevision(modelId: string, revision: string): void {
  const parts = revision.split("/");
  if (revision.length === 0 || revision.includes("\\") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw new HubError(
      "INVALID_ARGUMENT",
      `revision "${revision}" of ${modelId} is not a valid branch, tag or commit name`,
      { modelId, revision },
    );
  }
}

/**
 * A repository file name is joined onto the cache folder; one that is absolute (POSIX, Windows
 * drive or UNC) or has a `..` segment would write outside it. Both separators are checked so a
 * cache filled on Linux stays safe when read on Windows.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return "is empty";
  if (path.includes("\0")) return "contains a NUL byte";
  const segments = path.replace(/\\/g, "/").split("/");
  if (segments.includes("..")) return 'has a ".." segment';
  if (
    path.startsWith("/") ||
    path.startsWith("\\") ||
    /^[a-zA-Z]:/.test(path) ||
    segments.some((s) => /^[a-zA-Z]:/.test(s))
  ) {
    return "is an absolute, drive or UNC path";
  }
  return undefined;
}

export function assertSafeRepoPath(path: string, where: string, details: { modelId: string; revision?: string }): void {
  const reason = unsafePathReason(path);
  if (reason !== undefined) {
    throw new HubError(
      "UNSAFE_PATH",
      `refusing ${details.modelId}: the file name "${path}" in ${where} ${reason}, which would write outside the cache`,
      { ...details, file: path },
    );
  }
}
