#!/usr/bin/env node
import { main } from "./main.js";

// A reader that stops early (`warmstart --help | head -1`) closes the pipe: stop writing and exit quietly, as a
// command ended by SIGPIPE does, instead of crashing on an unhandled EPIPE with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  throw error;
});

process.once("SIGINT", () => {
  process.stderr.write("\nwarmstart: interrupted\n");
  process.exit(130);
});

process.exitCode = await main(process.argv.slice(2));
