/*
 * Child for the Hub kill and concurrency tests: resolveModel(<modelId>) from <hubUrl> into <cacheDir>,
 * printing the snapshot folder. The token, when the test hub wants one, comes from HF_TOKEN.
 */
import { resolveModel } from "@warmstart/hub";
import { armKillSwitch, operationsSoFar } from "../kill-switch.js";

const [hubUrl, cacheDir, modelId] = process.argv.slice(2) as [string, string, string];
console.log("ready");
armKillSwitch();
const folder = await resolveModel(modelId, { hubUrl, cacheDir, retries: 0 });
console.log(`folder ${folder}`);
console.log(`ops ${operationsSoFar()}`);
