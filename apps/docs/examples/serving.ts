// The "Serving" page: a model behind HTTP with @warmstart/serve, as `warmstart serve` runs it.
import type { EncoderDecoderModel } from "@warmstart/composer";
import { createServer, type ServeHandle } from "@warmstart/serve";
import type { Tokenizer } from "@warmstart/tokenizers";

export async function serveAndAsk(
  model: EncoderDecoderModel,
  tokenizer: Tokenizer,
  articles: string[],
): Promise<{ server: ServeHandle; texts: string[]; streamed: string }> {
  // #region serve
  const server = createServer({ model, tokenizer, maxBatch: 16, maxQueue: 256, backend: "cpu" });
  const address = await server.listen({ port: 0 }); // 127.0.0.1 and a free port

  // Concurrent requests with the same settings and input length are batched into one generate() call.
  const answers = await Promise.all(
    articles.map(async (article) => {
      const response = await fetch(`${address}/v1/generate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ inputs: article, num_beams: 2, max_new_tokens: 12, timeout_ms: 60_000 }),
      });
      return (await response.json()) as { outputs: { text: string; output_tokens: number }[] };
    }),
  );
  const texts = answers.map((a) => a.outputs[0]!.text);

  // stream: true sends server-sent events, `event: token` pieces then `event: done` with the whole answer.
  const stream = await fetch(`${address}/v1/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ inputs: articles[0], stream: true, max_new_tokens: 12 }),
  });
  const events = await stream.text();
  const streamed = [...events.matchAll(/^event: token\ndata: (.*)$/gm)]
    .map((m) => (JSON.parse(m[1]!) as { text: string }).text)
    .join("");

  // On SIGTERM: stop accepting, let the requests in flight finish for up to 30 s, close, exit.
  process.once("SIGTERM", () => void server.drain(30).then(() => process.exit(0)));
  // #endregion serve
  return { server, texts, streamed };
}
