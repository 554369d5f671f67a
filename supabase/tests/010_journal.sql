-- The planilla journal (issue #24): what ingest_planillas writes to planilla_changes (created, updated
-- with the exact diff, rejected; nothing for an unchanged planilla or a replayed or identical batch),
-- who may read and write it, and the read RPCs of the Planillas screen.
begin;
select * from no_plan();
\ir _setup.psql

-- A planilla of p_elementos elementos '1-1'.., fila 1.., 4 barras of Ø12 weighing 1.5 kg each.
create function pg_temp.planilla(p_codigo text, p_elementos int, p_fp text default 'fp1') returns jsonb
language sql as $$
  select jsonb_build_object('codigo', p_codigo, 'zconta', left(p_codigo, 4)::int, 'descripcion', 'Losa',
    'seccion', null, 'ensamblado', null,
    'obra', jsonb_build_object('codigo', '12', 'nombre', 'Obra 12',
      'cliente', jsonb_build_object('codigo', '7', 'nombre', 'Cliente 7')),
    'fecha_creacion', '2026-01-02T03:04:05Z', 'fecha_calculo', null,
    'peso_total_kg', p_elementos * 1.5, 'fingerprint', p_fp,
    'elementos', (select coalesce(jsonb_agg(jsonb_build_object('ferrawin_id', '1-' || i, 'fila', i,
        'marca', 'M' || i, 'descripcion_fila', null, 'diametro_mm', 12, 'figura', '345', 'longitud_mm', 1000,
        'dobleces', 0, 'barras', 4, 'peso_kg', 1.5, 'dimensiones', null, 'etiqueta', null) order by i), '[]')
      from generate_series(1, p_elementos) as i),
    'entidades', '[]'::jsonb)
$$;
create function pg_temp.batch(p_seq int, p_rejects jsonb, variadic p_planillas jsonb[]) returns jsonb
language sql as $$
  select jsonb_build_object('v', 1, 'kind', 'planillas', 'seq', p_seq, 'rejects', p_rejects,
    'planillas', to_jsonb(p_planillas))
$$;
create function pg_temp.journal_rows() returns int language sql as $$
  select count(*)::int from public.planilla_changes
$$;
grant execute on all functions in schema pg_temp to public;

set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as run1 \gset

-- 1. A first load: one 'created' row per planilla, with its header and weight, no copy of its elementos.
select is(public.ingest_planillas(:'agent_key', :'run1', 0, pg_temp.batch(0, '[]',
    pg_temp.planilla('2026-000001', 3), pg_temp.planilla('2026-000002', 2), pg_temp.planilla('2025-000001', 1)))
    -> 'counts' -> 'planillas' ->> 'created', '3', 'a first batch creates three planillas');
reset role;
select is(pg_temp.journal_rows(), 3, 'one journal row per created planilla');
select is((select to_jsonb(j) - 'id' - 'at' from public.planilla_changes j where planilla_codigo = '2026-000001'),
  jsonb_build_object('planilla_codigo', '2026-000001', 'run_id', :'run1', 'kind', 'created',
    'header', '{"descripcion": {"old": null, "new": "Losa"}, "obra_codigo": {"old": null, "new": "12"},
      "fecha_creacion": {"old": null, "new": "2026-01-02T03:04:05.000Z"}}'::jsonb,
    'added', '[]'::jsonb, 'removed', '[]'::jsonb, 'changed', '[]'::jsonb, 'entidades', '{}'::jsonb,
    'peso_antes', null, 'peso_despues', 4.5, 'elementos_antes', null, 'elementos_despues', 3,
    'rejects', '[]'::jsonb),
  'a created entry: its header fields, weight and count after, no elementos copied');

-- 2. Nothing changed: a replayed batch and an identical batch write no journal row.
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run1', 0, pg_temp.batch(0, '[]', pg_temp.planilla('2026-000009', 1)))
  ->> 'replayed', 'true', 'a replayed (run, seq) is answered from the first time');
