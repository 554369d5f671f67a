// Who may ask for what: one row per role × source × action × mode that is allowed; anything not listed
// is refused. The edge reads this table; migration 20261205000000_command_rules.sql seeds the same rows
// into public.command_rules, which enqueue_command enforces, and a test compares the two
// (tests/security/command-rules.test.ts), so the database cannot drift from the edge.
import type { CommandRequest } from "./commands.ts";

export type CommandRole = "admin" | "staff";

export interface CommandRule {
  role: CommandRole;
  source: "ferrawin" | "wispro";
  action: "start" | "pause" | "resume" | "cancel";
  /** The start's mode; null for pause, resume and cancel. */
  mode: string | null;
}

const FERRAWIN_MODES = ["incremental", "year", "one", "all"] as const;

export const COMMAND_RULES: readonly CommandRule[] = [
  // Admin: every sync and every control.
  ...FERRAWIN_MODES.map((mode) => ({
    role: "admin" as const,
    source: "ferrawin" as const,
    action: "start" as const,
    mode,
  })),
  { role: "admin", source: "wispro", action: "start", mode: "full" },
  ...(["ferrawin", "wispro"] as const).flatMap((source) =>
    (["pause", "resume", "cancel"] as const).map((action) => ({
      role: "admin" as const,
      source,
      action,
      mode: null,
    }))
  ),
  // Field staff: the everyday FerraWin syncs, and pause or resume them.
  { role: "staff", source: "ferrawin", action: "start", mode: "incremental" },
  { role: "staff", source: "ferrawin", action: "start", mode: "one" },
  { role: "staff", source: "ferrawin", action: "pause", mode: null },
  { role: "staff", source: "ferrawin", action: "resume", mode: null },
];

/** The mode a rule is looked up by: a start's mode, null for the controls. */
export function commandMode(command: Pick<CommandRequest, "action" | "params">): string | null {
  if (command.action !== "start") return null;
  const mode = (command.params as { mode?: unknown }).mode;
  return typeof mode === "string" ? mode : "full";
}

/** Whether a role may ask for a (schema-valid) command. */
export function isCommandAllowed(
  role: string | null,
  command: Pick<CommandRequest, "source" | "action" | "params">,
): boolean {
  const mode = commandMode(command);
  return COMMAND_RULES.some((rule) =>
    rule.role === role && rule.source === command.source && rule.action === command.action &&
    rule.mode === mode
  );
}
