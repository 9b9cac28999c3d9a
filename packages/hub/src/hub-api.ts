import { HubApiError, InvalidApiResponseFormatError, listFiles, modelInfo } from "@huggingface/hub";
import type { ListFileEntry, RepoDesignation } from "@huggingface/hub";
import { HubError, redact, redactedCause } from "./errors.js";
import { assertSafeRepoPath, isCommitHash } from "./names.js";
import type { RetryOptions } from "./retry.js";
import type { HubSettings } from "./settings.js";

/** Everything one `resolveModel` call needs to talk to the Hub. */
export interface HubContext {
  modelId: string;
  revision: string;
  settings: HubSettings;
  fetch: typeof fetch;
  retry: RetryOptions;
}

export function repoOf(ctx: HubContext): RepoDesignation {
  return { type: "model", name: ctx.modelId };
}

/**
 * @huggingface/hub only accepts tokens that start with "hf_" (it throws otherwise); private
 * endpoints set through HF_ENDPOINT may issue others, so those travel in a header added here.
 */
export function clientAuth(
  token: string | undefined,
  baseFetch: typeof fetch,
): { fetch: typeof fetch; accessToken: string | undefined } {
  if (token === undefined || token.startsWith("hf_")) return { fetch: baseFetch, accessToken: token };
  const withHeader: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return baseFetch(input, { ...init, headers });
  };
  return { fetch: withHeader, accessToken: undefined };
}

/** Worth another try: transfers that broke, and server-side trouble that tends to pass. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof HubError)) return false;
  if (error.code === "NETWORK" || error.code === "INTEGRITY") return true;
  return (
    error.code === "HTTP" &&
    error.status !== undefined &&
    (error.status >= 500 || error.status === 429 || error.status === 408)
  );
}

function causeText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${inner}`;
}

/** Turns whatever @huggingface/hub or fetch threw into a HubError that names the model and never the token. */
export function toHubError(error: unknown, ctx: HubContext, what: string, file?: string): HubError {
  if (error instanceof HubError) return error;
  const { modelId, revision, settings } = ctx;
  const token = settings.token;
  const ids = { modelId, revision, file, cause: redactedCause(error, token) };
  const at = `${modelId} (revision ${revision}) at ${settings.hubUrl}`;
  if (error instanceof HubApiError) {
    const detail = redact(error.message, token);
    const status = error.statusCode;
    if (status === 404) {
      const subject = file === undefined ? `model ${at} was not found` : `file ${file} of ${at} was not found`;
      return new HubError("NOT_FOUND", `${subject} (${detail})`, { ...ids, status });
    }
    if (status === 401 || status === 403) {
      return token === undefined
        ? new HubError(
            "NOT_FOUND",
            `model ${at} was not found, or is private or gated: set HF_TOKEN or pass { token } (${detail})`,
            { ...ids, status },
          )
        : new HubError("UNAUTHORIZED", `the Hub refused the token for ${at} while fetching ${what} (${detail})`, {
            ...ids,
            status,
          });
    }
    return new HubError("HTTP", `HTTP ${status} while fetching ${what} of ${at} (${detail})`, { ...ids, status });
  }
  if (error instanceof InvalidApiResponseFormatError) {
    return new HubError(
      "HTTP",
      `unexpected response while fetching ${what} of ${at}: ${redact(error.message, token)}`,
      ids,
    );
  }
  return new HubError(
    "NETWORK",
    `network error while fetching ${what} of ${at}: ${redact(causeText(error), token)}`,
    ids,
  );
}

export function clientParams(ctx: HubContext): {
  hubUrl: string;
  fetch: typeof fetch;
  accessToken: string | undefined;
} {
  return { hubUrl: ctx.settings.hubUrl, ...clientAuth(ctx.settings.token, ctx.fetch) };
}

/** The commit the revision points at now; it pins the listing and every download to one state of the repository. */
export async function fetchCommit(ctx: HubContext): Promise<string> {
  let sha: unknown;
  try {
    const info = await modelInfo({
      ...clientParams(ctx),
      name: ctx.modelId,
      revision: ctx.revision,
      additionalFields: ["sha"],
    });
    sha = info.sha;
  } catch (error) {
    throw toHubError(error, ctx, "model info");
  }
  // The commit becomes a folder name in the cache.
  if (typeof sha !== "string" || !isCommitHash(sha)) {
    throw new HubError(
      "HTTP",
      `model info of ${ctx.modelId} (revision ${ctx.revision}) at ${ctx.settings.hubUrl} gave commit ${JSON.stringify(sha)}, expected 40 hex digits`,
      { modelId: ctx.modelId, revision: ctx.revision },
    );
  }
  return sha;
}

/** Every file of the repository at `commit`; refuses the whole listing if any name would escape the cache. */
export async function listRepoFiles(ctx: HubContext, commit: string): Promise<Map<string, ListFileEntry>> {
  const files = new Map<string, ListFileEntry>();
  try {
    for await (const entry of listFiles({
      ...clientParams(ctx),
      repo: repoOf(ctx),
      revision: commit,
      recursive: true,
    })) {
      assertSafeRepoPath(entry.path, `the file listing of revision ${commit}`, ctx);
      if (entry.type === "file") files.set(entry.path, entry);
    }
  } catch (error) {
    throw toHubError(error, ctx, "file listing");
  }
  return files;
}