select is(public.ingest_planillas(:'agent_key', :'run1', 1, pg_temp.batch(1, '[]',
    pg_temp.planilla('2026-000001', 3), pg_temp.planilla('2026-000002', 2), pg_temp.planilla('2025-000001', 1)))
    -> 'counts' -> 'planillas' ->> 'unchanged', '3', 'the identical batch finds the three planillas unchanged');
-- A new fingerprint alone (nothing the cloud shows differs) is no change a person can read.
select is(public.ingest_planillas(:'agent_key', :'run1', 2, pg_temp.batch(2, '[]',
    pg_temp.planilla('2026-000002', 2, 'fp-other'))) -> 'counts' -> 'planillas' ->> 'updated', '1',
  'a batch that only moves a fingerprint updates the header');
reset role;
select is(pg_temp.journal_rows(), 3, 'a replay, an identical batch and a fingerprint-only change write no journal row');

-- 3. An edit: barras and a label changed on one elemento, one elemento removed, one added, and the
-- header's descripcion and obra changed. The unchanged planilla of the same batch writes nothing.
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run1', 3, pg_temp.batch(3, '[]',
    jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(pg_temp.planilla('2026-000001', 3, 'fp2'),
      '{elementos,0,barras}', '16'), '{elementos,0,etiqueta}', '"E-1"'),
      '{elementos,2}', '{"ferrawin_id": "1-4", "fila": 4, "marca": "M4", "diametro_mm": 16, "figura": "345",
        "longitud_mm": 2000, "dobleces": 1, "barras": 2, "peso_kg": 6.3}'),
      '{descripcion}', '"Losa 2"'), '{obra,codigo}', '"13"'), '{peso_total_kg}', '9.3'),
    pg_temp.planilla('2026-000002', 2, 'fp-other'))) -> 'counts' -> 'elementos',
  '{"created": 1, "updated": 1, "unchanged": 3, "deleted": 1, "rejected": 0}'::jsonb,
  'the edit adds, changes and removes one elemento each (the other planilla''s two are unchanged)');
reset role;
select is(pg_temp.journal_rows(), 4, 'one journal row for the edited planilla, none for the unchanged one');
select is((select to_jsonb(j) - 'id' - 'at' - 'run_id' from public.planilla_changes j
    where planilla_codigo = '2026-000001' and kind = 'updated'),
  '{"planilla_codigo": "2026-000001", "kind": "updated",
    "header": {"descripcion": {"old": "Losa", "new": "Losa 2"}, "obra_codigo": {"old": "12", "new": "13"}},
    "added": [{"ferrawin_id": "1-4", "fila": 4, "marca": "M4", "descripcion_fila": null, "diametro_mm": 16,
      "figura": "345", "longitud_mm": 2000, "dobleces": 1, "barras": 2, "peso_kg": 6.3, "dimensiones": null,
      "etiqueta": null}],
    "removed": [{"ferrawin_id": "1-3", "fila": 3, "marca": "M3", "descripcion_fila": null, "diametro_mm": 12.00,
      "figura": "345", "longitud_mm": 1000.00, "dobleces": 0, "barras": 4, "peso_kg": 1.500, "dimensiones": null,
      "etiqueta": null}],
    "changed": [{"ferrawin_id": "1-1", "fila": 1,
      "fields": {"barras": {"old": 4, "new": 16}, "etiqueta": {"old": null, "new": "E-1"}}}],
    "entidades": {}, "peso_antes": 4.5, "peso_despues": 9.3, "elementos_antes": 3, "elementos_despues": 3,
    "rejects": []}'::jsonb,
  'the updated entry holds exactly the header fields, elementos and weights that changed, old -> new');
select is((select run_id::text from public.planilla_changes where kind = 'updated'), :'run1',
  'the entry names its run');

