// The phase progress bar of scripts/sim/progress.ts, with a fake stream and a fake clock.
import { expect } from "chai";
import { PhaseProgress } from "../../scripts/sim/progress";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } };
}

function clock() {
  let ms = 1_000_000;
  return { now: () => ms, advance: (d: number) => (ms += d) };
}

describe("PhaseProgress", function () {
  describe("line", function () {
    it("shows the phase, the bar, the percentage, the counts and items per second", function () {
      const { stream } = fakeStream(false);
      const c = clock();
      const p = new PhaseProgress("orders", 10, { stream, now: c.now, width: 10 });
      c.advance(2000);
      p.tick(5);
      expect(p.line()).to.equal("orders [#####-----]  50% 5/10 2.5/s");
      expect(p.rate()).to.equal(2.5);
    });
  });

  describe("tick without a terminal", function () {
    it("prints a line each time another 10 % is done, and nothing in between", function () {
      const { stream, writes } = fakeStream(false);
      const c = clock();
      const p = new PhaseProgress("slots", 96, { stream, now: c.now });
      for (let i = 0; i < 96; i++) {
        c.advance(100);
        p.tick();
      }
      p.finish();
      expect(writes).to.have.length(10);
      expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).to.equal(true);
      expect(writes[0]).to.match(/^slots \[#+-+\]  10% 10\/96 10\/s\n$/);
      expect(writes[9]).to.match(/ 100% 96\/96 /);
    });

    it("honours another step and prints the final state of an unfinished phase", function () {
      const { stream, writes } = fakeStream(false);
      const p = new PhaseProgress("blocks", 4, { stream, everyPercent: 50, now: clock().now });
      p.tick();
      p.tick();
      p.tick();
      p.finish();
      expect(writes.map((w) => w.match(/\d+\/4/)![0])).to.deep.equal(["2/4", "3/4"]);
    });
  });

  describe("tick on a terminal", function () {
    it("redraws in place, no more often than the redraw interval, and ends the line on finish", function () {
      const { stream, writes } = fakeStream(true);
      const c = clock();
      const p = new PhaseProgress("settle", 100, { stream, now: c.now, redrawMs: 100 });
      expect(writes).to.have.length(1); // the empty bar
      for (let i = 0; i < 100; i++) {
        c.advance(10);
        p.tick();
      }
      expect(writes.length).to.be.within(9, 12); // every 10 ticks of 10 ms
      expect(writes.every((w) => w.startsWith("\r") && w.endsWith("\x1b[K"))).to.equal(true);
      p.finish();
      expect(writes[writes.length - 2]).to.match(/100% 100\/100 100\/s/);
      expect(writes[writes.length - 1]).to.equal("\n");
    });
  });

  describe("errors", function () {
    it("refuses a bad total, a bad tick, too many items and a tick after finish", function () {
      const { stream } = fakeStream(false);
      expect(() => new PhaseProgress("x", -1, { stream })).to.throw(RangeError, /total/);
      expect(() => new PhaseProgress("x", 1, { stream, everyPercent: 0 })).to.throw(
        RangeError,
        /everyPercent/,
      );
      const p = new PhaseProgress("x", 2, { stream });
      expect(() => p.tick(1.5)).to.throw(RangeError, /non-negative integer/);
      expect(() => p.tick(3)).to.throw(RangeError, /3 items done of 2/);
      const q = new PhaseProgress("y", 2, { stream });
      q.finish();
      expect(() => q.tick()).to.throw(/tick after finish/);
    });

    it("treats an empty phase as complete", function () {
      const { stream, writes } = fakeStream(false);
      const p = new PhaseProgress("nothing", 0, { stream, width: 4 });
      p.finish();
      expect(writes).to.deep.equal(["nothing [####] 100% 0/0 0.0/s\n"]);
    });
  });
});
