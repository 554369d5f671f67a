import { describe, expect, test } from "bun:test";
import { ApiError, classifyLogError, explainError, planillaNear } from "./errors.ts";

describe("explainError", () => {
  test("offline: the device says so, or fetch failed", () => {
    expect(explainError(new ApiError("conflict", "x", 409), false)).toBe("offline");
    expect(explainError(new TypeError("Failed to fetch"))).toBe("offline");
    expect(explainError(new ApiError("offline", "network down"))).toBe("offline");
  });
  test("SQL Server unreachable, from a run error or a message", () => {
    expect(
      explainError({
        code: "source_unavailable",
        message: "FerraWin SQL Server at 10.0.0.5:1433 is unreachable",
      }),
    ).toBe("sqlserverUnreachable");
    expect(explainError({ code: "ESOCKET", message: "Failed to connect to 10.0.0.5:1433" })).toBe(
      "sqlserverUnreachable",
    );
  });
  test("wrong agent key", () => {
    expect(explainError({ code: "unauthorized", message: "unknown or revoked agent key" })).toBe(
      "agentKeyInvalid",
    );
    expect(explainError({ code: "AgentKeyInvalid", message: "key refused" })).toBe(
      "agentKeyInvalid",
    );
  });
  test("Wispro token refused, even when it says 401", () => {
    expect(explainError({ code: "wispro_unauthorized", message: "Wispro answered status 401" }))
      .toBe("wisproTokenRefused");
    expect(explainError({ code: "source_unavailable", message: "Wispro refused the token" })).toBe(
      "wisproTokenRefused",
    );
  });
  test("conflict from the edge, PostgREST or the Spanish message", () => {
    expect(explainError(new ApiError("conflict", "another run is active", 409))).toBe("conflict");
    expect(explainError({ code: "PT409", message: "agent has an active run" })).toBe("conflict");
    expect(explainError({ message: "ya hay una sincronización en curso" })).toBe("conflict");
  });
  test("HTTP statuses map to their kinds", () => {
    expect(explainError(new ApiError("unauthorized", "invalid JWT", 401))).toBe("sessionExpired");
    expect(explainError({ code: "PT403", message: "staff may not" })).toBe("forbidden");
    expect(explainError(new ApiError("not_found", "no such run", 404))).toBe("notFound");
    expect(explainError(new ApiError("validation_failed", "params.code: invalid", 400))).toBe(
      "invalidInput",
    );
    expect(explainError({ code: "PT422", message: "bad params" })).toBe("invalidInput");
    expect(explainError(new ApiError("rate_limited", "slow down", 429))).toBe("rateLimited");
    expect(explainError(new ApiError("internal", "boom", 500))).toBe("server");
    expect(explainError("weird")).toBe("server");
  });
});

describe("log errors as the old monitor classified them", () => {
  test("timeout, auth, server", () => {
    expect(classifyLogError("batch 12 timed out after 30 s")).toBe("timeout");
    expect(classifyLogError("edge answered 401 unauthorized")).toBe("auth");
    expect(classifyLogError("edge answered 500")).toBe("server");
  });
  test("finds the planilla a line is near", () => {
    expect(planillaNear("batch failed near 2026-000886 (ACME)")).toBe("2026-000886");
    expect(planillaNear("no code here")).toBeNull();
  });
});
