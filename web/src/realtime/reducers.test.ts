import { describe, expect, test } from "bun:test";
import type { RunFinishedEvent, RunProgressEvent, RunSummary } from "@puente/protocol";
import type { SyncOverview } from "../api/rpc-shapes.ts";
import {
  applyConnection,
  applyHeartbeat,
  applyOverview,
  applyPresence,
  applyRunFinished,
  applyRunList,
  applyRunProgress,
  currentRun,
  emptySyncState,
  isKnownRun,
  MAX_RATE_SAMPLES,
  rejectedTotal,
} from "./reducers.ts";

const AGENT = "11111111-1111-4111-8111-111111111111";
const AGENT2 = "22222222-2222-4222-8222-222222222222";
const RUN = "33333333-3333-4333-8333-333333333333";
const RUN2 = "44444444-4444-4444-8444-444444444444";

function run(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: RUN,
    agentId: AGENT,
    commandId: null,
    source: "ferrawin",
    mode: "incremental",
    params: { mode: "incremental" },
    status: "running",
    scheduled: false,
    total: 100,
    done: 10,
    counts: {},
    cursor: null,
    ratePerS: 5,
    lastItem: null,
    error: null,
    createdAt: "2026-11-23T09:00:00.000Z",
    startedAt: "2026-11-23T09:00:00.000Z",
    updatedAt: "2026-11-23T09:00:10.000Z",
    finishedAt: null,
    ...overrides,
  };
}

/** An agent whose protocol the API accepts. */
const ACCEPTED = { protocolSeen: 1, protocolNeeded: null, outdatedAt: null };

function overview(overrides: Partial<SyncOverview> = {}): SyncOverview {
  return {
    agents: [{
      id: AGENT,
      name: "Oficina",
      hostname: "pc1",
      version: "1.0.0",
      lastSeenAt: null,
      revoked: false,
      ...ACCEPTED,
    }],
    activeRuns: [run()],
    totals: { planillas: 10, elementos: 500, customers: null },
    years: [{ year: 2026, synced: 10, lastCode: "2026-000886" }],
    schedules: [],
    ...overrides,
  };
}

function progress(overrides: Partial<RunProgressEvent> = {}): RunProgressEvent {
  return {
    runId: RUN,
    agentId: AGENT,
    source: "ferrawin",
    mode: "incremental",
    status: "running",
    total: 100,
    done: 20,
    counts: { planillas: { created: 5, updated: 1, unchanged: 14, deleted: 0, rejected: 0 } },
    ratePerS: 8,
    lastItem: { code: "2026-000886", cliente: "ACME", obra: "Torre" },
    updatedAt: "2026-11-23T09:00:20.000Z",
    ...overrides,
  };
}

function finished(overrides: Partial<RunFinishedEvent> = {}): RunFinishedEvent {
  return {
    runId: RUN,
    agentId: AGENT,
    source: "ferrawin",
    status: "completed",
    done: 100,
    total: 100,
    counts: { planillas: { created: 50, updated: 1, unchanged: 49, deleted: 0, rejected: 2 } },
    error: null,
    finishedAt: "2026-11-23T09:01:00.000Z",
    ...overrides,
  };
}

const AT = "2026-11-23T09:00:30.000Z";

describe("applyOverview", () => {
  test("loads agents, active runs, totals and years", () => {
    const s = applyOverview(emptySyncState(), overview(), AT);
    expect(s.agents.map((a) => a.id)).toEqual([AGENT]);
    expect(s.agents[0]?.isOnline).toBe(false);
    expect(s.agents[0]?.activeRunId).toBe(RUN);
    expect(s.liveRuns.map((r) => r.done)).toEqual([10]);
    expect(s.totals.planillas).toBe(10);
    expect(s.years[0]?.lastCode).toBe("2026-000886");
    expect(s.reconciledAt).toBe(AT);
  });

  test("keeps presence known before the overview arrived", () => {
    const online = applyPresence(emptySyncState(), { type: "snapshot", memberIds: [AGENT] });
    expect(applyOverview(online, overview(), AT).agents[0]?.isOnline).toBe(true);
  });

  test("a fresher live copy of a run wins over an older database read", () => {
    const live = applyRunProgress(applyOverview(emptySyncState(), overview(), AT), progress());
    const again = applyOverview(live, overview(), AT);
    expect(again.liveRuns[0]?.done).toBe(20);
  });

  test("a newer database read wins over an older live copy (missed events)", () => {
    const live = applyRunProgress(emptySyncState(), progress());
    const db = run({ done: 80, updatedAt: "2026-11-23T09:00:50.000Z" });
    expect(applyOverview(live, overview({ activeRuns: [db] }), AT).liveRuns[0]?.done).toBe(80);
  });

  test("a run that ended while disconnected disappears from the active list", () => {
    const live = applyRunProgress(emptySyncState(), progress());
    expect(applyOverview(live, overview({ activeRuns: [] }), AT).liveRuns).toEqual([]);
  });

  test("a run that finished while watching stays visible as the last result", () => {
    const s = applyRunFinished(applyOverview(emptySyncState(), overview(), AT), finished());
    const again = applyOverview(s, overview({ activeRuns: [] }), AT);
    expect(again.liveRuns.map((r) => r.status)).toEqual(["completed"]);
  });
});