-- 4. Rejects go into the planilla's entry for the run: a planilla the agent refused (never landed),
-- a stored planilla the database refused (it keeps its stored weight), and a header without a code
-- (which belongs to no planilla) writes nothing.
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run1', 4, pg_temp.batch(4,
    '[{"record_key": "2026-000020", "reason": "missing_obra", "detail": "the planilla has no obra (ZCODOBRA is empty)"},
      {"record_key": "2026- Losa sin código", "reason": "blank_key", "detail": "ORD_HEAD row with a blank code"}]',
    jsonb_set(pg_temp.planilla('2026-000002', 2, 'fp3'), '{peso_total_kg}', '-1')))
    -> 'counts' -> 'planillas' ->> 'rejected', '3', 'two planillas and a codeless header are rejected');
reset role;
select is((select jsonb_agg(jsonb_build_object('codigo', planilla_codigo, 'kind', kind, 'rejects', rejects,
      'peso', peso_antes, 'despues', peso_despues) order by planilla_codigo)
    from public.planilla_changes where kind = 'rejected'),
  '[{"codigo": "2026-000002", "kind": "rejected", "peso": 3.0, "despues": 3.0,
     "rejects": [{"reason": "invalid_record", "detail": "peso_total_kg must be a non-negative number"}]},
    {"codigo": "2026-000020", "kind": "rejected", "peso": null, "despues": null,
     "rejects": [{"reason": "missing_obra", "detail": "the planilla has no obra (ZCODOBRA is empty)"}]}]'::jsonb,
  'a rejected planilla gets a rejected entry with its reasons; a codeless header gets none');

set local role service_role;
select is(public.finish_run(:'agent_key', :'run1', '{"status":"completed","done":5}') ->> 'status', 'completed',
  'the first run completes');
reset role;
-- The first run happened an hour ago: a test is one transaction, where now() does not move.
update public.runs set created_at = created_at - interval '1 hour', started_at = started_at - interval '1 hour',
  finished_at = finished_at - interval '1 hour' where id = :'run1';
-- Its rejects came half an hour after its other batches.
update public.run_rejects set at = at - interval '30 minutes' where run_id = :'run1';
update public.planilla_changes set at = at - interval '1 hour' where run_id = :'run1';
update public.planillas set first_synced_at = first_synced_at - interval '1 hour',
  synced_at = synced_at - interval '1 hour';

-- 5. Nobody writes the journal directly; admins and staff read it, nobody else.
set local role authenticated;
set local request.jwt.claims = :'admin';
select throws_ok($$insert into public.planilla_changes (planilla_codigo, kind) values ('2026-000001', 'updated')$$,
  '42501', null, 'an admin cannot insert journal rows');
select throws_ok($$update public.planilla_changes set kind = 'removed'$$, '42501', null,
  'an admin cannot update journal rows');
select throws_ok($$delete from public.planilla_changes$$, '42501', null, 'an admin cannot delete journal rows');
select is((select count(*)::int from public.planilla_changes), 6, 'an admin reads the journal');
set local request.jwt.claims = :'staff';
select is((select count(*)::int from public.planilla_changes), 6, 'staff read the journal');
set local request.jwt.claims = :'norole';
select is((select count(*)::int from public.planilla_changes), 0, 'a user without a Puente role reads nothing');
reset role;
set local role anon;
select throws_ok('select 1 from public.planilla_changes', '42501', null, 'anon cannot read the journal');
reset role;
set local role service_role;
select throws_ok('select 1 from public.planilla_changes', '42501', null, 'service_role cannot read the journal');
select throws_ok($$insert into public.planilla_changes (planilla_codigo, kind) values ('2026-000001', 'updated')$$,
  '42501', null, 'service_role cannot write the journal');
reset role;

-- 6. An incremental run: a sync that finds nothing to do writes nothing; the one that rejects a
-- stored planilla makes its last check "not equal" and leaves the reject open.
set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"incremental"}}') ->> 'id' as run2 \gset
select is(public.ingest_planillas(:'agent_key', :'run2', 0, pg_temp.batch(0, '[]',
    jsonb_set(pg_temp.planilla('2026-000001', 3, 'fp4'), '{elementos,0,barras}', '-4'))) -> 'counts' -> 'planillas'
    ->> 'rejected', '1', 'the incremental run rejects an invalid edit of 2026-000001');
select is(public.finish_run(:'agent_key', :'run2', '{"status":"completed","done":1}') ->> 'status', 'completed',
  'the incremental run completes');
