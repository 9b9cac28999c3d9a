import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomically } from "@warmstart/core/fs";
import { describeWriteFailure, TrainingError } from "../errors.js";

/** "1h02m", "3m05s", "12s": short enough for a progress line. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

export interface ProgressLine {
  step: number;
  totalSteps: number;
  loss: number;
  learningRate: number;
  tokensPerSecond: number;
  /** Seconds spent on the steps of this run so far and how many steps that covered. */
  elapsedSeconds: number;
  stepsThisRun: number;
}

/** One console line: step, share done, loss, learning rate, throughput and the time left at the recent pace. */
export function formatProgress(p: ProgressLine): string {
  const share = p.totalSteps > 0 ? ` (${((100 * p.step) / p.totalSteps).toFixed(0)}%)` : "";
  const perStep = p.stepsThisRun > 0 ? p.elapsedSeconds / p.stepsThisRun : Number.NaN;
  const eta = formatDuration(perStep * (p.totalSteps - p.step));
  return `step ${p.step}/${p.totalSteps}${share} loss ${p.loss.toFixed(4)} lr ${p.learningRate.toExponential(2)} ${p.tokensPerSecond.toFixed(0)} tok/s ETA ${eta}`;
}

/** Appends one JSON object per line to `path` (created with its folder on first use). */
export class JsonlLog {
  readonly path: string;
  #ready: Promise<unknown> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  async append(entry: Record<string, unknown>): Promise<void> {
    this.#ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.#ready;
    try {
      await appendFile(this.path, `${JSON.stringify(entry)}\n`, "utf8");
    } catch (error) {
      throw new TrainingError(
        "LOG_WRITE_FAILED",
        `appending step ${String(entry.step)} to ${this.path} failed (${describeWriteFailure(error, dirname(this.path))}); the log and the checkpoints so far are unchanged`,
        { cause: error },
      );
    }
  }

  /**
   * Makes the file hold exactly `entries`, one line each (a resume passes the checkpoint's log history, so
   * the steps logged after that checkpoint by the interrupted run, and a line torn by a kill, are dropped
   * rather than repeated). Atomic (@warmstart/core/fs), so a crash keeps one or the other.
   */
  async replace(entries: readonly Record<string, unknown>[]): Promise<void> {
    this.#ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.#ready;
    await writeFileAtomically(this.path, entries.map((e) => `${JSON.stringify(e)}\n`).join(""));
  }
}
