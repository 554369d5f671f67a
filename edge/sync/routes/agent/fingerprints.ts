// POST /agent/fingerprints: the stored fingerprint of every planilla, so the agent's incremental mode
// sends only what is new or changed (and not again what was rejected at the same fingerprint).
import { Hono } from "hono";
import { FingerprintsRequest, type FingerprintsResponse } from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { BODY_LIMITS } from "../../../_shared/body-limits.ts";
import type { SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";

export const fingerprints = new Hono<SyncEnv>().post(
  "/agent/fingerprints",
  requireAgent,
  async (c) => {
    const request = await readJson(c.req.raw, FingerprintsRequest, BODY_LIMITS.fingerprints);
    const stored = await c.var.agentRpc.call<Record<string, string> | null>(
      "planilla_fingerprints",
      {
        p_agent_key: c.var.agent.key,
        p_year: request.year,
      },
    );
    const answer: FingerprintsResponse = { v: 1, fingerprints: stored ?? {} };
    return c.json(answer);
  },
);
