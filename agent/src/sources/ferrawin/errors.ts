// FerraWin-specific failures. Connection and login problems are SourceUnavailable (the runner's shared
// class); a connection lost mid-extraction says where to resume; a query SQL Server refused is
// SourceQueryFailed, which retrying the same way would not fix.
import { SourceUnavailable } from "../../errors/source-unavailable.ts";

export { SourceUnavailable };

/** The connection dropped while rows were streaming; the run can resume after `lastCode`. */
export class FerrawinConnectionLost extends SourceUnavailable {
  override readonly isResumable = true;
  constructor(
    readonly endpoint: string,
    /** The last planilla code fully yielded before the drop, or null if none. */
    readonly lastCode: string | null,
    options?: { cause?: unknown },
  ) {
    super(
      "ferrawin",
      `the connection to SQL Server at ${endpoint} was lost during the extraction` +
        (lastCode ? ` (after planilla ${lastCode})` : "") +
        "; check the network and that SQL Server is running, then resume the run: it continues after " +
        "the last acknowledged planilla",
      options,
    );
  }
}

/** SQL Server answered a query with an error (tedious RequestError EREQUEST). */
export class SourceQueryFailed extends Error {
  override readonly name = "SourceQueryFailed";
  readonly code = "source_query_failed";
  constructor(
    readonly query: string,
    /** SQL Server's error number, when it gave one. */
    readonly number: number | null,
    serverMessage: string,
    options?: { cause?: unknown },
  ) {
    super(
      `ferrawin: SQL Server refused the ${query} query${
        number ? ` (error ${number})` : ""
      }: ${serverMessage}. ` +
        "Check that FERRAWIN_DATABASE names FerraWin's database and that the user can read its tables",
      options,
    );
  }
}
