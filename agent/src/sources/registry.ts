// The one place that knows which sources exist: it opens a source for a run's params (a source that is
// not configured fails the run with SourceUnavailable naming the variables to set), parses a run's
// params by its source and says where a cursor stands. The runner calls these and never asks which
// source it drives.
import { FerrawinParams, type RunCursor, type Source, WisproParams } from "@puente/protocol";
import type { z } from "zod";
import type { AgentConfig } from "../config.ts";
import { SourceUnavailable } from "../errors/source-unavailable.ts";
import { type CursorOf, forRun, type RunSource, type SyncSource } from "./source.ts";
import { createFerrawinSource } from "./ferrawin/index.ts";
import { createWisproSource } from "./wispro/source.ts";

/** What a run syncs: a source and its params, the one tied to the other. */
export type RunTarget =
  | { source: "ferrawin"; params: FerrawinParams }
  | { source: "wispro"; params: WisproParams };

/** Opens the source for a run; throws `SourceUnavailable` when it is not configured or reachable. */
export type SourceOpener = (target: RunTarget) => RunSource | Promise<RunSource>;

/** How to open each source; one left out is "not configured on this agent". */
export interface SourceFactories {
  ferrawin?: () => SyncSource<FerrawinParams, CursorOf<"ferrawin">>;
  wispro?: () => SyncSource<WisproParams, CursorOf<"wispro">>;
}

/** What a source may ask the server: the FerraWin incremental mode needs the stored fingerprints. */
export interface SourceServerAccess {
  storedFingerprints(): Promise<ReadonlyMap<string, string>>;
}

export function sourceOpener(factories: SourceFactories): SourceOpener {
  const missing = (source: Source) =>
    new SourceUnavailable(source, `${source} is not configured on this agent`);
  return (target) => {
    if (target.source === "ferrawin") {
      if (!factories.ferrawin) throw missing(target.source);
      return forRun(factories.ferrawin(), target.params);
    }
    if (!factories.wispro) throw missing(target.source);
    return forRun(factories.wispro(), target.params);
  };
}

export function createSourceOpener(
  config: AgentConfig,
  server?: SourceServerAccess,
): SourceOpener {
  return sourceOpener({
    ferrawin: () => {
      if (!config.ferrawin) {
        throw new SourceUnavailable(
          "ferrawin",
          "FerraWin is not configured on this agent: set FERRAWIN_HOST, FERRAWIN_USERNAME and " +
            "FERRAWIN_PASSWORD (puente-agent init), then restart it",
        );
      }
      return createFerrawinSource(
        config.ferrawin,
        server ? { storedFingerprints: () => server.storedFingerprints() } : {},
      );
    },
    wispro: () => {
      if (!config.wispro) {
        throw new SourceUnavailable(
          "wispro",
          "Wispro is not configured on this agent: set WISPRO_API_TOKEN (puente-agent init), then restart it",
        );
      }
      return createWisproSource(config.wispro);
    },
  });
}

/** A start command's source and params, as the protocol parsed them. */
export function targetOfStart(
  parsed: { kind: "ferrawin"; params: FerrawinParams } | { kind: "wispro"; params: WisproParams },
): RunTarget {
  return parsed.kind === "ferrawin"
    ? { source: "ferrawin", params: parsed.params }
    : { source: "wispro", params: parsed.params };
}

/** A reopened run's params: the server's when they parse, else this agent's saved ones. */
export function targetOfRun(
  source: Source,
  stored: Record<string, unknown>,
  saved: Record<string, unknown> | null,
): RunTarget {
  const parse = <T>(schema: z.ZodType<T>): T => {
    const fromServer = schema.safeParse(stored);
    return fromServer.success ? fromServer.data : schema.parse(saved ?? stored);
  };
  return source === "ferrawin"
    ? { source, params: parse(FerrawinParams) }
    : { source, params: parse(WisproParams) };
}

/** Where a cursor stands, for the log: "planilla 2024-0012", "page 3". */
export function describeCursor(cursor: RunCursor): string {
  return cursor.source === "ferrawin" ? `planilla ${cursor.lastCode}` : `page ${cursor.lastPage}`;
}