reset role;

-- 7. The read RPCs.
set local role authenticated;
set local request.jwt.claims = :'staff';
select is(public.find_planillas(q) - 'suggestions' - 'query', '{"codigo": "2026-000001", "found": true}'::jsonb,
  format('find_planillas(%L) finds 2026-000001', q))
from unnest(array['2026-000001', '2026-1', '26-1', '2026/1', ' 2026-000001 ', '2026-0001']) as q;
select is(public.find_planillas(' 26-1 ') ->> 'query', ' 26-1 ', 'the answer repeats the query as typed');
select is(public.find_planillas('2026-3'), '{"query": "2026-3", "codigo": "2026-000003", "found": false,
    "suggestions": [
      {"codigo": "2026-000002", "descripcion": "Losa", "obra_codigo": "12", "obra_nombre": "Obra 12", "match": "nearby"},
      {"codigo": "2026-000001", "descripcion": "Losa 2", "obra_codigo": "13", "obra_nombre": "Obra 12", "match": "nearby"}]}'::jsonb,
  'a code that does not exist: not found, with the neighbouring numbers of its year, closest first');
select is(jsonb_path_query_array(public.find_planillas('2024-1') -> 'suggestions', '$[*].codigo'),
  '["2026-000001", "2025-000001"]'::jsonb, 'the same number in other years comes first, newest year first');
select is(public.find_planillas('Losa') - 'suggestions', '{"query": "Losa", "codigo": null, "found": false}'::jsonb,
  'a text that is no code form is not found and has no code');
select is(jsonb_path_query_array(public.find_planillas('n.º 1') -> 'suggestions', '$[*].codigo'),
  '["2026-000001", "2025-000001"]'::jsonb, 'the digits of a text that is no code form still find planillas');
select is(jsonb_array_length(public.find_planillas('2026-1', 1) -> 'suggestions'), 0,
  'a found code has no suggestions');
select throws_ok($$select public.find_planillas('  ')$$, '22023', 'p_query is required', 'a blank query is a 400');
select throws_ok(format('select public.find_planillas(%L)', repeat('9', 65)), '22023',
  'p_query is longer than 64 characters', 'an overlong query is a 400');
select throws_ok($$select public.planilla_status('Losa')$$, '22023', '"Losa" is not a planilla code',
  'a p_codigo that is no code is a 400');
select throws_ok($$select public.planilla_journal(null)$$, '22023', 'p_codigo is required',
  'a missing p_codigo is a 400');

select is(public.planilla_status('26-1') - 'first_synced_at' - 'synced_at' - 'last_run' - 'last_check'
    - 'open_rejects',
  '{"codigo": "2026-000001", "in_cloud": true, "descripcion": "Losa 2", "seccion": null, "ensamblado": null,
    "obra": {"codigo": "13", "nombre": "Obra 12"}, "cliente": {"codigo": "7", "nombre": "Cliente 7"}, "fecha_creacion": "2026-01-02T03:04:05.000Z",
    "fecha_calculo": null, "elementos_count": 3, "peso_total_kg": 9.300}'::jsonb,
  'planilla_status: the stored header, obra and totals');
select is(public.planilla_status('2026-000001') -> 'last_run' ->> 'id', :'run1', 'its last run is the one that changed it');
select is((public.planilla_status('2026-000001') -> 'last_check') - 'at',
  jsonb_build_object('run_id', :'run2', 'equal', false),
  'the last incremental check rejected it: not equal to FerraWin');
select is(jsonb_path_query_array(public.planilla_status('2026-000001') -> 'open_rejects', '$[*].reason'),
  '["invalid_record"]'::jsonb, 'and its reject is open');
select is((public.planilla_status('2026-000002') -> 'last_check') - 'at', jsonb_build_object('run_id', :'run2', 'equal', true),
  'a planilla the last check did not reject is equal to FerraWin');
select is(public.planilla_status('2026-000002') -> 'open_rejects', '[]'::jsonb,
  'the first run''s reject was closed by the later check that passed it');
