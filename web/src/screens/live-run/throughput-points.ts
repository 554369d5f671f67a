// Maps throughput samples onto the small SVG chart's box (x: sample order, y: rate scaled to the maximum).
import type { RateSample } from "../../realtime/reducers.ts";

export const CHART_WIDTH = 300;
export const CHART_HEIGHT = 60;
const PADDING = 2;

export function throughputPoints(
  samples: RateSample[],
  width = CHART_WIDTH,
  height = CHART_HEIGHT,
): string {
  if (samples.length === 0) return "";
  const max = Math.max(...samples.map((s) => s.ratePerS), 1e-9);
  const step = samples.length > 1 ? width / (samples.length - 1) : 0;
  return samples
    .map((s, i) => {
      const y = height - PADDING - (s.ratePerS / max) * (height - 2 * PADDING);
      return `${(i * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}
