-- A claimed start that never opened its run is delivered again. Claiming is not safe to retry on its
-- own: when the claim's answer is lost on the network, or the agent stops between claiming and opening
-- the run, the command stayed `claimed` for good, its sync never ran, and as an unexpired start it
-- blocked every other start of that source until it expired. Now a start claimed over a minute ago
-- whose run was never opened goes back to pending when the agent claims again, until it expires. A copy
-- that does reach an agent twice is harmless: open_run refuses a command whose run is under way.
--
-- The claim as the earlier migrations define it moves to private.claim_pending_commands, unchanged.

alter function public.claim_commands(text, integer) set schema private;
alter function private.claim_commands(text, integer) rename to claim_pending_commands;
revoke execute on function private.claim_pending_commands(text, integer) from public, service_role;

create function public.claim_commands(p_agent_key text, p_limit integer default 10) returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
begin
  update public.commands c set status = 'pending', claimed_at = null
  where c.agent_id = v_agent.id and c.status = 'claimed' and c.action = 'start' and c.run_id is null
    and c.claimed_at < now() - interval '1 minute' and c.expires_at > now();
  return private.claim_pending_commands(p_agent_key, p_limit);
end
$$;

alter function public.claim_commands(text, integer) owner to puente_writer;
revoke execute on function public.claim_commands(text, integer) from public, anon, authenticated;
grant execute on function public.claim_commands(text, integer) to service_role;
