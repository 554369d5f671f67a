// POST /agent/runs/:id/batches: validate one batch against the protocol, then one set-based RPC upserts it
// in one transaction. Replaying a (run, seq) returns the first answer and changes nothing.
// A customers batch then opens the portal accounts of the customers it created, when the policy
// asks for them (idempotent too, so a replay finishes what an interrupted first try began).
import { Hono } from "hono";
import { type BatchResult, IngestBatch } from "../../../../protocol/src/index.ts";
import { readJson } from "../../../_shared/body.ts";
import { openPortalAccounts } from "../../../_shared/portal-accounts.ts";
import type { SyncEnv } from "../../context.ts";
import { requireAgent } from "../../middleware/require-agent.ts";
import { runIdParam } from "./run-id.ts";

const INGEST_FUNCTION = { planillas: "ingest_planillas", customers: "ingest_customers" } as const;

export const batches = new Hono<SyncEnv>().post(
  "/agent/runs/:id/batches",
  requireAgent,
  async (c) => {
    const runId = runIdParam(c.req.param("id"));
    const batch = await readJson(c.req.raw, IngestBatch, c.var.deps.maxBodyBytes);
    const result = await c.var.agentRpc.call<BatchResult>(INGEST_FUNCTION[batch.kind], {
      p_agent_key: c.var.agent.key,
      p_run_id: runId,
      p_seq: batch.seq,
      p_batch: batch,
    });
    const admin = c.var.deps.portalAccounts;
    if (batch.kind === "customers" && admin) {
      const accounts = await openPortalAccounts({
        rpc: c.var.agentRpc,
        admin,
        agentKey: c.var.agent.key,
        runId,
        wisproIds: batch.customers.map((customer) => customer.wispro_id),
      });
      c.var.log("info", "portal accounts", { runId, seq: batch.seq, ...accounts });
    }
    return c.json(result);
  },
);
