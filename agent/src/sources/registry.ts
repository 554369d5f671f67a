// Opens a source by name from the agent's configuration; the runner calls it once per run.
// A source that is not configured fails the run with SourceUnavailable naming the variables to set.
import type { Source } from "@puente/protocol";
import type { AgentConfig } from "../config.ts";
import { SourceUnavailable } from "../errors/source-unavailable.ts";
import type { SyncSource } from "./source.ts";
import { createFerrawinSource } from "./ferrawin/index.ts";
import { createWisproSource } from "./wispro-source.ts";

/** What a source may ask the server: the FerraWin incremental mode needs the stored fingerprints. */
export interface SourceServerAccess {
  storedFingerprints(): Promise<ReadonlyMap<string, string>>;
}

export function createSourceOpener(
  config: AgentConfig,
  server?: SourceServerAccess,
): (source: Source) => SyncSource {
  return (source) => {
    if (source === "ferrawin") {
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
    }
    if (!config.wispro) {
      throw new SourceUnavailable(
        "wispro",
        "Wispro is not configured on this agent: set WISPRO_API_TOKEN (puente-agent init), then restart it",
      );
    }
    return createWisproSource(config.wispro);
  };
}