describe("applyRunProgress", () => {
  test("updates done, counts, rate and last item, and records a throughput sample", () => {
    const s = applyRunProgress(applyOverview(emptySyncState(), overview(), AT), progress());
    const r = s.liveRuns[0]!;
    expect(r.done).toBe(20);
    expect(r.counts.planillas?.created).toBe(5);
    expect(r.lastItem?.obra).toBe("Torre");
    expect(r.params).toEqual({ mode: "incremental" });
    expect(s.rateSamples[RUN]).toEqual([{
      at: Date.parse("2026-11-23T09:00:20.000Z"),
      ratePerS: 8,
    }]);
    expect(s.history[0]?.done).toBe(20);
  });

  test("creates a run it has not seen yet", () => {
    const s = applyRunProgress(emptySyncState(), progress({ runId: RUN2 }));
    expect(s.liveRuns.map((r) => r.id)).toEqual([RUN2]);
  });

  test("ignores an out-of-order older event", () => {
    const s = applyRunProgress(emptySyncState(), progress());
    const older = applyRunProgress(s, progress({ done: 5, updatedAt: "2026-11-23T09:00:15.000Z" }));
    expect(older.liveRuns[0]?.done).toBe(20);
    expect(older).toBe(s);
  });

  test("never reopens a finished run", () => {
    const s = applyRunFinished(applyRunProgress(emptySyncState(), progress()), finished());
    const late = applyRunProgress(s, progress({ updatedAt: "2026-11-23T09:02:00.000Z" }));
    expect(late.liveRuns[0]?.status).toBe("completed");
  });

  test("keeps at most MAX_RATE_SAMPLES samples", () => {
    let s = emptySyncState();
    for (let i = 0; i < MAX_RATE_SAMPLES + 5; i++) {
      s = applyRunProgress(
        s,
        progress({
          done: i,
          ratePerS: i,
          updatedAt: new Date(Date.UTC(2026, 10, 23, 9, 0, i)).toISOString(),
        }),
      );
    }
    expect(s.rateSamples[RUN]?.length).toBe(MAX_RATE_SAMPLES);
    expect(s.rateSamples[RUN]?.at(-1)?.ratePerS).toBe(MAX_RATE_SAMPLES + 4);
  });

  test("a pause shows as paused", () => {
    const s = applyRunProgress(emptySyncState(), progress({ status: "paused" }));
    expect(currentRun(s, AGENT, "ferrawin")?.status).toBe("paused");
  });
});

describe("applyRunFinished", () => {
  test("marks the run final with its counts and error, and frees the agent", () => {
    const base = applyOverview(emptySyncState(), overview(), AT);
    const s = applyRunFinished(
      base,
      finished({
        status: "failed",
        error: { code: "source_unavailable", message: "SQL Server unreachable" },
      }),
    );
    expect(s.liveRuns[0]?.status).toBe("failed");
    expect(s.liveRuns[0]?.error?.code).toBe("source_unavailable");
    expect(s.liveRuns[0]?.finishedAt).toBe("2026-11-23T09:01:00.000Z");
    expect(s.agents[0]?.activeRunId).toBeNull();
    expect(s.history[0]?.status).toBe("failed");
  });

  test("works for a run never seen before", () => {
    const s = applyRunFinished(emptySyncState(), finished());
    expect(s.history.map((r) => r.id)).toEqual([RUN]);
  });
});

