#!/usr/bin/env node
// Placeholder main job until the CLI demo exists: proves the workspace builds and loads.
console.log("warmstart: workspace built; the demo arrives with apps/cli.");
