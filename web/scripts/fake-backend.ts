// A stand-in for the backend the built app talks to, for the visual and live checks in web/scripts:
// serves web/dist, /config.json, GoTrue's password grant, the read RPCs (from mutable fixtures), the edge's
// /commands, and Pusher channel authorization signed with the app secret. Not used by the product.
import { createHmac } from "node:crypto";
import { join, normalize } from "node:path";

export const AGENT = "11111111-1111-4111-8111-111111111111";
export const RUN = "33333333-3333-4333-8333-333333333333";
const now = new Date();
const iso = (offsetS: number) => new Date(now.getTime() + offsetS * 1000).toISOString();
const counts = (created: number, updated: number, unchanged: number, rejected = 0) => ({
  created,
  updated,
  unchanged,
  deleted: 0,
  rejected,
});
export const activeRun = {
  id: RUN,
  agentId: AGENT,
  commandId: null,
  source: "ferrawin",
  mode: "year",
  params: { mode: "year", year: 2025 },
  status: "running",
  scheduled: false,
  total: 3120,
  done: 1284,
  counts: { planillas: counts(40, 12, 1230, 2), elementos: counts(2210, 640, 68000) },
  cursor: null,
  ratePerS: 7.4,
  lastItem: {
    code: "2025-001836",
    cliente: "Construcciones Pérez S.A.",
    obra: "Edificio Las Acacias, bloque B",
  },
  error: null,
  createdAt: iso(-300),
  startedAt: iso(-300),
  updatedAt: iso(-2),
  finishedAt: null,
};
const failedRun = {
  ...activeRun,
  id: "55555555-5555-4555-8555-555555555555",
  source: "wispro",
  mode: "full",
  params: { mode: "full" },
  status: "failed",
  total: null,
  done: 0,
  counts: {},
  lastItem: null,
  error: { code: "wispro_unauthorized", message: "Wispro answered status 401: invalid token" },
  createdAt: iso(-7200),
  finishedAt: iso(-7190),
};
export const rpc: Record<string, unknown> = {
  sync_overview: {
    agents: [
      {
        id: AGENT,
        name: "Oficina central",
        hostname: "OFICINA-PC",
        version: "1.0.0",
        lastSeenAt: iso(-12),
        revoked: false,
      },
    ],
    activeRuns: [activeRun],
    totals: { planillas: 36820, elementos: 2061400, customers: 1520 },
    years: [{ year: 2026, synced: 886, lastCode: "2026-000886" }],
    schedules: [{ agentId: AGENT, source: "ferrawin", intervalMinutes: 15, nextDueAt: iso(420) }],
  },
  list_runs: [activeRun, failedRun],
  year_status: { year: 2026, synced: 886, lastCode: "2026-000886" },
  run_detail: {
    run: activeRun,
    events: [
      { level: "info", message: "run opened: year 2025, 3120 planillas", at: iso(-300) },
      {
        level: "warn",
        message: "planilla 2025-001201 has no obra: rejected (missing_obra)",
        at: iso(-200),
      },
      { level: "error", message: "batch 14 timed out near 2025-001500, retrying", at: iso(-100) },
    ],
    rejects: [{
      recordKey: "2025-001201",
      reason: "missing_obra",
      detail: "ZCODOBRA 0",
      at: iso(-200),
    }],
  },
};

