// The three end-to-end measurements on a Scenario, each writing its bench/results/<name>.json:
// `e2e` (a full sync beside COPY of the same rows), `noop` (incremental when nothing changed) and
// `changed` (incremental after 1% of the planillas changed in FerraWin).
import { type BenchResult, round, writeResult } from "../results.ts";
import { checkTargets } from "../report.ts";
import { agentSettings, describeCpu, type Scenario, type SyncMeasure } from "./scenario.ts";

/** The run's numbers every result carries in its notes. */
function runNotes(scenario: Scenario, sync: SyncMeasure): Record<string, string | number> {
  return {
    fixture_planillas: scenario.options.planillas,
    seed: scenario.options.seed,
    run_s: round(sync.runS, 2),
    batches: sync.batches,
    run_counts: JSON.stringify(sync.counts),
    cpu_s_by_stage: describeCpu(sync.cpuS),
    agent_settings: JSON.stringify(agentSettings()),
    // Other work on the shared machine competes for the same cores: the 1-minute load before and after.
    load_average: `${sync.loadBefore.toFixed(1)} → ${sync.loadAfter.toFixed(1)}`,
    path: "puente-agent sync ferrawin → tedious → TDS stand-in → Postgres (ferrawin db); " +
      "agent → gateway /functions/v1 → edge (Deno) → gateway /rest/v1/rpc → ingest_planillas",
  };
}

/** Prints each missed target. */
function report(result: BenchResult): void {
  const missed = checkTargets(result).filter((c) => c.verdict !== "met");
  for (const { target } of missed) {
    console.log(
      `${result.name}: target ${target.metric} ${target.op} ${target.value} missed ` +
        `(measured ${result.metrics[target.metric]})`,
    );
  }
}

/** Untimed full sync that noop and changed start from when they run on their own. */
export async function prepareFullSync(scenario: Scenario): Promise<void> {
  console.log("preparing: an untimed full sync…");
  const full = await scenario.sync("all");
  console.log(`prepared in ${full.wallS.toFixed(1)} s (${full.done} planillas sent)`);
}

export async function measureE2e(scenario: Scenario): Promise<BenchResult> {
  console.log("e2e: full sync (mode all)…");
  const sync = await scenario.sync("all");
  const rows = await scenario.replicaRows();
  console.log(`e2e: ${rows.elementos} elementos in ${sync.wallS.toFixed(1)} s; COPY limit…`);
  const copy = await scenario.copyLimit();
  const totalRows = rows.planillas + rows.elementos + rows.entidades;
  const result = writeResult(
    "e2e",
    {
      elementos_per_s: Math.round(rows.elementos / sync.wallS),
      wall_s: round(sync.wallS),
      copy_rows_per_s: Math.round(copy.rowsPerS),
      // Same rows, same tables: the e2e row rate over the COPY row rate is COPY's time over ours.
      ratio_vs_copy: round(copy.seconds / sync.wallS, 3),
      agent_peak_rss_mb: Math.round(sync.agentPeakRssMb),
      e2e_rows_per_s: Math.round(totalRows / sync.wallS),
      copy_s: round(copy.seconds, 2),
      planillas: rows.planillas,
      elementos: rows.elementos,
      entidades: rows.entidades,
    },
    await scenario.versions(),
    {
      ...runNotes(scenario, sync),
      copy:
        "COPY FROM STDIN, one connection, data read out beforehand, into LIKE … INCLUDING ALL " +
        "copies of planillas, elementos, entidades (primary keys and indexes, no foreign keys)",
      ratio: "e2e rows/s (planillas + elementos + entidades) ÷ COPY rows/s over the same rows",
      setup_s: round(scenario.setupS),
    },
  );
  console.log(`where the CPU went: ${describeCpu(sync.cpuS)}`);
  report(result);
  return result;
}

/** Planillas a run sent as planillas (created, updated or unchanged), refused ones not counted. */
function planillasSent(sync: SyncMeasure): number {
  const p = sync.counts.planillas ?? {};
  return (p.created ?? 0) + (p.updated ?? 0) + (p.unchanged ?? 0);
}

