// Public surface of the SQL Server stand-in: the server and the executor contract it delegates to.

export { type SqlServerHandle, type SqlServerOptions, startSqlServer } from "./server.ts";
export type { ServerStats } from "./session.ts";
export {
  type ColumnSpec,
  type ParamValue,
  type QueryResult,
  type SqlExecutor,
  SqlServerError,
  type SqlType,
} from "./executor.ts";
