// A small SVG line of a run's throughput over the last samples.
import { Show } from "solid-js";
import type { RateSample } from "../../realtime/reducers.ts";
import { CHART_HEIGHT, CHART_WIDTH, throughputPoints } from "./throughput-points.ts";

export function ThroughputChart(props: { samples: RateSample[]; label: string }) {
  return (
    <Show when={props.samples.length > 1}>
      <figure class="chart" data-testid="throughput-chart">
        <svg
          viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={props.label}
        >
          <polyline
            points={throughputPoints(props.samples)}
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
