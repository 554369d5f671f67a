// A run's throughput over the last samples: a line over a y axis in records per second (from 0 to a round
// maximum, with a labelled scale) and a time axis (clock times of the first, middle and last sample).
import { For, Show } from "solid-js";
import type { RateSample } from "../../realtime/reducers.ts";
import { formatNumber } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import { CHART_HEIGHT, CHART_WIDTH, MARGIN, PLOT, throughputScale } from "./throughput-points.ts";

const clock = (ms: number) =>
  new Intl.DateTimeFormat(lang() === "es" ? "es-ES" : "en-GB", { timeStyle: "medium" })
    .format(new Date(ms));

export function ThroughputChart(
  props: { samples: RateSample[]; label: string; unit: string },
) {
  const scale = () => throughputScale(props.samples);
  const axisLabel = () => t("chart.rateAxis", { unit: props.unit });
  return (
    <Show when={props.samples.length > 1}>
      <figure class="chart" data-testid="throughput-chart">
        <svg
          viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
          role="img"
          aria-label={`${props.label}, ${axisLabel()}, 0–${formatNumber(scale().yMax, lang(), 1)}`}
        >
          <text class="axis-title" x={2} y={MARGIN.top - 6} data-testid="chart-y-title">
            {axisLabel()}
          </text>
          <g class="axis y-axis" data-testid="chart-y-axis">
            <line x1={PLOT.x} y1={PLOT.y} x2={PLOT.x} y2={PLOT.y + PLOT.height} />
            <For each={scale().yTicks}>
              {(tick) => (
                <>
                  <line
                    class="grid"
                    x1={PLOT.x}
                    y1={tick.at}
                    x2={PLOT.x + PLOT.width}
                    y2={tick.at}
                  />
                  <text x={PLOT.x - 4} y={tick.at + 3} text-anchor="end" data-testid="chart-y-tick">
                    {formatNumber(tick.value, lang(), 1)}
                  </text>
                </>
              )}
            </For>
          </g>
          <g class="axis x-axis" data-testid="chart-x-axis">
            <line
              x1={PLOT.x}
              y1={PLOT.y + PLOT.height}
              x2={PLOT.x + PLOT.width}
              y2={PLOT.y + PLOT.height}
            />
            <For each={scale().xTicks}>
              {(tick, i) => (
                <text
                  x={tick.at}
                  y={PLOT.y + PLOT.height + 14}
                  text-anchor={i() === 0
                    ? "start"
                    : i() === scale().xTicks.length - 1
                    ? "end"
                    : "middle"}
                  data-testid="chart-x-tick"
                >
                  {clock(tick.value)}
                </text>
              )}
            </For>
            <text
              class="axis-title"
              x={PLOT.x + PLOT.width / 2}
              y={CHART_HEIGHT - 2}
              text-anchor="middle"
            >
              {t("chart.time")}
            </text>
          </g>
          <polyline
            points={scale().points}
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            vector-effect="non-scaling-stroke"
          />
        </svg>
        <figcaption class="muted">{props.label}</figcaption>
      </figure>
    </Show>
  );
}
