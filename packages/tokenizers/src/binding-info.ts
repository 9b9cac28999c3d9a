import { createRequire } from "node:module";

/** Which tokenizer implementation this package runs on (for `warmstart doctor`). */
export interface TokenizerBindingInfo {
  /** The npm package: Hugging Face's own `tokenizers` (the Rust library through N-API, prebuilt per platform). */
  package: string;
  version: string;
  /** The prebuilt binary's platform tag, as the binding picks it (`linux-x64`, `darwin-arm64`, ...). */
  platform: string;
}

/**
 * The binding's package and version, read from its package.json (the binding itself reports neither). Importing
 * this package already loaded the binary, so a binding that cannot load never gets this far.
 */
export function tokenizerBindingInfo(): TokenizerBindingInfo {
  const manifest = createRequire(import.meta.url)("tokenizers/package.json") as { name: string; version: string };
  return { package: manifest.name, version: manifest.version, platform: `${process.platform}-${process.arch}` };
}
