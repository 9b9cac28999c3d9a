"use strict";
// The Emscripten pthread worker of @tensorflow/tfjs-backend-wasm's threaded SIMD build, as a file Node's
// worker_threads can start (tfjs hands Emscripten a blob: URL, which Node rejects). The package ships the
// worker script only as a string; it runs here unchanged, with this file's `require` and `__filename`.
/* global require, __filename -- a CommonJS script: Emscripten's worker code needs both */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- worker_threads starts this file as CommonJS
const worker = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");
const { wasmWorkerContents } = worker;

// The string came from a template literal that turned the script's "\n" escapes into line breaks inside its
// string literals; tfjs escapes them again the same way before making its Blob.
new Function("require", "__filename", wasmWorkerContents.replace(/\n/g, "\\n"))(require, __filename);
