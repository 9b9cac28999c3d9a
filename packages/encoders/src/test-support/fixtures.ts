import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "@warmstart/test-utils";

export const PARITY = "fixtures/parity";

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

/** A parity fixture JSON file (`encoders.json`, `decoders.json`) parsed. */
export function readParityJson<T>(file: string): T {
  const dir = sharedPath(PARITY) as string;
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as T;
}

/** The folder of a stand-alone parity checkpoint (`bert`, `roberta`, `gpt2`). */
export function parityCheckpoint(name: string): string {
  return join(sharedPath(PARITY) as string, name);
}

export function readParityConfig(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(parityCheckpoint(name), "config.json"), "utf8")) as Record<string, unknown>;
}
