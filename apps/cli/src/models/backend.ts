import type { BackendChoice } from "@warmstart/tensors";
import type { CommandContext } from "../framework/context.js";

/**
 * The one line long work (pretrain, train, generate, the demo) prints before it starts: the same run takes several
 * times longer on wasm or cpu than on the native addon, and a user should learn which backend runs at the start,
 * not guess it from the duration at the end.
 */
export function describeBackend(choice: BackendChoice): string {
  const details: string[] = [];
  if (choice.backend === "wasm") {
    details.push(choice.wasmSimd ? "SIMD" : "no SIMD");
    if (choice.wasmThreads !== undefined) {
      details.push(`${choice.wasmThreads.count} thread${choice.wasmThreads.count === 1 ? "" : "s"}`);
    }
  }
  if (choice.backend === "webgpu" && choice.webgpuAdapter !== undefined) {
    const { vendor, description, api } = choice.webgpuAdapter;
    details.push([vendor, description, api].filter((part) => part !== "").join(" "));
  }
  const skipped = choice.skipped.map((s) => s.backend);
  return [
    `backend: ${choice.backend}${details.length === 0 ? "" : ` (${details.join(", ")})`}`,
    ...(skipped.length === 0 ? [] : [`faster ones not available: ${skipped.join(", ")} (--verbose says why)`]),
  ].join("; ");
}

/** Starts the best TensorFlow.js backend and says which on stderr (silenced by --quiet; reasons under --verbose). */
export async function startBackend(ctx: CommandContext): Promise<BackendChoice> {
  const { initBackend } = await import("@warmstart/tensors");
  const choice = await initBackend();
  ctx.log(describeBackend(choice));
  for (const { backend, reason } of choice.skipped) ctx.debug(`backend ${backend} not used: ${reason}`);
  return choice;
}