select is(public.planilla_status('2026-20') - 'open_rejects',
  '{"codigo": "2026-000020", "in_cloud": false, "descripcion": null, "seccion": null, "ensamblado": null,
    "obra": null, "cliente": null, "fecha_creacion": null, "fecha_calculo": null, "elementos_count": null,
    "peso_total_kg": null, "first_synced_at": null, "synced_at": null, "last_run": null, "last_check": null}'::jsonb,
  'a code that never landed: not in the cloud');
select is(jsonb_path_query_array(public.planilla_status('2026-20') -> 'open_rejects', '$[*].reason'),
  '["missing_obra"]'::jsonb, 'its missing_obra reject stays open (the check does not re-examine it)');

select is(public.planilla_elementos('2026-1', null, 2) - 'totals',
  '{"items": [
     {"ferrawin_id": "1-1", "fila": 1, "marca": "M1", "descripcion_fila": null, "diametro_mm": 12.00, "figura": "345",
      "longitud_mm": 1000.00, "dobleces": 0, "barras": 16, "peso_kg": 1.500, "dimensiones": null, "etiqueta": "E-1"},
     {"ferrawin_id": "1-2", "fila": 2, "marca": "M2", "descripcion_fila": null, "diametro_mm": 12.00, "figura": "345",
      "longitud_mm": 1000.00, "dobleces": 0, "barras": 4, "peso_kg": 1.500, "dimensiones": null, "etiqueta": null}],
    "next": "2:1-2"}'::jsonb,
  'planilla_elementos: the first page in fila order, with the cursor of the next');
select is(jsonb_path_query_array(public.planilla_elementos('2026-1', '2:1-2', 2), '$.items[*].ferrawin_id'),
  '["1-4"]'::jsonb, 'the next page');
select is(public.planilla_elementos('2026-1', '2:1-2', 2) -> 'next', 'null'::jsonb, 'the last page has no next');
select is(public.planilla_elementos('2026-1') -> 'totals',
  '{"elementos": 3, "barras": 22, "peso_kg": 9.300, "by_diametro": [
    {"diametro_mm": 12.00, "elementos": 2, "barras": 20, "peso_kg": 3.000},
    {"diametro_mm": 16.00, "elementos": 1, "barras": 2, "peso_kg": 6.300}]}'::jsonb,
  'the totals, also by diameter');
select is(public.planilla_elementos('2026-000404'),
  '{"items": [], "next": null, "totals": {"elementos": 0, "barras": 0, "peso_kg": 0, "by_diametro": []}}'::jsonb,
  'a planilla not in the cloud has no elementos');
select throws_ok($$select public.planilla_elementos('2026-1', 'nonsense')$$, '22023', null, 'a bad cursor is a 400');

select is(jsonb_path_query_array(public.planilla_journal('2026-1'), '$.entries[*].kind'),
  '["rejected", "updated", "created"]'::jsonb, 'planilla_journal: newest first');
select is(public.planilla_journal('2026-1') -> 'entries' -> 1 -> 'run',
  '{"source": "ferrawin", "mode": "all", "scheduled": false, "status": "completed"}'::jsonb,
  'each entry carries its run');
select (public.planilla_journal('2026-1', null, 2) ->> 'next') as next_id \gset
select is(jsonb_path_query_array(public.planilla_journal('2026-1', :next_id, 2), '$.entries[*].kind'),
  '["created"]'::jsonb, 'the next page continues before the cursor');
select is(public.planilla_journal('2026-1', :next_id, 2) -> 'next', 'null'::jsonb, 'the last page has no next');
select is(public.planilla_journal('2026-404'), '{"entries": [], "next": null}'::jsonb,
  'a planilla without entries has an empty journal');

set local request.jwt.claims = :'norole';
select throws_ok(format('select public.%s', f), 'PT403', null, f || ' needs admin or staff')
from unnest(array['find_planillas(''2026-1'')', 'planilla_status(''2026-1'')', 'planilla_elementos(''2026-1'')',
  'planilla_journal(''2026-1'')']) as f;
reset role;

select * from finish();
rollback;
