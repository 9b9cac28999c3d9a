// Vite plugin for the client bundle: the packages import Node built-ins (node:fs, node:path, …) in modules
// that the demo page pulls in but whose file-system code paths it never calls (it builds the model with
// EncoderDecoderModel.fromConfig and reads the weights itself). Each built-in becomes a module whose every
// export throws when called, naming the function, so an accidental call fails loudly instead of silently.
import type { Plugin } from "vite";

const PREFIX = "\0node-stub:";

export function nodeBuiltinStubs(): Plugin {
  return {
    name: "warmstart-node-builtin-stubs",
    enforce: "pre",
    resolveId(id, _importer, options) {
      if (options?.ssr === true || !id.startsWith("node:")) return null;
      return `${PREFIX}${id}`;
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const builtin = id.slice(PREFIX.length);
      return {
        code: `const fail = (name) => () => { throw new Error(\`${builtin}: \${String(name)} is not available in the browser\`); };
export default new Proxy({}, { get: (_, name) => name === "__esModule" ? false : fail(name) });`,
        syntheticNamedExports: true,
      };
    },
  };
}
