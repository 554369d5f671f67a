import { expect, test } from "bun:test";
import { responseForDatabaseError, statusForSqlState } from "./errors.ts";

test("maps SQLSTATEs as PostgREST's mapSQLtoHTTP does", () => {
  const cases: [code: string, authenticated: boolean, status: number, message?: string][] = [
    ["P0001", true, 400],
    ["23503", true, 409],
    ["23505", false, 409],
    ["42501", true, 403],
    ["42501", false, 401],
    ["42883", true, 404],
    ["42883", true, 406, "function xmlagg(integer) does not exist"],
    ["42P01", true, 404],
    ["42P17", true, 500],
    ["08006", true, 503],
    ["09000", true, 500],
    ["0L000", true, 403],
    ["0P000", true, 403],
    ["53300", true, 503],
    ["53400", true, 500],
    ["57P01", true, 503],
    ["57014", true, 500],
    ["21000", true, 500, "more than one row returned by a subquery used as an expression"],
    ["21000", true, 400, "DELETE requires a WHERE clause"],
    ["22023", true, 401, 'role "nobody" does not exist'],
    ["22023", true, 400, "invalid value for parameter"],
    ["25006", true, 405],
    ["25P02", true, 500],
    ["28000", true, 403],
    ["28P01", false, 403],
    ["2D000", true, 500],
    ["40001", true, 500],
    ["54001", true, 500],
    ["55P03", true, 500],
    ["58000", true, 500],
    ["F0000", true, 500],
    ["HV000", true, 500],
    ["P0002", true, 500],
    ["XX000", true, 500],
    ["PT403", true, 403],
    ["PT409", false, 409],
    ["22P02", true, 400],
    ["23514", true, 400],
  ];
  for (const [code, authenticated, status, message] of cases) {
    expect([code, message, statusForSqlState(code, authenticated, message)]).toEqual([
      code,
      message,
      status,
    ]);
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

test("a 401 asks for a bearer, as PostgREST does", () => {
  const response = responseForDatabaseError({ code: "42501", message: "denied" }, false);
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe("Bearer");
});
