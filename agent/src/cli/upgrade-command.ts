// `upgrade`'s command line: which executable to replace, and the service to stop and start around it.
import { isCompiled } from "../config.ts";
import { serviceCommand } from "./service.ts";
import { upgradeAgent, UpgradeRefused } from "./upgrade.ts";
import { t } from "../i18n/i18n.ts";

export interface UpgradeFlags {
  source: string;
  installed?: string;
  name?: string;
  platform?: string;
  noService: boolean;
  envFile: string | null;
}

export function upgradeCommand(flags: UpgradeFlags): number {
  const installed = flags.installed ?? (isCompiled() ? process.execPath : null);
  if (!installed) {
    console.error(t("upgrade.notInstalled"));
    return 2;
  }
  const control = (action: "start" | "stop") => () => {
    if (flags.noService) return;
    const code = serviceCommand({
      action,
      print: false,
      name: flags.name,
      platform: flags.platform,
      envFile: flags.envFile,
    });
    if (code !== 0) throw new Error(t("upgrade.serviceFailed", { action, code }));
  };
  try {
    upgradeAgent({
      source: flags.source,
      installed,
      service: { stop: control("stop"), start: control("start") },
    });
    return 0;
  } catch (error) {
    if (error instanceof UpgradeRefused) {
      console.error(t("upgrade.refused", { reason: error.message }));
      return 1;
    }
    throw error;
  }
}
