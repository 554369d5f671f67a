// The automatic schedule per agent and source: an interval (or off) and when the next run is due.
import { For } from "solid-js";
import { SCHEDULE_INTERVALS } from "@puente/protocol";
import type { ScheduleRow } from "../../api/rpc-shapes.ts";
import { formatDateTime, formatRelative } from "../../format/progress.ts";
import { lang, t } from "../../i18n/i18n.ts";
import type { AgentView } from "../../realtime/reducers.ts";
import { DataTable } from "../../components/DataTable.tsx";

const SOURCES = ["ferrawin", "wispro"] as const;
type Source = (typeof SOURCES)[number];

/** One row per (active agent, source), with that pair's schedule if any. */
export function scheduleRows(agents: readonly AgentView[], schedules: readonly ScheduleRow[]) {
  return agents.filter((a) => !a.revoked).flatMap((agent) =>
    SOURCES.map((source) => ({
      agent,
      source,
      schedule: schedules.find((s) => s.agentId === agent.id && s.source === source) ?? null,
    }))
  );
}

export function SchedulesTable(props: {
  agents: readonly AgentView[];
  schedules: readonly ScheduleRow[];
  now: number;
  onChange: (agentId: string, source: Source, intervalMinutes: number | null) => void;
}) {
  const id = (row: { agent: AgentView; source: Source }) =>
    `schedule-${row.agent.id}-${row.source}`;
  return (
    <DataTable
      testId="schedules-table"
      rows={scheduleRows(props.agents, props.schedules)}
      columns={[
        { header: t("agent.label"), cell: (row) => row.agent.name },
        { header: t("run.source"), cell: (row) => t(`source.${row.source}`) },
        {
          header: t("schedule.title"),
          cell: (row) => (
            <>
              <label for={id(row)} class="sr-only">
                {t("schedule.title")} {row.agent.name} {t(`source.${row.source}`)}
              </label>
              <select
                id={id(row)}
                data-testid={id(row)}
                value={row.schedule?.intervalMinutes ?? ""}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  props.onChange(row.agent.id, row.source, value === "" ? null : Number(value));
                }}
              >
                <option value="">{t("schedule.off")}</option>
                <For each={SCHEDULE_INTERVALS}>
                  {(m) => <option value={m}>{t("schedule.every", { n: m })}</option>}
                </For>
              </select>
            </>
          ),
        },
        {
          header: t("schedule.next"),
          cell: (row) => (
            <span
              data-testid={`${id(row)}-next`}
              title={formatDateTime(row.schedule?.nextDueAt ?? null, lang())}
            >
              {row.schedule?.intervalMinutes
                ? formatRelative(row.schedule.nextDueAt, props.now, lang())
                : "—"}
            </span>
          ),
        },
      ]}
    />
  );
}
