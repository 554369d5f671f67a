import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { createTestApp, ScriptedRpcError } from "../testing.ts";

Deno.test("GET /health reports version and a reachable database, with a request id", async () => {
  const { request, calls, logs } = createTestApp();
  const response = await request("/health");
  assertEquals(response.status, 200);
  const body = await response.json();
  assertEquals([body.ok, body.version, body.db.reachable], [true, "test", true]);
  assertEquals(calls.map((c) => [c.fn, c.as]), [["health", "anon"]]);
  const id = response.headers.get("x-request-id") ?? "";
  match(id, /^[0-9a-f-]{36}$/);
  assertEquals(logs.at(-1)?.requestId, id);
  assertEquals(logs.at(-1)?.status, 200);
});

Deno.test("GET /health is 503 when the database does not answer", async () => {
  const { request } = createTestApp({
    health: () => {
      throw new ScriptedRpcError({ code: "08006", message: "connection refused" }, 503);
    },
  });
  const response = await request("/health", { headers: { "x-request-id": "caller-chosen-id-1" } });
  assertEquals(response.status, 503);
  assertEquals((await response.json()).db.reachable, false);
  assertEquals(response.headers.get("x-request-id"), "caller-chosen-id-1");
});

Deno.test("CORS preflight and unknown routes", async () => {
  const { request } = createTestApp();
  const preflight = await request("/commands", {
    method: "OPTIONS",
    headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" },
  });
  assertEquals(preflight.status, 204);
  match(
    preflight.headers.get("access-control-allow-headers") ?? "",
    /authorization.*apikey.*content-type/,
  );
  const missing = await request("/nope");
  assertEquals(missing.status, 404);
  const body = await missing.json();
  assertEquals(body.error.code, "not_found");
  assertEquals(body.error.requestId, missing.headers.get("x-request-id"));
});
