// The dependency-free SVG chart renderer of scripts/report/svg.ts: structure, counts, escaping, ticks.
import { expect } from "chai";
import fc from "fast-check";
import {
  barChart,
  escapeXml,
  formatTick,
  lineChart,
  niceTicks,
  stackedBarChart,
  type BarChartSpec,
  type LineChartSpec,
} from "../../scripts/report/svg";

/** Checks that tags nest properly (a light well-formedness check without an XML library). */
function expectWellFormed(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
  expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).to.equal(name);
    else stack.push(name);
  }
  expect(stack).to.deep.equal([]);
  // No raw markup characters outside tags: every text node is escaped.
  const text = svg.replace(/<[^>]*>/g, "");
  expect(text).to.not.match(/[<>]/);
  expect(text.replace(/&(amp|lt|gt|quot|apos);/g, "")).to.not.include("&");
}

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;

const line: LineChartSpec = {
  title: "Trust score over successive trades",
  x: { label: "Trade", unit: "#" },
  y: { label: "Score", min: 0, max: 15 },
  series: [
    { name: "honest", points: [0, 1, 2, 3].map((x) => ({ x, y: 12 + x / 2 })) },
    { name: "malicious", points: [0, 1, 2, 3].map((x) => ({ x, y: 12 - x })), dashed: true },
    { name: "tariff", points: [0, 1, 2, 3].map((x) => ({ x, y: 7 })), step: true },
  ],
};

