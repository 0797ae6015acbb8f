/**
 * A progress bar per simulation phase, on stderr so that stdout stays clean for results. On a terminal
 * the bar is redrawn in place (at most every `redrawMs`); elsewhere (CI logs, pipes) a line is printed
 * each time another `everyPercent` of the phase is done. Both show items per second.
 */

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Default: the stream's own `isTTY`. */
  tty?: boolean;
  /** Non-TTY: print a line every this many percent (default 10). */
  everyPercent?: number;
  /** TTY: redraw at most this often, ms (default 100). */
  redrawMs?: number;
  /** Bar width in characters (default 30). */
  width?: number;
  /** Clock in ms; for tests. Default `Date.now`. */
  now?: () => number;
}

export class PhaseProgress {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly everyPercent: number;
  private readonly redrawMs: number;
  private readonly width: number;
  private readonly now: () => number;
  private readonly startedMs: number;
  private done = 0;
  private lastDrawMs = -Infinity;
  private lastPercentStep = 0;
  private finished = false;

  constructor(
    readonly phase: string,
    readonly total: number,
    options: ProgressOptions = {},
  ) {
    if (!Number.isSafeInteger(total) || total < 0)
      throw new RangeError(`progress total must be a non-negative integer, got ${total}`);
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.everyPercent = options.everyPercent ?? 10;
    if (!(this.everyPercent > 0 && this.everyPercent <= 100))
      throw new RangeError(`everyPercent must be in (0, 100], got ${this.everyPercent}`);
    this.redrawMs = options.redrawMs ?? 100;
    this.width = options.width ?? 30;
    this.now = options.now ?? Date.now;
    this.startedMs = this.now();
    if (this.tty) this.draw();
  }

  /** Items done so far. */
  get count(): number {
    return this.done;
  }

  /** Items per second since the phase started (0 before any time has passed). */
  rate(): number {
    const seconds = (this.now() - this.startedMs) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  /** One line: `phase [#####-----]  50% 5/10 2.5/s`. */
  line(): string {
    const fraction = this.total === 0 ? 1 : Math.min(1, this.done / this.total);
    const filled = Math.round(fraction * this.width);
    const bar = "#".repeat(filled) + "-".repeat(this.width - filled);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const rate = this.rate();
    return `${this.phase} [${bar}] ${percent} ${this.done}/${this.total} ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}/s`;
  }

  /** Marks `n` more items done. */
  tick(n = 1): void {
    if (this.finished) throw new Error(`progress "${this.phase}": tick after finish`);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`progress tick must be a non-negative integer, got ${n}`);
    this.done += n;
    if (this.done > this.total)
      throw new RangeError(`progress "${this.phase}": ${this.done} items done of ${this.total}`);
    if (this.tty) {
      if (this.now() - this.lastDrawMs >= this.redrawMs) this.draw();
      return;
    }
    const step = Math.floor(((this.total === 0 ? 1 : this.done / this.total) * 100) / this.everyPercent);
    if (step > this.lastPercentStep) {
      this.lastPercentStep = step;
      this.stream.write(`${this.line()}\n`);
    }
  }

  /** Ends the phase: the final state on its own line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tty) {
      this.draw();
      this.stream.write("\n");
    } else if (this.lastPercentStep < Math.floor(100 / this.everyPercent) || this.done < this.total) {
      this.stream.write(`${this.line()}\n`);
    }
  }

  private draw(): void {
    this.lastDrawMs = this.now();
    this.stream.write(`\r${this.line()}\x1b[K`);
  }
}
