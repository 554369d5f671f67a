// The throughput chart's geometry: a plot box inside margins for the axes, a y scale from 0 to a round
// maximum with evenly spaced ticks, and an x scale over the samples' times with ticks at whole seconds.
import type { RateSample } from "../../realtime/reducers.ts";

export const CHART_WIDTH = 320;
export const CHART_HEIGHT = 150;
/** Room for the y labels (left), the x labels (bottom) and the unit (top). */
export const MARGIN = { top: 18, right: 10, bottom: 30, left: 40 } as const;
export const PLOT = {
  x: MARGIN.left,
  y: MARGIN.top,
  width: CHART_WIDTH - MARGIN.left - MARGIN.right,
  height: CHART_HEIGHT - MARGIN.top - MARGIN.bottom,
} as const;

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1). */
export function niceMax(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value - 1e-9) return step * power;
  }
  return 10 * power;
}

export interface Tick {
  /** Position in the chart's coordinates. */
  at: number;
  value: number;
}

/** The scale of one chart: ticks on both axes and the line's points. */
export interface ThroughputScale {
  yTicks: Tick[];
  /** Times (ms since epoch) of the x ticks: first sample, middle, last. */
  xTicks: Tick[];
  points: string;
  yMax: number;
}

const Y_TICKS = 4;

export function throughputScale(samples: readonly RateSample[]): ThroughputScale {
  const yMax = niceMax(Math.max(0, ...samples.map((s) => s.ratePerS)));
  const y = (rate: number) => PLOT.y + PLOT.height - (rate / yMax) * PLOT.height;
  const first = samples[0]?.at ?? 0;
  const last = samples.at(-1)?.at ?? first;
  const span = last - first;
  // Samples at the same instant (or one sample) spread by order so the line still shows.
  const x = (s: RateSample, i: number) =>
    PLOT.x +
    (span > 0
      ? ((s.at - first) / span) * PLOT.width
      : samples.length > 1
      ? (i / (samples.length - 1)) * PLOT.width
      : 0);
  const yTicks = Array.from({ length: Y_TICKS + 1 }, (_, i) => {
    const value = (yMax * i) / Y_TICKS;
    return { at: y(value), value };
  });
  const xTicks = samples.length === 0
    ? []
    : span > 0
    ? [0, 0.5, 1].map((f) => ({ at: PLOT.x + f * PLOT.width, value: first + f * span }))
    : [{ at: PLOT.x, value: first }];
  const points = samples.map((s, i) => `${x(s, i).toFixed(1)},${y(s.ratePerS).toFixed(1)}`)
    .join(" ");
  return { yTicks, xTicks, points, yMax };
}
