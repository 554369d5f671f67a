-- One source of truth for who may ask for what. Until now the edge refused a staff `pause` of Wispro
-- (403) while enqueue_command, called directly at /rest/v1/rpc, let it through, and the database took
-- any params, so `{"mode":"one","code":"no-such-code"}` became a pending start that the agent could
-- not run and that blocked every other FerraWin start of that agent until it expired.
--
-- - public.command_rules holds the allowed role × source × action × mode rows, the same rows as
--   protocol/src/command-rules.ts (COMMAND_RULES), which the edge reads; a test compares the two.
-- - private.command_params_problem checks params as the protocol's zod schemas do (strict objects,
--   stored planilla codes, a plausible year), so no command the agent would refuse is ever stored.
-- - enqueue_command checks both before anything else.
-- - reject_command lets the agent mark a command it cannot carry out `rejected`, with its reason, so
--   it is never delivered again (claim_commands re-delivers only `claimed` starts).

create table public.command_rules (
  role text not null check (role in ('admin', 'staff')),
  source text not null check (source in ('ferrawin', 'wispro')),
  action text not null check (action in ('start', 'pause', 'resume', 'cancel')),
  -- A start's mode; null for pause, resume and cancel.
  mode text check ((action = 'start') = (mode is not null)),
  unique nulls not distinct (role, source, action, mode)
);

insert into public.command_rules (role, source, action, mode) values
  ('admin', 'ferrawin', 'start', 'incremental'),
  ('admin', 'ferrawin', 'start', 'year'),
  ('admin', 'ferrawin', 'start', 'one'),
  ('admin', 'ferrawin', 'start', 'all'),
  ('admin', 'wispro', 'start', 'full'),
  ('admin', 'ferrawin', 'pause', null),
  ('admin', 'ferrawin', 'resume', null),
  ('admin', 'ferrawin', 'cancel', null),
  ('admin', 'wispro', 'pause', null),
  ('admin', 'wispro', 'resume', null),
  ('admin', 'wispro', 'cancel', null),
  ('staff', 'ferrawin', 'start', 'incremental'),
  ('staff', 'ferrawin', 'start', 'one'),
  ('staff', 'ferrawin', 'pause', null),
  ('staff', 'ferrawin', 'resume', null);

-- Readable by people with a Puente role (the rules are no secret to them); written by migrations only.
alter table public.command_rules enable row level security;
revoke all on public.command_rules from public, anon, authenticated, service_role;
grant select on public.command_rules to authenticated, puente_writer;
create policy people_read on public.command_rules for select to authenticated
  using ((select private.app_role()) in ('admin', 'staff'));
create policy writer_read on public.command_rules for select to puente_writer using (true);

-- Why params do not fit the protocol's schema for this source and action, or null when they do.
create function private.command_params_problem(p_source text, p_action text, p_params jsonb)
returns text
language plpgsql stable set search_path = ''
as $$
declare
  v_mode text := p_params ->> 'mode';
  v_keys text[];
  v_allowed text[];
  v_year jsonb := p_params -> 'year';
