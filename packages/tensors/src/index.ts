export * as tf from "@tensorflow/tfjs";
export { Parameters } from "./parameters.js";
