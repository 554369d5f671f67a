// POST /commands: a person asks an agent to start, pause, resume or cancel a sync. The role decides which
// actions are allowed; the database stores the command idempotently; Pusher rings the agent's doorbell.
import { Hono } from "hono";
import {
  Channels,
  type CommandAccepted,
  CommandRequest,
  EventNames,
  isCommandAllowed,
} from "../../../protocol/src/index.ts";
import type { UserRole } from "../../_shared/auth.ts";
import { readJson } from "../../_shared/body.ts";
import { BODY_LIMITS } from "../../_shared/body-limits.ts";
import { ApiError } from "../../_shared/errors.ts";
import { notify, type SyncEnv } from "../context.ts";
import { requireUser } from "../middleware/require-user.ts";

/**
 * Admin may do everything; staff may start FerraWin new+modified or one planilla, pause and resume
 * them. The rows live in protocol's COMMAND_RULES, which the database's command_rules table mirrors.
 */
export function mayRequest(
  role: UserRole | null,
  command: CommandRequest,
): boolean {
  return isCommandAllowed(role, command);
}

export const commands = new Hono<SyncEnv>().post(
  "/commands",
  requireUser,
  async (c) => {
    const user = c.var.user;
    // A person without a Puente role may ask for nothing: refused before the body is read, as the
    // database refuses it before looking at the command.
    if (user.role === null) {
      throw new ApiError(
        403,
        "forbidden",
        "your account has no Puente role; ask an admin to give you one",
      );
    }
    const command = await readJson(
      c.req.raw,
      CommandRequest,
      BODY_LIMITS.commands,
    );
    if (!mayRequest(user.role, command)) {
      throw new ApiError(
        403,
        "forbidden",
        `a ${user.role} may not ${command.action} ${command.source} syncs${
          command.action === "start" && "mode" in command.params
            ? ` in mode ${command.params.mode}`
            : ""
        }`,
      );
    }
    const accepted = await c.var.deps.db.asUser(user.jwt).call<CommandAccepted>(
      "enqueue_command",
      {
        p_request_id: command.requestId,
        p_agent_id: command.agentId,
        p_source: command.source,
        p_action: command.action,
        p_params: command.params,
      },
    );
    if (accepted.status === "pending") {
      await notify(
        c,
        Channels.agent(command.agentId),
        EventNames.commandAvailable,
        {
          commandId: accepted.commandId,
        },
      );
    }
    return c.json(accepted, accepted.duplicate ? 200 : 201);
  },
);
