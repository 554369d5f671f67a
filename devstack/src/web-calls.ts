// What the web panel does against a running devstack, for scripts that drive it without a browser (the
// agent binary's smoke test, the latency bench): sign in a demo user, and enqueue a command for the
// stack's agent through the edge API.
import type { ReadyInfo } from "./stack.ts";

/** Signs in a demo user through the gateway's GoTrue endpoint; returns the access token. */
export async function signInAs(info: ReadyInfo, who: "admin" | "staff"): Promise<string> {
  const answer = await fetch(`${info.supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: info.anonKey, "content-type": "application/json" },
    body: JSON.stringify(info.users[who]),
  });
  const body = await answer.json() as { access_token?: string };
  if (!answer.ok || !body.access_token) {
    throw new Error(`sign-in as ${who} answered ${answer.status}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

/** POSTs a new command (fresh request id) for the stack's agent, as the panel does; the raw answer. */
export function postCommand(
  info: ReadyInfo,
  token: string,
  command: { source: "ferrawin" | "wispro"; action: string; params: Record<string, unknown> },
): Promise<Response> {
  return fetch(`${info.functionsUrl}/commands`, {
    method: "POST",
    headers: {
      apikey: info.anonKey,
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ requestId: crypto.randomUUID(), agentId: info.agent.id, ...command }),
  });
}
