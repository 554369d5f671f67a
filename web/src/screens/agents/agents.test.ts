import { describe, expect, test } from "bun:test";
import { render, textOf } from "../../testing/render.ts";
import type { AgentView } from "../../realtime/reducers.ts";

const { AgentsTable } = await import("./AgentsTable.tsx");
const { SchedulesTable, scheduleRows } = await import("./SchedulesTable.tsx");
const { AgentKeyForm } = await import("./AgentKeyForm.tsx");
const { RevokeDialog } = await import("./RevokeDialog.tsx");

const NOW = Date.parse("2026-12-05T10:00:00Z");
const agent = (over: Partial<AgentView>): AgentView => ({
  id: "a1",
  name: "Oficina",
  hostname: "PC-1",
  version: "1.2.0",
  lastSeenAt: "2026-12-05T09:59:30Z",
  revoked: false,
  isOnline: true,
  activeRunId: null,
  protocolSeen: null,
  protocolNeeded: null,
  outdatedAt: null,
  ...over,
});

describe("agents table", () => {
  test("a row per agent with its state, version and host; revoked agents have no revoke button", () => {
    const html = render(() =>
      AgentsTable({
        agents: [agent({}), agent({ id: "a2", name: "Vieja", revoked: true, isOnline: false })],
        now: NOW,
        onRevoke: () => {},
      })
    );
    expect(textOf(html, "agent-row-a1")).toContain("En línea");
    expect(textOf(html, "agent-row-a1")).toContain("1.2.0");
    expect(textOf(html, "agent-row-a1")).toContain("PC-1");
    expect(textOf(html, "agent-row-a2")).toContain("Revocado");
    expect(html.match(/data-testid="agent-revoke"/g)?.length).toBe(1);
  });
  test("no agents: the hint to create one", () => {
    const html = render(() => AgentsTable({ agents: [], now: NOW, onRevoke: () => {} }));
    expect(html).toContain("No hay agentes");
  });
});

describe("schedules table", () => {
  const schedules = [{
    agentId: "a1",
    source: "ferrawin" as const,
    intervalMinutes: 15,
    nextDueAt: "2026-12-05T10:05:00Z",
  }];
  test("one row per active agent and source, with that pair's schedule", () => {
    const rows = scheduleRows([agent({}), agent({ id: "a2", revoked: true })], schedules);
    expect(rows.map((r) => `${r.agent.id}/${r.source}/${r.schedule?.intervalMinutes ?? "off"}`))
      .toEqual(["a1/ferrawin/15", "a1/wispro/off"]);
  });
  test("the next run is shown only where a schedule is on", () => {
    const html = render(() =>
      SchedulesTable({ agents: [agent({})], schedules, now: NOW, onChange: () => {} })
    );
    expect(textOf(html, "schedule-a1-ferrawin-next")).toContain("5");
    expect(textOf(html, "schedule-a1-wispro-next")).toBe("—");
  });
});

describe("agent key form and revoke dialog", () => {
  test("the form starts empty with its create button disabled and no key shown", () => {
    const html = render(() => AgentKeyForm({ onCreate: () => Promise.resolve(null) }));
    expect(html).toMatch(/data-testid="agent-create"[^>]*disabled/);
    expect(html).not.toContain("agent-key-created");
  });
  test("the revoke question names the agent", () => {
    const html = render(() =>
      RevokeDialog({ agent: { id: "a1", name: "Oficina" }, onRevoke: () => {}, onClose: () => {} })
    );
    expect(html).toContain("¿Revocar la clave de Oficina?");
  });
});