begin
  if jsonb_typeof(p_params) is distinct from 'object' then
    return 'params must be an object';
  end if;
  v_keys := array(select jsonb_object_keys(p_params));
  if p_action <> 'start' then
    v_allowed := array['runId'];
    if p_params ? 'runId' and (jsonb_typeof(p_params -> 'runId') <> 'string' or (p_params ->> 'runId')
        !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$') then
      return 'params.runId must be a uuid';
    end if;
  elsif p_source = 'wispro' then
    v_allowed := array['mode'];
    if p_params ? 'mode' and (p_params -> 'mode') is distinct from '"full"'::jsonb then
      return 'params.mode must be full for wispro';
    end if;
  else
    if jsonb_typeof(p_params -> 'mode') is distinct from 'string'
        or v_mode not in ('incremental', 'year', 'one', 'all') then
      return 'params.mode must be one of incremental, year, one, all';
    end if;
    v_allowed := case v_mode
      when 'year' then array['mode', 'year', 'fromCode']
      when 'one' then array['mode', 'code']
      else array['mode'] end;
    if v_mode = 'year' then
      if jsonb_typeof(v_year) is distinct from 'number' or (v_year #>> '{}') !~ '^\d{4}$'
          or (v_year #>> '{}')::integer < 2000
          or (v_year #>> '{}')::integer > extract(year from now() at time zone 'utc')::integer + 1 then
        return 'params.year must be a whole year from 2000 to next year';
      end if;
      if p_params ? 'fromCode' and (jsonb_typeof(p_params -> 'fromCode') <> 'string'
          or (p_params ->> 'fromCode') !~ '^\d{4}-\d{6}$' or (p_params ->> 'fromCode') ~ '-000000$') then
        return 'params.fromCode must be a planilla code like 2026-000886';
      end if;
    elsif v_mode = 'one' then
      if jsonb_typeof(p_params -> 'code') is distinct from 'string'
          or (p_params ->> 'code') !~ '^\d{4}-\d{6}$' or (p_params ->> 'code') ~ '-000000$' then
        return 'params.code must be a planilla code like 2026-000886';
      end if;
    end if;
  end if;
  if exists (select 1 from unnest(v_keys) as k where k <> all (v_allowed)) then
    return format('params may only carry %s', array_to_string(v_allowed, ', '));
  end if;
  return null;
end
$$;

-- Raises PT422 for params the protocol refuses and PT403 for a command the role may not ask for.
create function private.check_command(p_role text, p_source text, p_action text, p_params jsonb)
returns void
language plpgsql stable set search_path = ''
as $$
declare
  v_problem text;
  v_mode text;
begin
  if p_source is null or p_source not in ('ferrawin', 'wispro') then
    raise exception using errcode = 'PT422', message = 'source must be ferrawin or wispro';
  end if;
  if p_action is null or p_action not in ('start', 'pause', 'resume', 'cancel') then
    raise exception using errcode = 'PT422', message = 'action must be start, pause, resume or cancel';
  end if;
  v_problem := private.command_params_problem(p_source, p_action, p_params);
  if v_problem is not null then
    raise exception using errcode = 'PT422', message = v_problem;
  end if;
  v_mode := case when p_action <> 'start' then null
    else coalesce(p_params ->> 'mode', 'full') end;
  if not exists (
    select 1 from public.command_rules r
    where r.role = p_role and r.source = p_source and r.action = p_action
      and r.mode is not distinct from v_mode
  ) then
    raise exception using errcode = 'PT403',
      message = format('a %s may not %s %s syncs%s', p_role, p_action, p_source,
        case when v_mode is not null then ' in mode ' || v_mode else '' end),
      hint = 'ask an admin';
  end if;
end
$$;

-- Same signature, grants and owner as before: the rules first, then the enqueue as it was.
create or replace function public.enqueue_command(p_request_id uuid, p_agent_id uuid, p_source text,
  p_action text, p_params jsonb) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_role text := private.require_role('admin', 'staff');
begin
  perform private.check_command(v_role, p_source, p_action, coalesce(p_params, '{}'::jsonb));
  if p_action = 'start' and p_agent_id is not null then
    perform private.lock_agent_source(p_agent_id, p_source);
  end if;
  return private.enqueue_command_locked(p_request_id, p_agent_id, p_source, p_action, p_params);
end
$$;

alter table public.commands add column reject_reason text check (length(reject_reason) <= 500);

-- The agent could not carry out one of its claimed commands (params it cannot read, a stored command
-- from before these rules): marked rejected with the reason, once; a second call answers the same.
create function public.reject_command(p_agent_key text, p_command_id uuid, p_reason text)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_command public.commands;
begin
  if p_reason is null or btrim(p_reason) = '' then
    raise exception using errcode = 'PT422', message = 'a reason is required';
  end if;
  select * into v_command from public.commands c
  where c.id = p_command_id and c.agent_id = v_agent.id
  for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'command not found for this agent';
  end if;
  if v_command.status = 'claimed' then
    update public.commands c
    set status = 'rejected', reject_reason = left(p_reason, 500), done_at = now()
    where c.id = v_command.id
    returning * into v_command;
  elsif v_command.status <> 'rejected' then
    raise exception using errcode = 'PT409',
      message = format('command is %s; only a claimed command can be rejected', v_command.status);
  end if;
  return jsonb_build_object('v', 1, 'commandId', v_command.id, 'status', v_command.status,
    'reason', v_command.reject_reason);
end
$$;

revoke execute on function private.command_params_problem(text, text, jsonb),
  private.check_command(text, text, text, jsonb) from public;
grant execute on function private.command_params_problem(text, text, jsonb),
  private.check_command(text, text, text, jsonb) to puente_writer;
-- ALTER ... OWNER needs the new owner to hold CREATE on the schema (hosted `postgres` is no
-- superuser): the writer holds it only while it takes the function over, as in the baseline's grants.
grant create on schema public to puente_writer;
alter function public.reject_command(text, uuid, text) owner to puente_writer;
revoke create on schema public from puente_writer;
revoke execute on function public.reject_command(text, uuid, text) from public, anon, authenticated;
-- The edge, after it checked the agent key.
grant execute on function public.reject_command(text, uuid, text) to service_role;
