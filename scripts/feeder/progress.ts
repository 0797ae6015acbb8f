/**
 * A progress bar on stderr: done/total, readings per second and the time left. On a TTY it redraws one
 * line (at most ten times a second); elsewhere (a log file, CI) it prints a plain line every 10 % or
 * every 5 seconds, whichever comes first.
 */

export interface ProgressSink {
  /** Starts counting towards `total` readings. */
  start(total: number): void;
  /** `n` more readings are done. */
  advance(n: number): void;
  /** Ends the bar (prints the final state). */
  finish(): void;
}

/** Discards everything (for tests and library use). */
export const silentProgress: ProgressSink = { start() {}, advance() {}, finish() {} };

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

/** Seconds as `h:mm:ss` or `m:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export class ProgressBar implements ProgressSink {
  private total = 0;
  private done = 0;
  private startedAt = 0;
  private lastDrawAt = 0;
  private lastPlainFraction = 0;
  private drawn = false;

  constructor(
    private readonly label = "readings",
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => Date.now(),
  ) {}

  start(total: number): void {
    this.total = total;
    this.done = 0;
    this.startedAt = this.now();
    this.lastDrawAt = this.startedAt;
    this.lastPlainFraction = 0;
    this.drawn = false;
    if (!this.stream.isTTY) this.stream.write(`${this.label}: 0/${total}\n`);
    else this.draw();
  }

  advance(n: number): void {
    this.done += n;
    const now = this.now();
    if (this.stream.isTTY) {
      if (now - this.lastDrawAt >= 100) this.draw();
      return;
    }
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    if (fraction - this.lastPlainFraction >= 0.1 || now - this.lastDrawAt >= 5_000) {
      this.lastPlainFraction = fraction;
      this.lastDrawAt = now;
      this.stream.write(`${this.status()}\n`);
    }
  }

  finish(): void {
    if (this.stream.isTTY) {
      this.draw();
      if (this.drawn) this.stream.write("\n");
    } else if (this.lastPlainFraction < 1 || this.total === 0) {
      this.stream.write(`${this.status()}\n`);
    }
  }

  /** `label: done/total (pct) rate/s ETA m:ss`. */
  status(): string {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const left = this.total - this.done;
    const eta = left === 0 ? 0 : rate > 0 ? left / rate : Infinity;
    const pct = this.total === 0 ? 100 : Math.floor((100 * this.done) / this.total);
    return (
      `${this.label}: ${this.done}/${this.total} (${pct}%) ` +
      `${rate.toFixed(1)} ${this.label}/s ETA ${formatDuration(eta)}`
    );
  }

  private draw(): void {
    this.lastDrawAt = this.now();
    const text = this.status();
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - text.length - 4));
    const filled = this.total === 0 ? width : Math.round((width * this.done) / this.total);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    this.stream.write(`\r[${bar}] ${text}\x1b[K`);
    this.drawn = true;
  }
}
