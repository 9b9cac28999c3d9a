import { request, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlowProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` and trickles each response body back `chunkBytes` at a time with
 * a pause between chunks, so that a download lasts long enough for a kill to land inside a file.
 */
export async function startSlowProxy(target: string, chunkBytes = 2048, pauseMs = 8): Promise<SlowProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      async (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        try {
          for await (const chunk of answer as AsyncIterable<Buffer>) {
            for (let at = 0; at < chunk.length; at += chunkBytes) {
              if (res.destroyed) return;
              res.write(chunk.subarray(at, at + chunkBytes));
              await new Promise((resolve) => setTimeout(resolve, pauseMs));
            }
          }
          res.end();
        } catch {
          res.destroy();
        }
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
