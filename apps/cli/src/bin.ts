#!/usr/bin/env node
import { main } from "./main.js";

process.once("SIGINT", () => {
  process.stderr.write("\nwarmstart: interrupted\n");
  process.exit(130);
});

process.exitCode = await main(process.argv.slice(2));
