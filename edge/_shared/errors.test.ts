import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { apiErrorFromRpc, errorEnvelope } from "./errors.ts";

Deno.test("RPC errors map to statuses and codes a client can act on", () => {
  const cases: [string, number, number, string][] = [
    ["PT401", 401, 401, "unauthorized"],
    ["PT403", 403, 403, "forbidden"],
    ["PT404", 404, 404, "not_found"],
    ["PT409", 409, 409, "conflict"],
    ["PT422", 422, 422, "unprocessable"],
    ["23505", 409, 409, "conflict"],
    ["42501", 403, 403, "forbidden"],
    ["P0001", 400, 422, "unprocessable"],
    ["22P02", 400, 422, "unprocessable"],
    ["22001", 400, 422, "unprocessable"],
    ["22003", 400, 422, "unprocessable"],
    ["23502", 400, 422, "unprocessable"],
    ["23514", 400, 422, "unprocessable"],
    ["40001", 500, 502, "internal"],
    ["40P01", 500, 502, "internal"],
    ["57014", 500, 502, "internal"],
    ["08006", 503, 502, "internal"],
    ["XX000", 500, 502, "internal"],
    ["PGRST202", 404, 502, "internal"],
  ];
  for (const [sqlState, httpStatus, status, code] of cases) {
    const error = apiErrorFromRpc("fn", { code: sqlState, message: "m" }, httpStatus);
    assertEquals([sqlState, error.status, error.code], [sqlState, status, code]);
  }
});

Deno.test("a value the database refused is named in the message, not hidden as internal", () => {
  const error = apiErrorFromRpc("ingest_planillas", {
    code: "22001",
    message: "value too long for type character varying(64)",
  }, 400);
  assertEquals(
    error.message,
    "the database refused a value in ingest_planillas: value too long for type character varying(64) (SQLSTATE 22001)",
  );
});

Deno.test("the envelope carries issues only when there are some", () => {
  const error = apiErrorFromRpc("fn", {
    code: "PT404",
    message: "run not found",
    hint: "check the id",
  }, 404);
  assertEquals(errorEnvelope(error, "req-1"), {
    error: { code: "not_found", message: "run not found. check the id", requestId: "req-1" },
  });
});

Deno.test("a conflict the database named keeps its name; an unknown or missing detail stays conflict", () => {
  const named = apiErrorFromRpc("open_run", {
    code: "PT409",
    message: "another run of this source is active",
    details: "run_active",
    hint: "pause or cancel it first, or resume it",
  }, 409);
  assertEquals([named.status, named.code, named.message], [
    409,
    "run_active",
    "another run of this source is active. pause or cancel it first, or resume it",
  ]);
  for (const details of [null, "", "some text", "not_found"]) {
    const plain = apiErrorFromRpc(
      "ingest_planillas",
      { code: "PT409", message: "m", details },
      409,
    );
    assertEquals([details, plain.code], [details, "conflict"]);
  }
  // Only a 409 may carry a conflict's name.
  assertEquals(
    apiErrorFromRpc("fn", { code: "PT422", message: "m", details: "run_active" }, 422).code,
    "unprocessable",
  );
});
