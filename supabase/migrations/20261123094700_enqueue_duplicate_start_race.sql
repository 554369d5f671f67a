-- A double-clicked start gets its command back, not a conflict. Two requests with the same requestId
-- arriving together both missed each other's uncommitted row, so the second waited for the first's
-- agent/source lock and then met the first's pending start: "a sync is already running" (PT409)
-- instead of the duplicate answer. Taking the lock before the requestId lookup makes the second see
-- the first's committed command and answer it as a duplicate.
--
-- The enqueue as the earlier migrations define it moves to private.enqueue_command_locked, unchanged;
-- the advisory lock is per transaction and re-entrant, so taking it again there waits for nothing.

alter function public.enqueue_command(uuid, uuid, text, text, jsonb) set schema private;
alter function private.enqueue_command(uuid, uuid, text, text, jsonb)
  rename to enqueue_command_locked;
revoke execute on function private.enqueue_command_locked(uuid, uuid, text, text, jsonb)
  from public, authenticated;

create function public.enqueue_command(p_request_id uuid, p_agent_id uuid, p_source text, p_action text,
  p_params jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  if p_action = 'start' and p_agent_id is not null and p_source in ('ferrawin', 'wispro') then
    perform private.lock_agent_source(p_agent_id, p_source);
  end if;
  return private.enqueue_command_locked(p_request_id, p_agent_id, p_source, p_action, p_params);
end
$$;

alter function public.enqueue_command(uuid, uuid, text, text, jsonb) owner to puente_writer;
revoke execute on function public.enqueue_command(uuid, uuid, text, text, jsonb)
  from public, anon, service_role;
grant execute on function public.enqueue_command(uuid, uuid, text, text, jsonb) to authenticated;
