// The edge stays within a hosted worker's 256 MB: the request that once raised the sync function's peak
// memory from 80 MB to 1.4 GB (a 20 KB gzip body inflating to 20 MB of nested arrays, sent to /commands)
// is now refused after a few KiB: 403 before any read for an account with no Puente role, 413 at the
// route's limit for staff. The function runs under Deno as on the devstack; its peak resident memory
// (VmHWM, Linux) is read from /proc after the requests.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { type EdgeProcess, startEdge } from "../../devstack/src/gateway/edge-process.ts";
import { signJwt } from "../../devstack/src/gateway/jwt.ts";
import { freePort } from "../../devstack/src/postgres/system-cluster.ts";

const SECRET = "edge-memory-test-secret-with-32-characters";
const HOSTED_MEMORY_MB = 256;
let edge: EdgeProcess;

beforeAll(async () => {
  edge = await startEdge({
    port: await freePort(),
    output: "capture",
    env: {
      // Nothing on this path reaches the database or Pusher: the caller is refused first.
      SUPABASE_URL: "http://127.0.0.1:9",
      SUPABASE_ANON_KEY: "sb_publishable_unused",
      SUPABASE_SERVICE_ROLE_KEY: "sb_secret_unused",
      PUENTE_JWT_SECRET: SECRET,
      PUSHER_APP_ID: "1",
      PUSHER_KEY: "k",
      PUSHER_SECRET: "s",
      PUSHER_HOST: "127.0.0.1",
      PUSHER_PORT: "9",
      PUENTE_WEB_ORIGIN: "*",
    },
  });
}, 90_000);

afterAll(async () => {
  await edge?.stop();
});

/** Peak resident memory of the edge process so far, in MB. */
function peakMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kb / 1024;
}

function token(role: "staff" | null): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({
    aud: "authenticated",
    role: "authenticated",
    sub: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    app_metadata: role ? { role } : {},
  }, SECRET);
}

/** A valid command's opening, then 20 MB of `[`: about 20 KB once gzipped. */
function nestedArrayBomb(): Uint8Array<ArrayBuffer> {
  const head = `{"requestId":"${crypto.randomUUID()}","agentId":"${crypto.randomUUID()}",` +
    `"source":"ferrawin","action":"start","params":{"mode":"incremental","x":`;
  return new Uint8Array(
    gzipSync(Buffer.concat([Buffer.from(head), Buffer.alloc(20 * 1024 * 1024, "[")]), { level: 9 }),
  );
}

test(
  "the 20 KB gzip body: 403 without a role, 413 for staff, and the edge's peak memory stays under 256 MB",
  async () => {
    const bomb = nestedArrayBomb();
    expect(bomb.byteLength).toBeLessThan(32 * 1024);
    const send = (role: "staff" | null) =>
      fetch(`${edge.url}/sync/commands`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token(role)}`,
          "content-type": "application/json",
          "content-encoding": "gzip",
        },
        body: bomb,
      });
    const startedMb = peakMb(edge.pid);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const role of [null, "staff"] as const) {
        const response = await send(role);
        const body = await response.json() as { error?: { code?: string } };
        answers.push(`${role ?? "no role"}: ${response.status} ${body.error?.code}`);
      }
    }
    const peak = peakMb(edge.pid);
    console.log(
      `edge peak memory: ${Math.round(startedMb)} MB after start, ${Math.round(peak)} MB after`,
    );
    expect(answers).toEqual(
      Array(3).fill(["no role: 403 forbidden", "staff: 413 payload_too_large"]).flat(),
    );
    expect(peak).toBeLessThan(HOSTED_MEMORY_MB);
  },
  60_000,
);