/**
 * Refused planillas the run sent, by reason. Headers with a blank key have no code to remember, so
 * every incremental run that sends anything reports them again (by design, see ferrawin-sync.test.ts);
 * any other reason here would be a planilla re-sent without a change.
 */
async function refusedByReason(scenario: Scenario, sync: SyncMeasure) {
  const rejects = await scenario.runRejects(sync.runId);
  const blank = rejects.filter((r) => r.reason === "blank_key").length;
  return { blank, other: rejects.filter((r) => r.reason !== "blank_key") };
}

/** A correctness measurement: its result, and whether the run sent exactly what it should. */
export interface CheckedResult {
  result: BenchResult;
  isCorrect: boolean;
}

export async function measureNoop(scenario: Scenario): Promise<CheckedResult> {
  console.log("noop: incremental run with nothing changed…");
  const sync = await scenario.sync("incremental");
  const sent = planillasSent(sync);
  const refused = await refusedByReason(scenario, sync);
  const journal = await scenario.journalOf(sync.runId);
  const floorS = await scenario.standinMd5FloorS();
  const result = writeResult(
    "noop",
    {
      wall_s: round(sync.wallS, 2),
      planillas_sent: sent,
      refused_sent: refused.blank + refused.other.length,
      planillas_checked: scenario.options.planillas,
      journal_rows: journal.rows,
      standin_md5_floor_s: round(floorS, 2),
    },
    await scenario.versions(),
    {
      ...runNotes(scenario, sync),
      standin_md5_floor:
        "an MD5 of every row of ORD_BAR, ORD_DET, PROD_DETO and PROD_DETI as text, in " +
        "parallel, with no filter, grouping or collation, measured right after the run: what any exact " +
        "fingerprint costs the stand-in before Puente does anything",
    },
  );
  const isCorrect = sent === 0 && refused.other.length === 0 && journal.rows === 0;
  if (!isCorrect) {
    console.log(
      `noop: MISMATCH: ${sent} planillas and ${refused.other.length} refused planillas were sent, ` +
        `and ${journal.rows} journal rows written, expected none`,
    );
  }
  report(result);
  return { result, isCorrect };
}

export async function measureChanged(
  scenario: Scenario,
  fraction = 0.01,
): Promise<CheckedResult> {
  const count = Math.max(1, Math.round(scenario.options.planillas * fraction));
  const codes = await scenario.changePlanillas(count);
  console.log(`changed: ${codes.length} planillas edited in the stand-in; incremental run…`);
  const sync = await scenario.sync("incremental");
  const sent = planillasSent(sync);
  const updated = sync.counts.planillas?.updated ?? 0;
  const refused = await refusedByReason(scenario, sync);
  const journal = await scenario.journalOf(sync.runId);
  const e = sync.counts.elementos ?? {};
  const elementosChanged = (e.created ?? 0) + (e.updated ?? 0) + (e.deleted ?? 0);
  const result = writeResult(
    "changed",
    {
      wall_s: round(sync.wallS, 2),
      planillas_sent: sent,
      planillas_changed: codes.length,
      planillas_updated: updated,
      elementos_updated: sync.counts.elementos?.updated ?? 0,
      blank_key_headers_reported: refused.blank,
      journal_rows_per_changed_planilla: round(journal.rows / codes.length, 3),
      journal_bytes_per_changed_elemento: elementosChanged
        ? Math.round(journal.bytes / elementosChanged)
        : 0,
    },
    await scenario.versions(),
    {
      ...runNotes(scenario, sync),
      fraction,
      first_changed: codes.slice(0, 3).join(", "),
      blank_key: "headers without a code cannot be remembered, so an incremental run that sends " +
        "anything reports them again as refused (not counted in planillas_sent)",
    },
  );
  const isCorrect = sent === codes.length && updated === codes.length && !refused.other.length;
  if (!isCorrect) {
    console.log(
      `changed: MISMATCH: ${codes.length} planillas changed, ${sent} sent, ${updated} updated, ` +
        `${refused.other.length} refused planillas re-sent (${
          refused.other.slice(0, 5).map((r) => `${r.record_key}: ${r.reason}`).join(", ")
        })`,
    );
  }
  report(result);
  return { result, isCorrect };
}
