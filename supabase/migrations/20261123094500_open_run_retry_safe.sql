-- Opening a command's run is safe to retry. When the answer to the first open is lost on the network
-- (or the request is delivered twice), the agent's retry used to meet its own new run as "another run
-- of this source is active" (PT409): the sync failed and the orphan run blocked every start until it
-- stalled. Now an open for a command whose run this agent opened moments ago and has sent nothing to
-- yet reopens that run. A run that already took batches is refused: another process is working on it.
--
-- The open as the earlier migrations define it moves to private.open_new_or_resumed_run, unchanged;
-- public.open_run handles the retried command and hands everything else to it.

alter function public.open_run(text, jsonb) set schema private;
alter function private.open_run(text, jsonb) rename to open_new_or_resumed_run;
revoke execute on function private.open_new_or_resumed_run(text, jsonb) from public, service_role;

create function public.open_run(p_agent_key text, p_request jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_command_id uuid := (p_request ->> 'commandId')::uuid;
  v_run public.runs;
begin
  if v_command_id is not null and (p_request ->> 'resumeRunId') is null
    and p_request ->> 'source' in ('ferrawin', 'wispro') then
    perform private.lock_agent_source(v_agent.id, p_request ->> 'source');
    select * into v_run from public.runs r
    where r.command_id = v_command_id and r.agent_id = v_agent.id
    order by r.created_at desc limit 1;
    if found then
      if v_run.status not in ('queued', 'running') then
        raise exception using errcode = 'PT409',
          message = format('this command already ran: its run is %s', v_run.status);
      end if;
      if v_run.created_at < now() - interval '5 minutes'
        or exists (select 1 from public.ingest_batches b where b.run_id = v_run.id) then
        raise exception using errcode = 'PT409', message = 'this command''s run is already under way';
      end if;
      return private.open_new_or_resumed_run(p_agent_key,
        p_request || jsonb_build_object('resumeRunId', v_run.id));
    end if;
  end if;
  return private.open_new_or_resumed_run(p_agent_key, p_request);
end
$$;

alter function public.open_run(text, jsonb) owner to puente_writer;
revoke execute on function public.open_run(text, jsonb) from public, anon, authenticated;
grant execute on function public.open_run(text, jsonb) to service_role;
