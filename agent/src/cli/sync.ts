// `sync <ferrawin|wispro>`: one run from this terminal, without a command: a progress bar while it runs,
// a summary table at the end. Ctrl-C cancels at the next batch boundary.
import { FerrawinParams, formatIssues, WisproParams } from "@puente/protocol";
import type { AgentConfig } from "../config.ts";
import { AgentError } from "../errors/agent-error.ts";
import { EXIT_CANCELLED, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../exit-codes.ts";
import { acquireLock } from "../lock.ts";
import { lockPath } from "../paths.ts";
import type { RunSnapshot, StartRequest } from "../run/runner.ts";
import type { Logger } from "../status/log.ts";
import { wireAgent } from "../wiring.ts";
import { renderProgressLine, renderSummary } from "./progress-bar.ts";
import { t } from "../i18n/i18n.ts";

export class UsageError extends AgentError {
  override readonly name = "UsageError";
  readonly code = "usage";
  override readonly exitCode = EXIT_USAGE;
}

/** Turns `sync`'s arguments into the run to start, validated by the protocol's schemas. */
export function startRequestFromFlags(
  source: string | undefined,
  values: Record<string, string | boolean | undefined>,
): StartRequest {
  const text = (name: string) => (typeof values[name] === "string" ? values[name] : undefined);
  if (source === "wispro") {
    const parsed = WisproParams.safeParse({ mode: text("mode") ?? "full" });
    if (!parsed.success) throw new UsageError(`wispro: ${formatIssues(parsed.error)}`);
    return { source: "wispro", params: parsed.data };
  }
  if (source !== "ferrawin") {
    throw new UsageError(t("sync.unknownSource", { source: source ?? "" }));
  }
  const mode = text("mode") ?? (text("code") ? "one" : text("year") ? "year" : "incremental");
  const year = text("year");
  const candidate: Record<string, unknown> = { mode };
  if (mode === "year") {
    candidate.year = year === undefined ? undefined : Number(year);
    if (text("from-code")) candidate.fromCode = text("from-code");
  } else if (mode === "one") {
    candidate.code = text("code");
  }
  for (
    const [flag, usedBy] of [["year", "year"], ["from-code", "year"], ["code", "one"]] as const
  ) {
    if (text(flag) !== undefined && mode !== usedBy) {
      throw new UsageError(t("sync.flagNotForMode", { flag, mode: usedBy }));
    }
  }
  const parsed = FerrawinParams.safeParse(candidate);
  if (!parsed.success) {
    const hint = mode === "year" && year === undefined
      ? t("sync.yearNeedsYear")
      : mode === "one" && !text("code")
      ? t("sync.oneNeedsCode")
      : "";
    throw new UsageError(`ferrawin: ${formatIssues(parsed.error)}${hint}`);
  }
  return { source: "ferrawin", params: parsed.data };
}

export async function syncCommand(
  config: AgentConfig,
  logger: Logger,
  request: StartRequest,
  options: { json: boolean },
): Promise<number> {
  const lock = acquireLock(lockPath(config));
  const isTty = Boolean(process.stderr.isTTY);
  let lastDraw = 0;
  const draw = (snapshot: RunSnapshot, isFinal = false) => {
    const now = Date.now();
    if (!isTty || (!isFinal && now - lastDraw < 100)) return;
    lastDraw = now;
    process.stderr.write(`\r\x1b[2K${renderProgressLine(snapshot, process.stderr.columns ?? 80)}`);
  };
  const { runner } = wireAgent(config, logger, { onUpdate: draw });
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT_CANCELLED);
    process.stderr.write(`\n${t("sync.cancelling")}\n`);
    void runner.cancel();
  };
  process.on("SIGINT", onInterrupt);
  logger.echo = !isTty;
  try {
    const outcome = await runner.start(request);
    draw(outcome, true);
    if (isTty) process.stderr.write("\n");
    console.log(options.json ? JSON.stringify(outcome, null, 2) : renderSummary(outcome));
    return outcome.status === "completed"
      ? EXIT_OK
      : outcome.status === "cancelled"
      ? EXIT_CANCELLED
      : EXIT_FAILURE;
  } finally {
    process.off("SIGINT", onInterrupt);
    lock.release();
  }
}
