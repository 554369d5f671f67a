-- Staff read run_rejects.detail (run_detail), but a Wispro reject's detail came from the agent as free
-- text, and the agent wrote "the id number V-1740793 is on 2 Wispro clients" there: a customer's id
-- number, which staff must never read. The agent is not trusted to keep personal data out of a text
-- field, so the database decides what a Wispro reject shows to staff: the record by its Wispro id and a
-- fixed sentence per reason. Whatever the agent wrote goes into the admin-only payload
-- (`payload.rejectDetail`, with the original record key as `payload.rejectRecordKey` when it was not a
-- Wispro id). FerraWin rejects carry planilla codes and FerraWin's own fields, no personal data, and
-- are left as they are.

create function private.staff_safe_reject() returns trigger
language plpgsql set search_path = ''
as $$
declare
  v_source text;
  v_extra jsonb;
begin
  select r.source into v_source from public.runs r where r.id = new.run_id;
  if v_source is distinct from 'wispro' then
    return new;
  end if;
  v_extra := jsonb_strip_nulls(jsonb_build_object('rejectDetail', new.detail,
    'rejectRecordKey', case when new.record_key !~* '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]{1,12})$'
      then new.record_key end));
  new.payload := case
    when new.payload is null then v_extra
    -- What an earlier pass already moved there stays (an update runs this again).
    when jsonb_typeof(new.payload) = 'object' then v_extra || new.payload
    else v_extra || jsonb_build_object('record', new.payload)
  end;
  -- A Wispro id (uuid) or public id (digits) names the record; anything else might be personal.
  if new.record_key !~* '^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]{1,12})$' then
    new.record_key := '(no Wispro id)';
  end if;
  new.detail := case new.reason
    when 'missing_id_number' then 'the Wispro client has no id number; fix it in Wispro'
    when 'ambiguous_match' then 'the id number is shared with another Wispro client or customer; fix it in Wispro'
    when 'invalid_record' then 'the Wispro client record could not be read; an admin sees why in the reject payload'
    else 'refused; an admin sees why in the reject payload'
  end;
  return new;
end
$$;

create trigger run_rejects_staff_safe before insert or update on public.run_rejects
  for each row execute function private.staff_safe_reject();

revoke execute on function private.staff_safe_reject() from public;
grant execute on function private.staff_safe_reject() to puente_writer;

-- Rejects stored before this migration get the same treatment (the trigger rewrites each row).
update public.run_rejects j set detail = j.detail
from public.runs r
where r.id = j.run_id and r.source = 'wispro';