// The Planillas screen's RPCs for one planilla, 2025-007816, with a journal of three syncs.
const elemento = (fila: number, diametro: number, barras: number, peso: number) => ({
  ferrawin_id: `${fila}-1`,
  fila,
  marca: `M${fila}`,
  descripcion_fila: null,
  diametro_mm: diametro,
  figura: "345\t90d\t1200",
  longitud_mm: 1545,
  dobleces: 1,
  barras,
  peso_kg: peso,
  dimensiones: null,
  etiqueta: `ET2025007816${String(fila).padStart(2, "0")}001`,
});
const elementos = [
  elemento(1, 12, 16, 21.9),
  elemento(2, 12, 8, 10.97),
  elemento(3, 16, 4, 9.75),
  elemento(4, 8, 24, 14.63),
];
Object.assign(rpc, {
  find_planillas: { query: "25-7816", codigo: "2025-007816", found: true, suggestions: [] },
  planilla_status: {
    codigo: "2025-007816",
    in_cloud: true,
    descripcion: "Losa planta 2",
    seccion: "Forjados",
    obra: { codigo: "412", nombre: "Edificio Las Acacias, bloque B" },
    cliente: { codigo: "77", nombre: "Construcciones Pérez S.A." },
    fecha_creacion: iso(-86400 * 20),
    fecha_calculo: iso(-86400 * 2),
    elementos_count: elementos.length,
    peso_total_kg: 57.25,
    first_synced_at: iso(-86400 * 19),
    synced_at: iso(-600),
    last_run: {
      id: RUN,
      source: "ferrawin",
      mode: "incremental",
      status: "completed",
      started_at: iso(-620),
      finished_at: iso(-600),
      scheduled: true,
    },
    last_check: { run_id: RUN, at: iso(-600), equal: true },
    open_rejects: [],
  },
  planilla_elementos: {
    items: elementos,
    next: null,
    totals: {
      elementos: 4,
      barras: 52,
      peso_kg: 57.25,
      by_diametro: [
        { diametro_mm: 8, elementos: 1, barras: 24, peso_kg: 14.63 },
        { diametro_mm: 12, elementos: 2, barras: 24, peso_kg: 32.87 },
        { diametro_mm: 16, elementos: 1, barras: 4, peso_kg: 9.75 },
      ],
    },
  },
  planilla_journal: {
    entries: [
      {
        id: 31,
        run_id: RUN,
        at: iso(-600),
        kind: "updated",
        header: {},
        added: [elemento(3, 16, 4, 9.75), elemento(4, 8, 24, 14.63)],
        removed: [],
        changed: [{
          ferrawin_id: "1-1",
          fila: 1,
          fields: { barras: { old: 12, new: 16 }, peso_kg: { old: 16.43, new: 21.9 } },
        }],
        peso_antes: 27.4,
        peso_despues: 57.25,
        elementos_antes: 2,
        elementos_despues: 4,
        rejects: [],
        run: { source: "ferrawin", mode: "incremental", scheduled: true, status: "completed" },
      },
      {
        id: 18,
        run_id: failedRun.id,
        at: iso(-86400 * 6),
        kind: "updated",
        header: { descripcion: { old: "Losa planta 2 (rev. A)", new: "Losa planta 2" } },
        added: [],
        removed: [],
        changed: [{
          ferrawin_id: "2-1",
          fila: 2,
          fields: { etiqueta: { old: "ET20250078160200A", new: "ET2025007816020001" } },
        }],
        peso_antes: 27.4,
        peso_despues: 27.4,
        elementos_antes: 2,
        elementos_despues: 2,
        rejects: [],
        run: { source: "ferrawin", mode: "one", scheduled: false, status: "completed" },
      },
      {
        id: 4,
        run_id: null,
        at: iso(-86400 * 19),
        kind: "created",
        header: {},
        added: [elemento(1, 12, 12, 16.43), elemento(2, 12, 8, 10.97)],
        removed: [],
        changed: [],
        peso_antes: null,
        peso_despues: 27.4,
        elementos_antes: null,
        elementos_despues: 2,
        rejects: [],
        run: { source: "ferrawin", mode: "year", scheduled: false, status: "completed" },
      },
    ],
    next: null,
  },
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
function session(role: string) {
  const user = {
    id: role === "admin"
      ? "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
      : "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    aud: "authenticated",
    role: "authenticated",
    email: `${role}@puente.test`,
    phone: "",
    app_metadata: { provider: "email", providers: ["email"], role },
    user_metadata: {},
    identities: [],
    created_at: iso(-86400),
    updated_at: iso(-86400),
    is_anonymous: false,
  };
  const exp = Math.floor(now.getTime() / 1000) + 3600;
  const access = `${b64({ alg: "HS256", typ: "JWT" })}.${
    b64({
      sub: user.id,
      role: "authenticated",
      app_metadata: user.app_metadata,
      exp,
      aud: "authenticated",
    })
  }.sig`;
  return {
    access_token: access,
    token_type: "bearer",
    expires_in: 3600,
    expires_at: exp,
    refresh_token: "r",
    user,
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });

export interface FakePusher {
  key: string;
  secret: string;
  host: string;
  port: number;
}

export interface FakeBackend {
  url: string;
  /** Bodies of the POST /commands calls received. */
  commands: unknown[];
  stop(): void;
}

/** Signs a channel subscription the way Pusher's protocol expects: key:HMAC-SHA256(socket:channel[:data]). */
export function signChannel(
  pusher: FakePusher,
  socketId: string,
  channel: string,
  channelData?: string,
) {
  const message = channelData === undefined
    ? `${socketId}:${channel}`
    : `${socketId}:${channel}:${channelData}`;
  const signature = createHmac("sha256", pusher.secret).update(message).digest("hex");
  return {
    auth: `${pusher.key}:${signature}`,
    ...(channelData ? { channel_data: channelData } : {}),
  };
}

/** Without `pusher`, the config points at a closed port: the app stays "connecting" and works from the DB. */
export function startFakeBackend(dist: string, pusher?: FakePusher): FakeBackend {
  const commands: unknown[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/config.json") {
        return json({
          supabaseUrl: url.origin,
          anonKey: "anon",
          pusher: pusher
            ? {
              key: pusher.key,
              cluster: "mt1",
              wsHost: pusher.host,
              wsPort: pusher.port,
              forceTLS: false,
            }
            : { key: "demo", cluster: "mt1", wsHost: "127.0.0.1", wsPort: 9, forceTLS: false },
        });
      }
      if (url.pathname === "/auth/v1/token") {
        const body = (await request.json()) as { email: string };
        return json(session(body.email.startsWith("admin") ? "admin" : "staff"));
      }
      if (url.pathname.startsWith("/rest/v1/rpc/")) {
        const name = url.pathname.slice("/rest/v1/rpc/".length);
        return name in rpc ? json(rpc[name]) : new Response(null, { status: 204 });
      }
      if (url.pathname === "/functions/v1/sync/commands" && request.method === "POST") {
        commands.push(await request.json());
        return json({
          v: 1,
          commandId: crypto.randomUUID(),
          status: "pending",
          duplicate: false,
          expiresAt: iso(900),
        });
      }
      if (url.pathname === "/functions/v1/sync/pusher/auth" && pusher) {
        if (!request.headers.get("authorization")?.startsWith("Bearer ")) {
          return json({ error: { code: "unauthorized", message: "no token" } }, 401);
        }
        const form = new URLSearchParams(await request.text());
        const socketId = form.get("socket_id") ?? "";
        const channel = form.get("channel_name") ?? "";
        const data = channel.startsWith("presence-")
          ? JSON.stringify({ user_id: `web-${crypto.randomUUID()}`, user_info: {} })
          : undefined;
        return json(signChannel(pusher, socketId, channel, data));
      }
      if (url.pathname.startsWith("/functions/")) {
        return json({ error: { code: "forbidden", message: "not in the fake backend" } }, 403);
      }
      const path = normalize(url.pathname).replace(/^(\.\.[/\\])+/, "");
      const file = Bun.file(join(dist, path === "/" ? "index.html" : path));
      return (await file.exists())
        ? new Response(file)
        : new Response(Bun.file(join(dist, "index.html")));
    },
  });
  return { url: server.url.href, commands, stop: () => void server.stop(true) };
}
