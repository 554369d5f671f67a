// Configuration of the standalone Pusher stand-in, from flags first and then environment
// variables, validated once; unset credentials get throwaway random values.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_ACTIVITY_TIMEOUT_S, type PusherServerOptions } from "./server.ts";

export class PusherConfigInvalid extends Error {
  override name = "PusherConfigInvalid";
}

const ConfigSchema = z.object({
  appId: z.string().min(1),
  key: z.string().min(1),
  secret: z.string().min(1),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  activityTimeoutS: z.coerce.number().positive(),
});

export const CONFIG_HELP = `Flags (or environment variables):
  --app-id  (PUSHER_APP_ID)              default a random id
  --key     (PUSHER_KEY)                 default a random key
  --secret  (PUSHER_SECRET)              default a random secret
  --host    (PUSHER_HOST)                default 127.0.0.1
  --port    (PUSHER_PORT)                default 0, a free port
  --activity-timeout (PUSHER_ACTIVITY_TIMEOUT_S)  seconds, default 120 (Pusher cloud's)`;

export function loadPusherConfig(
  argv: string[],
  env: Record<string, string | undefined>,
): Required<Omit<PusherServerOptions, "pongTimeoutS">> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "app-id": { type: "string" },
        key: { type: "string" },
        secret: { type: "string" },
        host: { type: "string" },
        port: { type: "string" },
        "activity-timeout": { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new PusherConfigInvalid(`${(error as Error).message}\n${CONFIG_HELP}`);
  }
  const parsed = ConfigSchema.safeParse({
    appId: values["app-id"] ?? env.PUSHER_APP_ID ?? String(randomBytes(3).readUIntBE(0, 3)),
    key: values.key ?? env.PUSHER_KEY ?? randomBytes(10).toString("hex"),
    secret: values.secret ?? env.PUSHER_SECRET ?? randomBytes(10).toString("hex"),
    host: values.host ?? env.PUSHER_HOST ?? "127.0.0.1",
    port: values.port ?? env.PUSHER_PORT ?? 0,
    activityTimeoutS: values["activity-timeout"] ?? env.PUSHER_ACTIVITY_TIMEOUT_S ??
      DEFAULT_ACTIVITY_TIMEOUT_S,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.join(".")}: ${issue.message}`
    );
    throw new PusherConfigInvalid(
      `Invalid Pusher stand-in configuration: ${problems.join("; ")}\n${CONFIG_HELP}`,
    );
  }
  return parsed.data;
}