describe("svg", function () {
  describe("lineChart", function () {
    it("draws one path per series, a legend entry each, the title and axis labels with units", function () {
      const svg = lineChart(line);
      expectWellFormed(svg);
      expect(count(svg, /<path class="series"/g)).to.equal(3);
      expect(count(svg, /<g class="legend">/g)).to.equal(1);
      for (const name of ["honest", "malicious", "tariff"]) expect(svg).to.include(`>${name}</text>`);
      expect(svg).to.include(">Trust score over successive trades</text>");
      expect(svg).to.include(">Trade [#]</text>");
      expect(svg).to.include(">Score</text>");
      expect(svg).to.include('stroke-dasharray="5 3"');
    });

    it("keeps a fixed y range and labels its ticks", function () {
      const svg = lineChart(line);
      for (const t of ["0", "5", "10", "15"])
        expect(svg).to.match(new RegExp(`dominant-baseline="middle">${t}</text>`));
      expect(svg).to.not.match(/dominant-baseline="middle">20<\/text>/);
    });

    it("draws a step series with a horizontal run per point", function () {
      const svg = lineChart({ ...line, series: [line.series[2]] });
      const d = /<path class="series" d="([^"]+)"/.exec(svg)![1];
      expect(count(d, /M/g)).to.equal(1);
      expect(count(d, /L/g)).to.equal(7); // 4 points × (run) + 3 risers
    });

    it("widens the x range so that the last step stays inside the plot", function () {
      const svg = lineChart({ ...line, series: [line.series[2]] });
      const d = /<path class="series" d="([^"]+)"/.exec(svg)![1];
      const xs = [...d.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
      const axis = /<line x1="([\d.]+)" x2="([\d.]+)" y1="([\d.]+)" y2="\3" stroke="#333"\/>/.exec(svg)!;
      expect(Math.max(...xs)).to.be.at.most(Number(axis[2]));
      expect(Math.min(...xs)).to.be.at.least(Number(axis[1]));
    });

    it("leaves a gap at a non-finite value", function () {
      const svg = lineChart({
        ...line,
        series: [{ name: "gappy", points: [1, NaN, 3, 4].map((y, x) => ({ x, y })) }],
      });
      const d = /<path class="series" d="([^"]+)"/.exec(svg)![1];
      expect(count(d, /M/g)).to.equal(2);
      expect(d).to.not.include("NaN");
    });

    it("escapes every text: title, labels, units and series names", function () {
      const svg = lineChart({
        title: `P1 & P2 <sell> "buy"`,
        x: { label: "x<y", unit: "a&b" },
        y: { label: "it's" },
        series: [{ name: "<script>", points: [{ x: 0, y: 1 }] }],
      });
      expectWellFormed(svg);
      expect(svg).to.include("P1 &amp; P2 &lt;sell&gt; &quot;buy&quot;");
      expect(svg).to.include("x&lt;y [a&amp;b]");
      expect(svg).to.include("it&apos;s");
      expect(svg).to.not.include("<script>");
    });

    it("renders an empty chart without NaN", function () {
      const svg = lineChart({ title: "empty", x: { label: "x" }, y: { label: "y" }, series: [] });
      expectWellFormed(svg);
      expect(svg).to.not.include("NaN");
    });
  });

  describe("barChart", function () {
    const spec: BarChartSpec = {
      title: "Gas per operation",
      x: { label: "Operation" },
      y: { label: "Mean gas", unit: "gas" },
      categories: ["placeBid", "placeAsk", "settleAccount"],
      series: [
        { name: "mean", values: [120_000, 110_000, 95_000] },
        { name: "max", values: [150_000, 140_000, 99_000] },
      ],
    };

    it("draws one bar per category and series, with a legend for several series", function () {
      const svg = barChart(spec);
      expectWellFormed(svg);
      expect(count(svg, /<rect class="bar"/g)).to.equal(6);
      expect(count(svg, /<g class="legend">/g)).to.equal(1);
      expect(svg).to.include(">150k</text>");
    });

    it("has no legend for a single series and draws negative bars below zero", function () {
      const svg = barChart({ ...spec, series: [{ name: "net", values: [5, -3, 0] }] });
      expectWellFormed(svg);
      expect(count(svg, /<g class="legend">/g)).to.equal(0);
      expect(count(svg, /<rect class="bar"/g)).to.equal(3);
      expect(svg).to.include(">-4</text>");
    });

    it("thins out category labels when there are many", function () {
      const categories = Array.from(
        { length: 96 },
        (_, i) => `${String(Math.floor(i / 4)).padStart(2, "0")}:${(i % 4) * 15}`,
      );
      const svg = barChart({
        ...spec,
        categories,
        series: [{ name: "n", values: categories.map((_, i) => i) }],
      });
      expect(count(svg, /<rect class="bar"/g)).to.equal(96);
      const labels = count(svg, /<g class="tick"><text/g);
      expect(labels).to.be.within(4, 48);
    });

    it("refuses a series whose length does not match the categories", function () {
      expect(() => barChart({ ...spec, series: [{ name: "short", values: [1] }] })).to.throw(
        RangeError,
        /"short" has 1 values for 3 categories/,
      );
    });
  });

  describe("stackedBarChart", function () {
    const spec: BarChartSpec = {
      title: "TRP levels over the day",
      x: { label: "Slot" },
      y: { label: "Traders" },
      categories: ["00:00", "00:15"],
      series: [
        { name: "level 1", values: [10, 0] },
        { name: "level 2", values: [20, 25] },
        { name: "level 3", values: [30, 35] },
        { name: "level 4", values: [40, 40] },
      ],
    };

    it("stacks one rect per non-zero value up to the category total", function () {
      const svg = stackedBarChart(spec);
      expectWellFormed(svg);
      expect(count(svg, /<rect class="bar"/g)).to.equal(7);
      expect(count(svg, /<rect class="legend-mark"/g)).to.equal(4);
      const heights = [
        ...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g),
      ];
      const firstColumn = heights.filter((m) => m[1] === heights[0][1]).map((m) => Number(m[2]));
      const secondColumn = heights.filter((m) => m[1] !== heights[0][1]).map((m) => Number(m[2]));
      const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(total(firstColumn)).to.be.closeTo(total(secondColumn), 0.1); // both stacks total 100
    });

    it("refuses negative values", function () {
      expect(() => stackedBarChart({ ...spec, series: [{ name: "bad", values: [1, -1] }] })).to.throw(
        RangeError,
        /"bad" has a negative/,
      );
    });
  });

  describe("niceTicks", function () {
    it("covers the range with steps of 1, 2 or 5 × 10^k", function () {
      expect(niceTicks(0, 15)).to.deep.equal([0, 5, 10, 15]);
      expect(niceTicks(0.13, 0.92)).to.deep.equal([0, 0.2, 0.4, 0.6, 0.8, 1]);
      expect(niceTicks(3, 3)).to.deep.equal([2.6, 2.8, 3, 3.2, 3.4]);
      fc.assert(
        fc.property(
          fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          fc.double({ min: -1e9, max: 1e9, noNaN: true }),
          (a, b) => {
            const ticks = niceTicks(a, b);
            expect(ticks[0]).to.be.at.most(Math.min(a, b));
            expect(ticks[ticks.length - 1]).to.be.at.least(Math.max(a, b));
            expect(ticks.length).to.be.within(2, 13);
            const step = ticks[1] - ticks[0];
            const mantissa = Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6));
            expect([1, 2, 5, 10]).to.include(mantissa);
          },
        ),
        { seed: 20260621, numRuns: 300 },
      );
    });

    it("refuses non-finite bounds", function () {
      expect(() => niceTicks(0, Infinity)).to.throw(RangeError, /finite/);
    });
  });

  describe("formatTick and escapeXml", function () {
    it("formats ticks with k and M and as many decimals as the step needs", function () {
      expect(formatTick(150_000, 50_000)).to.equal("150k");
      expect(formatTick(2_500_000, 500_000)).to.equal("2.5M");
      expect(formatTick(0.25, 0.05)).to.equal("0.25");
      expect(formatTick(-0, 1)).to.equal("0");
      expect(formatTick(1200, 200)).to.equal("1200");
    });

    it("escapes the five XML specials", function () {
      expect(escapeXml(`<a href="x">'&'</a>`)).to.equal(
        "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;",
      );
    });
  });
});
