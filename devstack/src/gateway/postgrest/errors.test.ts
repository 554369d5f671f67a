import { expect, test } from "bun:test";
import { responseForDatabaseError, statusForSqlState } from "./errors.ts";

test("maps SQLSTATEs the way PostgREST does", () => {
  const cases: [string, boolean, number][] = [
    ["P0001", true, 400],
    ["23503", true, 409],
    ["23505", false, 409],
    ["42501", true, 403],
    ["42501", false, 401],
    ["42883", true, 404],
    ["08006", true, 503],
    ["53300", true, 503],
    ["P0002", true, 500],
    ["XX000", true, 500],
    ["40001", true, 500],
    ["PT403", true, 403],
    ["PT409", false, 409],
    ["22P02", true, 400],
  ];
  for (const [code, authed, status] of cases) {
    expect([code, statusForSqlState(code, authed)]).toEqual([code, status]);
  }
});

test("builds the {code,message,details,hint} body", async () => {
  const response = responseForDatabaseError(
    { code: "PT422", message: "bad batch", detail: "seq", hint: undefined },
    true,
  );
  expect(response.status).toBe(422);
  expect(await response.json()).toEqual({
    code: "PT422",
    message: "bad batch",
    details: "seq",
    hint: null,
  });
});
