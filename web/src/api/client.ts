// The app's only door to the backend: supabase-js for auth and read RPCs, fetch for edge commands.
import { createClient, type Session, type SupabaseClient } from "@supabase/supabase-js";
import { CommandAccepted, CommandRequest, ErrorEnvelope } from "@puente/protocol";
import { z } from "zod";
import type { RuntimeConfig } from "../config.ts";
import { ApiError } from "./errors.ts";
import {
  CreatedAgent,
  type HistoryRun,
  RunDetail,
  RunList,
  ScheduleRow,
  SyncOverview,
  YearRow,
} from "./rpc-shapes.ts";

export type Role = "admin" | "staff";

/** A command as the screen asks for it; ids and protocol version are filled in here. */
export type CommandInput = z.input<typeof CommandRequest> extends infer C
  ? C extends unknown ? Omit<C, "requestId" | "v"> : never
  : never;

export function roleOf(session: Session | null): Role | null {
  const role = session?.user.app_metadata?.role;
  return role === "admin" || role === "staff" ? role : null;
}

export interface RunFilters {
  source?: string | null;
  status?: string | null;
  agentId?: string | null;
  limit?: number;
}

export class Api {
  readonly supabase: SupabaseClient;
  readonly functionsUrl: string;

  constructor(readonly config: RuntimeConfig) {
    this.supabase = createClient(config.supabaseUrl, config.anonKey, {
      auth: { persistSession: true, autoRefreshToken: true },
    });
    this.functionsUrl = `${config.supabaseUrl.replace(/\/$/, "")}/functions/v1/sync`;
  }

  async accessToken(): Promise<string> {
    const { data } = await this.supabase.auth.getSession();
    const token = data.session?.access_token;
    if (!token) throw new ApiError("unauthorized", "no session", 401);
    return token;
  }

  async rpc<T>(
    name: string,
    args: Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Promise<T> {
    let result;
    try {
      result = await this.supabase.rpc(name, args);
    } catch (error) {
      throw new ApiError("offline", error instanceof Error ? error.message : String(error));
    }
    if (result.error) {
      const e = result.error as { code?: string; message: string };
      throw new ApiError(e.code ?? "internal", e.message, result.status ?? null);
    }
    const parsed = schema.safeParse(result.data);
    if (!parsed.success) {
      throw new ApiError(
        "internal",
        `${name}: unexpected answer (${parsed.error.issues[0]?.message})`,
      );
    }
    return parsed.data;
  }

  syncOverview(): Promise<SyncOverview> {
    return this.rpc("sync_overview", {}, SyncOverview);
  }

  listRuns(filters: RunFilters = {}): Promise<HistoryRun[]> {
    return this.rpc("list_runs", {
      p_source: filters.source ?? null,
      p_status: filters.status ?? null,
      p_agent_id: filters.agentId ?? null,
      p_limit: filters.limit ?? 50,
    }, RunList);
  }

  runDetail(runId: string): Promise<RunDetail> {
    return this.rpc("run_detail", { p_run_id: runId }, RunDetail);
  }

  yearStatus(year: number): Promise<YearRow> {
    return this.rpc("year_status", { p_year: year }, YearRow);
  }

  createAgent(name: string): Promise<CreatedAgent> {
    return this.rpc("create_agent", { p_name: name }, CreatedAgent);
  }

  async revokeAgent(agentId: string): Promise<void> {
    await this.rpc("revoke_agent", { p_agent_id: agentId }, z.unknown());
  }

  setSchedule(
    agentId: string,
    source: string,
    intervalMinutes: number | null,
  ): Promise<ScheduleRow> {
    return this.rpc("set_schedule", {
      p_agent_id: agentId,
      p_source: source,
      p_interval_minutes: intervalMinutes,
    }, ScheduleRow);
  }

  /** `POST /commands`: validated against the protocol before it leaves the browser. */
  async sendCommand(input: CommandInput): Promise<CommandAccepted> {
    const body = CommandRequest.parse({ ...input, requestId: crypto.randomUUID() });
    const token = await this.accessToken();
    let response: Response;
    try {
      response = await fetch(`${this.functionsUrl}/commands`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${token}`,
          apikey: this.config.anonKey,
        },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError("offline", error instanceof Error ? error.message : String(error));
    }
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const envelope = ErrorEnvelope.safeParse(json);
      if (envelope.success) {
        const e = envelope.data.error;
        throw new ApiError(e.code, e.message, response.status, e.issues ?? []);
      }
      throw new ApiError("internal", `HTTP ${response.status}`, response.status);
    }
    return CommandAccepted.parse(json);
  }
}
