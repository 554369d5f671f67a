-- Each conflict (PT409) says which conflict it is. The code goes in the error's DETAIL, which PostgREST
-- passes through as `details`; the edge copies it into the envelope's `code` (edge/_shared/errors.ts),
-- and clients switch on it, never on the message (protocol/src/errors.ts, CONFLICT_CODES). Messages and
-- hints keep their words for people.
--
-- How: every raise below is found, word for word, in the function's current definition, which is
-- created again with `, detail = '<code>'` after the message. Nothing else of any function changes, and
-- no function body is copied here, so no older migration's text stands twice. A raise that is not
-- found (a later migration reworded it) stops this migration instead of leaving a conflict unnamed;
-- supabase/tests/010_conflict_codes.sql raises each situation and checks its code.
do $migration$
declare
  v_raise record;
  v_definition text;
begin
  for v_raise in
    select * from (values
      ('private.open_new_or_resumed_run(text, jsonb)',
        $r$message = format('run is %s and cannot be resumed', v_run.status)$r$, 'run_not_resumable'),
      ('private.open_new_or_resumed_run(text, jsonb)',
        $r$message = 'another run of this source is active'$r$, 'run_active'),
      ('public.open_run(text, jsonb)',
        $r$message = format('this command already ran: its run is %s', v_run.status)$r$, 'command_already_ran'),
      ('public.open_run(text, jsonb)',
        $r$message = 'this command''s run is already under way'$r$, 'command_run_under_way'),
      ('public.report_progress(text, uuid, jsonb)',
        $r$message = format('run is already %s', v_run.status)$r$, 'run_not_running'),
      ('public.report_progress(text, uuid, jsonb)',
        $r$message = 'another run of this source is active'$r$, 'run_active'),
      ('public.finish_run(text, uuid, jsonb)',
        $r$message = format('run is already %s', v_run.status)$r$, 'run_not_running'),
      ('private.finish_batch(uuid, integer, jsonb)',
        $r$message = 'run is not running'$r$, 'run_not_running'),
      ('public.ingest_planillas(text, uuid, integer, jsonb)',
        $r$message = format('run is %s, not running', v_run.status)$r$, 'run_not_running'),
      ('public.ingest_planillas(text, uuid, integer, jsonb)',
        $r$message = 'a concurrent batch wrote the same planilla'$r$, 'batch_conflict'),
      ('public.ingest_customers(text, uuid, integer, jsonb)',
        $r$message = format('run is %s, not running', v_run.status)$r$, 'run_not_running'),
      ('private.enqueue_command_locked(uuid, uuid, text, text, jsonb)',
        $r$message = format('a %s sync is already running or waiting for this agent', p_source)$r$,
        'sync_already_active'),
      ('private.enqueue_command_locked(uuid, uuid, text, text, jsonb)',
        $r$message = 'this requestId was used for another command'$r$, 'request_id_reused'),
      ('public.reject_command(text, uuid, text)',
        $r$message = format('command is %s; only a claimed command can be rejected', v_command.status)$r$,
        'command_not_claimed'),
      ('public.claim_portal_accounts(text, uuid, jsonb)',
        $r$message = 'portal accounts come from Wispro runs only'$r$, 'run_not_wispro')
    ) as raises(fn, message, code)
  loop
    v_definition := pg_get_functiondef(v_raise.fn::regprocedure);
    if position(v_raise.message in v_definition) = 0 then
      raise exception 'conflict codes: % no longer raises %', v_raise.fn, v_raise.message;
    end if;
    execute replace(v_definition, v_raise.message,
      v_raise.message || ', detail = ' || quote_literal(v_raise.code));
  end loop;
end
$migration$;
