import { ProgressBar, type ProgressStream } from "./progress.js";

/** Flags every command accepts. */
export interface CommonOptions {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** How a command talks to the user: results on stdout, logs and progress on stderr. */
export class CommandContext {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  readonly #start = Date.now();

  constructor(
    options: CommonOptions,
    streams: { stdout: ProgressStream; stderr: ProgressStream } = { stdout: process.stdout, stderr: process.stderr },
  ) {
    this.json = options.json === true;
    this.verbose = options.verbose === true;
    this.quiet = options.quiet === true;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
  }

  /** A log line on stderr, prefixed with the time since the command started; silent with --quiet. */
  log(message: string): void {
    if (this.quiet) return;
    const s = Math.floor((Date.now() - this.#start) / 1000);
    const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    for (const line of message.split("\n")) this.stderr.write(`[${stamp}] ${line}\n`);
  }

  /**
   * A warning on stderr, `warmstart: warning: …`: printed even with --quiet (as errors are), because it says that an
   * option the user gave is overridden or that an output was cut short, which a quiet script still needs to know.
   */
  warn(message: string): void {
    this.stderr.write(`warmstart: warning: ${message}\n`);
  }

  /** Only with --verbose. */
  debug(message: string): void {
    if (this.verbose) this.log(message);
  }

  /** Human output on stdout (suppressed under --json, where only the result object is printed). */
  print(text: string): void {
    if (!this.json) this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** The machine-readable result: one JSON document on stdout, under --json only. */
  result(value: unknown): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Whether a library may draw its own progress bars (the Rust tokenizer trainer's), on stderr: only on a terminal
   * and without --quiet, since off a terminal they are bare blank lines.
   */
  get libraryProgress(): boolean {
    return !this.quiet && this.stderr.isTTY === true;
  }

  progress(label: string, total: number, initial = 0): ProgressBar {
    const silent: ProgressStream = { write: () => true };
    return new ProgressBar({ label, total, initial, stream: this.quiet ? silent : this.stderr });
  }
}