describe("heartbeat, presence and connection", () => {
  test("a heartbeat updates version, host and last seen", () => {
    const s = applyHeartbeat(applyOverview(emptySyncState(), overview(), AT), {
      agentId: AGENT,
      version: "1.2.0",
      hostname: "pc2",
      activeRunId: null,
      at: "2026-11-23T09:05:00.000Z",
    });
    expect(s.agents[0]).toMatchObject({
      version: "1.2.0",
      hostname: "pc2",
      lastSeenAt: "2026-11-23T09:05:00.000Z",
      activeRunId: null,
    });
  });

  test("presence members come and go", () => {
    const two = overview({
      agents: [
        {
          id: AGENT,
          name: "A",
          hostname: null,
          version: null,
          lastSeenAt: null,
          revoked: false,
          ...ACCEPTED,
        },
        {
          id: AGENT2,
          name: "B",
          hostname: null,
          version: null,
          lastSeenAt: null,
          revoked: false,
          ...ACCEPTED,
        },
      ],
    });
    let s = applyOverview(emptySyncState(), two, AT);
    s = applyPresence(s, { type: "added", memberId: AGENT2 });
    expect(s.agents.map((a) => a.isOnline)).toEqual([false, true]);
    s = applyPresence(s, { type: "added", memberId: AGENT2 });
    expect(s.onlineAgentIds).toEqual([AGENT2]);
    s = applyPresence(s, { type: "removed", memberId: AGENT2 });
    expect(s.agents.map((a) => a.isOnline)).toEqual([false, false]);
  });

  test("losing the socket forgets who is online; connecting keeps it", () => {
    let s = applyPresence(applyOverview(emptySyncState(), overview(), AT), {
      type: "snapshot",
      memberIds: [AGENT],
    });
    expect(applyConnection(s, "connected").agents[0]?.isOnline).toBe(true);
    s = applyConnection(s, "unavailable");
    expect(s.connection).toBe("unavailable");
    expect(s.agents[0]?.isOnline).toBe(false);
  });
});

describe("history and helpers", () => {
  test("applyRunList keeps fresher live copies", () => {
    const listed = {
      ...run(),
      requestedBy: "ana@example.com",
      rejectsByReason: { missing_obra: 2 },
    };
    const s = applyRunList(applyRunProgress(emptySyncState(), progress()), [listed]);
    expect(s.history[0]?.done).toBe(20);
    expect(s.history[0]?.requestedBy).toBe("ana@example.com");
    expect(s.history[0]?.rejectsByReason).toEqual({ missing_obra: 2 });
  });

  test("a run first seen in an event takes its command id and params from the database", () => {
    const fromDb = run({
      commandId: "c0ffee00-0000-4000-8000-000000000001",
      updatedAt: "2026-11-23T08:00:00.000Z",
    });
    const s = applyRunList(applyRunProgress(emptySyncState(), progress()), [
      { ...fromDb, requestedBy: null, rejectsByReason: {} },
    ]);
    expect(s.history[0]?.done).toBe(20);
    expect(s.history[0]?.commandId).toBe("c0ffee00-0000-4000-8000-000000000001");
    expect(s.history[0]?.params).toEqual(fromDb.params);
    expect(isKnownRun(s, fromDb.id)).toBe(true);
    expect(isKnownRun(s, "c0ffee00-0000-4000-8000-000000000002")).toBe(false);
  });

  test("a live event keeps the listed requester and reject counts of a history row", () => {
    const listed = { ...run(), requestedBy: "ana@example.com", rejectsByReason: { blank_key: 1 } };
    const s = applyRunProgress(applyRunList(emptySyncState(), [listed]), progress());
    expect(s.history[0]?.done).toBe(20);
    expect(s.history[0]?.requestedBy).toBe("ana@example.com");
    expect(s.history[0]?.rejectsByReason).toEqual({ blank_key: 1 });
  });

  test("currentRun prefers an active run over a finished one", () => {
    let s = applyRunFinished(emptySyncState(), finished({ runId: RUN2 }));
    expect(currentRun(s, AGENT)?.id).toBe(RUN2);
    s = applyRunProgress(s, progress());
    expect(currentRun(s, AGENT)?.id).toBe(RUN);
    expect(currentRun(s, AGENT2)).toBeNull();
  });

  test("rejectedTotal sums every kind", () => {
    expect(rejectedTotal({
      planillas: { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 2 },
      customers: { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 3 },
    })).toBe(5);
  });
});
