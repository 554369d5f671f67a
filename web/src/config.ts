// Runtime configuration: read /config.json at start so one static build serves any deployment.
import { z } from "zod";

export const RuntimeConfig = z.object({
  supabaseUrl: z.url(),
  anonKey: z.string().min(1),
  pusher: z.object({
    key: z.string().min(1),
    cluster: z.string().default("mt1"),
    wsHost: z.string().optional(),
    wsPort: z.coerce.number().int().positive().optional(),
    forceTLS: z.boolean().default(true),
  }),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;

/** The config file could not be read or is incomplete; the message says which field. */
export class ConfigUnavailable extends Error {
  override readonly name = "ConfigUnavailable";
}

type Env = Record<string, string | boolean | undefined>;

/** Builds a config from VITE_* variables, the fallback when /config.json is missing. */
export function configFromEnv(env: Env): unknown {
  const s = (name: string) => {
    const value = env[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  return {
    supabaseUrl: s("VITE_SUPABASE_URL"),
    anonKey: s("VITE_SUPABASE_ANON_KEY"),
    pusher: {
      key: s("VITE_PUSHER_KEY"),
      cluster: s("VITE_PUSHER_CLUSTER"),
      wsHost: s("VITE_PUSHER_HOST"),
      wsPort: s("VITE_PUSHER_PORT"),
      forceTLS: s("VITE_PUSHER_FORCE_TLS") !== "false",
    },
  };
}

export async function loadRuntimeConfig(
  fetchFn: typeof fetch,
  env: Env,
): Promise<RuntimeConfig> {
  let fromFile: unknown = null;
  try {
    const response = await fetchFn("/config.json", { cache: "no-store" });
    if (response.ok) fromFile = await response.json();
  } catch {
    // No config.json (e.g. `vite dev`): the VITE_* variables below are the fallback.
  }
  const parsed = RuntimeConfig.safeParse(fromFile ?? configFromEnv(env));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigUnavailable(
      `config: ${first?.path.join(".") ?? "?"}: ${first?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** The badge the old monitor showed: which database this panel writes to. */
export function isLocalTarget(supabaseUrl: string): boolean {
  const host = new URL(supabaseUrl).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "::1" || host.endsWith(".local");
}
