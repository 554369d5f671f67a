-- Who may call what, and who owns the functions that write. Hosted Supabase's default privileges
-- give anon, authenticated and service_role EXECUTE on every function `postgres` creates in public,
-- and Postgres gives PUBLIC EXECUTE on every function: so every function starts with no execute
-- privilege at all, then each gets exactly the callers the RPC contract names.
-- supabase/tests/008_privileges.sql checks the result over the catalog, so a new function or table
-- cannot slip past.

revoke execute on all functions in schema public from public, anon, authenticated, service_role;
revoke execute on all functions in schema private from public, anon, authenticated, service_role;

-- The writes run as puente_writer, which RLS governs (no BYPASSRLS, no superuser). ALTER ... OWNER
-- requires the new owner to hold CREATE on the function's schema; a superuser skips that check,
-- hosted Supabase's `postgres` does not. The writer holds it only while it takes the functions over.
grant create on schema public, private to puente_writer;
alter function public.mark_stalled_runs() owner to puente_writer;
alter function public.authenticate_agent(text) owner to puente_writer;
alter function public.agent_heartbeat(text, jsonb) owner to puente_writer;
alter function public.claim_commands(text, integer) owner to puente_writer;
alter function private.claim_pending_commands(text, integer) owner to puente_writer;
alter function public.open_run(text, jsonb) owner to puente_writer;
alter function private.open_new_or_resumed_run(text, jsonb) owner to puente_writer;
alter function public.report_progress(text, uuid, jsonb) owner to puente_writer;
alter function public.finish_run(text, uuid, jsonb) owner to puente_writer;
alter function public.planilla_fingerprints(text, integer) owner to puente_writer;
alter function public.ingest_planillas(text, uuid, integer, jsonb) owner to puente_writer;
alter function private.invalid_planillas(jsonb, private.planilla_in[]) owner to puente_writer;
alter function public.ingest_customers(text, uuid, integer, jsonb) owner to puente_writer;
alter function public.claim_portal_accounts(text, uuid, jsonb) owner to puente_writer;
alter function public.settle_portal_accounts(text, uuid, jsonb) owner to puente_writer;
alter function public.enqueue_command(uuid, uuid, text, text, jsonb) owner to puente_writer;
alter function private.enqueue_command_locked(uuid, uuid, text, text, jsonb) owner to puente_writer;
alter function public.create_agent(text) owner to puente_writer;
alter function public.revoke_agent(uuid) owner to puente_writer;
alter function public.set_schedule(uuid, text, integer) owner to puente_writer;
alter function private.reject_payloads(uuid) owner to puente_writer;
revoke create on schema public, private from puente_writer;

-- Everyone.
grant execute on function public.health() to anon, authenticated, service_role;

-- Web users (the functions check admin/staff themselves).
grant execute on function public.enqueue_command(uuid, uuid, text, text, jsonb), public.sync_overview(),
  public.list_runs(text, text, uuid, integer, timestamptz), public.run_detail(uuid),
  public.year_status(integer), public.create_agent(text), public.revoke_agent(uuid),
  public.set_schedule(uuid, text, integer), public.mark_stalled_runs()
  to authenticated;

-- The edge, after it checked an agent key.
grant execute on function public.authenticate_agent(text), public.claim_commands(text, integer),
  public.agent_heartbeat(text, jsonb), public.open_run(text, jsonb),
  public.report_progress(text, uuid, jsonb), public.finish_run(text, uuid, jsonb),
  public.ingest_planillas(text, uuid, integer, jsonb), public.ingest_customers(text, uuid, integer, jsonb),
  public.planilla_fingerprints(text, integer), public.mark_stalled_runs(),
  public.claim_portal_accounts(text, uuid, jsonb), public.settle_portal_accounts(text, uuid, jsonb)
  to service_role;

-- Helpers: the invoker read RPCs (as authenticated) and the definer RPCs (as puente_writer) use them.
grant execute on function private.jwt_claims(), private.app_role(), private.require_role(text[]),
  private.iso(timestamptz), private.run_summary(public.runs), private.reject_payloads(uuid)
  to authenticated, puente_writer;
grant execute on all functions in schema private to puente_writer;
