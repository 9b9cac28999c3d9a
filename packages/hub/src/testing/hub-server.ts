/*
 * A loopback stand-in for the Hugging Face Hub, for tests: it answers the requests that
 * @huggingface/hub 2.x sends (model info, tree listing, resolve with Range, LFS redirects) from
 * files in memory. Faults (cut connections, hostile listings, token checks) are switched on per
 * server. It binds 127.0.0.1 on a free port and reaches nothing else.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, sep } from "node:path";

export interface TestRepo {
  /** "org/name" or "name". */
  id: string;
  /** Repository path → contents. */
  files: Record<string, Uint8Array | string>;
  /** Entries appended verbatim to the tree listing, e.g. a hostile `{ type: "file", path: "../x", ... }`. */
  extraListing?: Record<string, unknown>[];
  /** Which files are stored in LFS (sha256 oid, served through a redirect). Default: weight-like extensions. */
  lfs?: (path: string) => boolean;
}

export interface TestHubOptions {
  repos: TestRepo[];
  /** When set, a request without `Authorization: Bearer <token>` gets 401, with the header it sent echoed in the body. */
  token?: string;
  /** Send half of this file's body, then destroy the socket; `times` such cuts (default: every request). */
  cut?: { file: string; times?: number };
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface TestHub {
  /** e.g. "http://127.0.0.1:38211", to pass as `hubUrl`. */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** The commit hash the server reports for `main` of this repository. */
  commitOf(id: string): string;
  close(): Promise<void>;
}

interface ServedFile {
  path: string;
  bytes: Buffer;
  gitOid: string;
  sha256?: string;
}

interface ServedRepo {
  id: string;
  commit: string;
  files: Map<string, ServedFile>;
  extraListing: Record<string, unknown>[];
}

const LFS_DEFAULT = (path: string): boolean => /\.(safetensors|bin|h5|msgpack|onnx|pt|ckpt)$/.test(path);

function sha(algorithm: "sha1" | "sha256", ...parts: (string | Buffer)[]): string {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

function gitBlobOid(bytes: Buffer): string {
  return sha("sha1", `blob ${bytes.length}\0`, bytes);
}

function prepareRepo(repo: TestRepo): ServedRepo {
  const isLfs = repo.lfs ?? LFS_DEFAULT;
  const files = new Map<string, ServedFile>();
  for (const [path, contents] of Object.entries(repo.files)) {
    const bytes = Buffer.from(contents);
    if (isLfs(path)) {
      const sha256 = sha("sha256", bytes);
      // In git an LFS file is its pointer text; the tree's `oid` is the pointer's.
      const pointer = Buffer.from(
        `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`,
      );
      files.set(path, { path, bytes, gitOid: gitBlobOid(pointer), sha256 });
    } else {
      files.set(path, { path, bytes, gitOid: gitBlobOid(bytes) });
    }
  }
  const commit = sha("sha1", ...[...files.values()].map((f) => `${f.path}\0${f.gitOid}\n`).sort());
  return { id: repo.id, commit, files, extraListing: repo.extraListing ?? [] };
}

/** Every file below `dir`, keyed by its repository path ("/"-separated), e.g. a fixture folder to serve. */
export async function repoFilesFromDir(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(dir, full).split(sep).join("/")] = await readFile(full);
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function notFound(
  res: ServerResponse,
  code: "RepoNotFound" | "RevisionNotFound" | "EntryNotFound",
  what: string,
): void {
  sendJson(res, 404, { error: `${what} not found` }, { "X-Error-Code": code, "X-Error-Message": `${what} not found` });
}

/** Longest id first, so "org/name-large" is not taken for "org/name". */
function findRepo(repos: ServedRepo[], rest: string, marker: string): { repo: ServedRepo; tail: string } | undefined {
  for (const repo of [...repos].sort((a, b) => b.id.length - a.id.length)) {
    if (rest.startsWith(`${repo.id}/${marker}`)) return { repo, tail: rest.slice(repo.id.length + 1 + marker.length) };
  }
  return undefined;
}

/** "main" or the commit hash; everything else is an unknown revision. */
function knowsRevision(repo: ServedRepo, revision: string): boolean {
  return revision === "main" || revision === repo.commit;
}

function splitRevision(tail: string): { revision: string; rest: string } {
  const slash = tail.indexOf("/");
  const raw = slash === -1 ? tail : tail.slice(0, slash);
  return { revision: decodeURIComponent(raw), rest: slash === -1 ? "" : tail.slice(slash + 1) };
}

export async function startTestHub(options: TestHubOptions): Promise<TestHub> {
  const repos = options.repos.map(prepareRepo);
  const byLfsOid = new Map<string, ServedFile>();
  for (const repo of repos) for (const file of repo.files.values()) if (file.sha256) byLfsOid.set(file.sha256, file);
  const requests: RecordedRequest[] = [];
  let cutsLeft = options.cut?.times ?? Number.POSITIVE_INFINITY;

  function serveBytes(req: IncomingMessage, res: ServerResponse, file: ServedFile, headers: OutgoingHttpHeaders): void {
    const size = file.bytes.length;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = req.headers.range?.match(/^bytes=(\d*)-(\d*)$/);
    if (req.headers.range !== undefined) {
      if (range === null || range === undefined || (range[1] === "" && range[2] === "")) {
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
      if (range[1] === "") start = Math.max(0, size - Number(range[2]));
      else {
        start = Number(range[1]);
        if (range[2] !== "") end = Math.min(end, Number(range[2]));
      }
      if (start >= size || start > end) {
        res.writeHead(416, { "Content-Range": `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    const body = file.bytes.subarray(start, end + 1);
    res.writeHead(status, {
      ...headers,
      "Content-Type": "application/octet-stream",
      "Content-Length": body.length,
      "Accept-Ranges": "bytes",
      ...(status === 206 ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    if (options.cut?.file === file.path && body.length > 1 && cutsLeft > 0) {
      cutsLeft--;
      // Half the promised bytes, then a dead socket: what a dropped connection looks like to the client.
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  function listing(repo: ServedRepo, under: string): unknown[] {
    const entries: unknown[] = [];
    const directories = new Set<string>();
    for (const file of [...repo.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
      if (under !== "" && !file.path.startsWith(`${under}/`)) continue;
      const parts = file.path.split("/");
      for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join("/"));
      entries.push({
        type: "file",
        oid: file.gitOid,
        size: file.bytes.length,
        path: file.path,
        ...(file.sha256 ? { lfs: { oid: file.sha256, size: file.bytes.length, pointerSize: 134 } } : {}),
      });
    }
    for (const dir of [...directories].sort()) {
      if (under === "" || dir.startsWith(`${under}/`)) {
        entries.push({ type: "directory", oid: sha("sha1", dir), size: 0, path: dir });
      }
    }
    return [...entries, ...repo.extraListing];
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? "GET";
    requests.push({ method, url: req.url ?? "", headers: req.headers });
    const auth = req.headers.authorization;
    if (options.token !== undefined && auth !== `Bearer ${options.token}`) {
      // Echoing what was sent lets tests check that clients keep a rejected token out of their errors.
      sendJson(res, 401, { error: `Invalid credentials in Authorization header (got "${auth ?? ""}")` });
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;

    if (path.startsWith("/api/models/")) {
      const rest = path.slice("/api/models/".length);
      const info = findRepo(repos, rest, "revision/");
      if (info !== undefined) {
        const { revision } = splitRevision(info.tail);
        if (!knowsRevision(info.repo, revision)) return notFound(res, "RevisionNotFound", `revision ${revision}`);
        const { repo } = info;
        return sendJson(res, 200, {
          _id: sha("sha1", repo.id).slice(0, 24),
          id: repo.id,
          modelId: repo.id,
          sha: repo.commit,
          private: false,
          gated: false,
          disabled: false,
          downloads: 0,
          likes: 0,
          tags: [],
          lastModified: "2026-01-01T00:00:00.000Z",
          siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
        });
      }
      const tree = findRepo(repos, rest, "tree/");
      if (tree !== undefined) {
        const { revision, rest: under } = splitRevision(tree.tail);
        if (!knowsRevision(tree.repo, revision)) return notFound(res, "RevisionNotFound", `revision ${revision}`);
        return sendJson(res, 200, listing(tree.repo, decodeURIComponent(under).replace(/\/$/, "")));
      }
      return notFound(res, "RepoNotFound", "repository");
    }

    if (path.startsWith("/__lfs/")) {
      const file = byLfsOid.get(path.slice("/__lfs/".length));
      if (file === undefined) return notFound(res, "EntryNotFound", "object");
      return serveBytes(req, res, file, { ETag: `"${file.sha256}"` });
    }

    const resolved = findRepo(repos, path.slice(1), "resolve/");
    if (resolved === undefined) return notFound(res, "RepoNotFound", "repository");
    const { revision, rest } = splitRevision(resolved.tail);
    if (!knowsRevision(resolved.repo, revision)) return notFound(res, "RevisionNotFound", `revision ${revision}`);
    const file = resolved.repo.files.get(decodeURIComponent(rest));
    if (file === undefined) return notFound(res, "EntryNotFound", `file ${rest}`);
    const common = { "X-Repo-Commit": resolved.repo.commit };
    if (file.sha256 !== undefined) {
      // As on the Hub: LFS files redirect to storage, with the content hash and size in X-Linked-* headers.
      res.writeHead(302, {
        ...common,
        Location: `/__lfs/${file.sha256}`,
        "X-Linked-Etag": `"${file.sha256}"`,
        "X-Linked-Size": String(file.bytes.length),
        "Content-Length": 0,
      });
      res.end();
      return;
    }
    serveBytes(req, res, file, { ...common, ETag: `"${file.gitOid}"` });
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    commitOf(id) {
      const repo = repos.find((r) => r.id === id);
      if (repo === undefined) throw new Error(`test hub serves no repository ${id}`);
      return repo.commit;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      });
    },
  };
}
