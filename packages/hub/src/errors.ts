import { WarmstartError } from "@warmstart/core";

/** What went wrong, as a stable string that callers can branch on. */
export type HubErrorCode =
  /** The model id, revision, file or local folder does not exist (or is private and no token was given). */
  | "NOT_FOUND"
  /** Offline (option or HF_HUB_OFFLINE) and the cache lacks a complete snapshot. */
  | "OFFLINE_CACHE_MISS"
  /** The repository has neither safetensors nor PyTorch `.bin` weights. */
  | "NO_WEIGHTS"
  /** The transfer failed (connection refused or cut, truncated body) after every retry. */
  | "NETWORK"
  /** A file name from the Hub (listing or safetensors index) would escape the cache folder. */
  | "UNSAFE_PATH"
  /** The Hub refused the token (401/403 with a token). */
  | "UNAUTHORIZED"
  /** A downloaded file's bytes do not match the hash the listing gave for it. */
  | "INTEGRITY"
  /** The server answered with an unexpected HTTP status or response shape. */
  | "HTTP"
  /** The cache folder could not be written (permissions, disk full). */
  | "CACHE_IO"
  /** A malformed model id, revision or option. */
  | "INVALID_ARGUMENT";

export interface HubErrorDetails {
  modelId: string;
  revision?: string;
  /** The repository file concerned, when there is one. */
  file?: string;
  /** The cache folder looked in or written to, when relevant. */
  cachePath?: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  cause?: unknown;
}

export class HubError extends WarmstartError<HubErrorCode> {
  override readonly name = "HubError";
  readonly modelId: string;
  readonly revision: string | undefined;
  readonly file: string | undefined;
  readonly cachePath: string | undefined;
  readonly status: number | undefined;

  constructor(code: HubErrorCode, message: string, details: HubErrorDetails) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.modelId = details.modelId;
    this.revision = details.revision;
    this.file = details.file;
    this.cachePath = details.cachePath;
    this.status = details.status;
  }
}

/**
 * Replaces every occurrence of the token in `text`. A server may echo request headers back in an
 * error body, and @huggingface/hub copies error bodies into its messages, so every message that
 * reaches the user goes through here.
 */
export function redact(text: string, token: string | undefined): string {
  if (token === undefined || token.length === 0) return text;
  return text.split(token).join("***");
}

/**
 * A stand-in for a third-party error whose message may hold the token: same name and message,
 * redacted, and no reference to the original (whose fields, e.g. `data`, could hold it too).
 */
export function redactedCause(error: unknown, token: string | undefined): Error {
  const message = error instanceof Error ? error.message : String(error);
  const copy = new Error(redact(message, token));
  copy.name = error instanceof Error ? error.name : "Error";
  return copy;
}
