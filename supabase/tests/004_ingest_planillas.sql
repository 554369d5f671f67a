-- ingest_planillas: create, update, unchanged (not rewritten), element deletion, header update,
-- clientes/obras upsert, replay, per-planilla rejects, whole-batch refusal, run checks and counts.
begin;
select * from no_plan();
\ir _setup.psql

create function pg_temp.planilla(p_codigo text, p_elementos int, p_peso numeric default 1, p_fp text default 'fp1')
returns jsonb language sql as $$
  select jsonb_build_object('codigo', p_codigo, 'zconta', left(p_codigo, 4)::int, 'descripcion', 'Losa',
    'seccion', null, 'ensamblado', null,
    'obra', jsonb_build_object('codigo', '00012', 'nombre', 'Obra 12',
      'cliente', jsonb_build_object('codigo', '007', 'nombre', 'Cliente 7')),
    'fecha_creacion', '2026-01-02T03:04:05Z', 'fecha_calculo', null,
    'peso_total_kg', p_elementos * p_peso, 'fingerprint', p_fp,
    'elementos', (select coalesce(jsonb_agg(jsonb_build_object('ferrawin_id', '1-' || i, 'fila', i,
        'marca', 'M' || i, 'descripcion_fila', null, 'diametro_mm', 12, 'figura', '345', 'longitud_mm', 1000,
        'dobleces', 0, 'barras', 4, 'peso_kg', p_peso, 'dimensiones', null, 'etiqueta', null) order by i), '[]')
      from generate_series(1, p_elementos) as i),
    'entidades', jsonb_build_array(jsonb_build_object('linea', '1', 'marca', 'M', 'cantidad', 2,
      'composicion', '{"a":1}'::jsonb)))
$$;
create function pg_temp.batch(p_seq int, variadic p_planillas jsonb[]) returns jsonb language sql as $$
  select jsonb_build_object('v', 1, 'kind', 'planillas', 'seq', p_seq, 'rejects', '[]'::jsonb,
    'planillas', to_jsonb(p_planillas))
$$;
grant execute on all functions in schema pg_temp to public;

set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as run_id \gset

-- 1. First load.
select is(public.ingest_planillas(:'agent_key', :'run_id', 0, pg_temp.batch(0, pg_temp.planilla('2026-000001', 3),
    pg_temp.planilla('2026-000002', 2))) -> 'counts',
  '{"planillas":{"created":2,"updated":0,"unchanged":0,"deleted":0,"rejected":0},
    "elementos":{"created":5,"updated":0,"unchanged":0,"deleted":0,"rejected":0},
    "entidades":{"created":2,"updated":0,"unchanged":0,"deleted":0,"rejected":0}}'::jsonb,
  'a first batch creates planillas, elementos and entidades');
reset role;
select is((select count(*)::int from public.elementos), 5, 'the elementos are stored');
select is((select row(codigo, nombre)::text from public.clientes), '(7,"Cliente 7")', 'the cliente is stored without leading zeros');
select is((select row(codigo, nombre, cliente_codigo)::text from public.obras), '(12,"Obra 12",7)', 'the obra is stored without leading zeros, with its cliente');
select is((select row(obra_codigo, peso_total_kg, elementos_count, last_run_id::text)::text from public.planillas where codigo = '2026-000001'),
  format('(12,3.000,3,%s)', :'run_id'), 'the header carries obra, weight, element count and run');

set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run_id', 100, pg_temp.batch(100,
    jsonb_set(jsonb_set(pg_temp.planilla('2025-000001', 1), '{obra,cliente}', 'null'), '{obra,codigo}', '"0040"'))) -> 'counts' -> 'planillas' ->> 'created',
  '1', 'a planilla whose obra has no cliente is stored');
reset role;
select is((select row(codigo, cliente_codigo)::text from public.obras where codigo = '40'), '(40,)', 'the obra is stored without a cliente');

-- 2. Replay: the first answer, nothing changed.
select ctid::text as ctid_before from public.elementos where planilla_codigo = '2026-000001' and ferrawin_id = '1-1' \gset
select result - 'replayed' as first0 from public.ingest_batches where seq = 0 and run_id = :'run_id' \gset
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run_id', 0, pg_temp.batch(0, pg_temp.planilla('2026-000003', 9))) - 'replayed',
  :'first0'::jsonb,
  'a replayed (run, seq) returns the first answer');
select is(public.ingest_planillas(:'agent_key', :'run_id', 0, '{}') ->> 'replayed', 'true', 'and says it was replayed');
reset role;
select is((select count(*)::int from public.planillas where codigo = '2026-000003'), 0, 'a replay writes nothing');
select is((select counts -> 'planillas' ->> 'created' from public.runs where id = :'run_id'), '3', 'a replay adds no counts to the run');

-- 3. The same rows again: unchanged, not rewritten.
update public.planillas set first_synced_at = '2020-01-01' where codigo = '2026-000001';
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run_id', 1, pg_temp.batch(1, pg_temp.planilla('2026-000001', 3),
    pg_temp.planilla('2026-000002', 2))) -> 'counts',
  '{"planillas":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0},
    "elementos":{"created":0,"updated":0,"unchanged":5,"deleted":0,"rejected":0},
    "entidades":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0}}'::jsonb,
  'unchanged rows are counted unchanged');
reset role;
select is((select ctid::text from public.elementos where planilla_codigo = '2026-000001' and ferrawin_id = '1-1'),
  :'ctid_before', 'an unchanged elemento is not rewritten');

-- 4. A changed planilla: header updated, one elemento changed, one new, one gone.
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run_id', 2, pg_temp.batch(2,
    jsonb_set(jsonb_set(jsonb_set(pg_temp.planilla('2026-000001', 3, 1, 'fp2'),
      '{elementos,1,peso_kg}', '2.5'), '{elementos,2,ferrawin_id}', '"1-4"'), '{peso_total_kg}', '4.5'),
    pg_temp.planilla('2026-000002', 2))) -> 'counts',
  '{"planillas":{"created":0,"updated":1,"unchanged":1,"deleted":0,"rejected":0},
    "elementos":{"created":1,"updated":1,"unchanged":3,"deleted":1,"rejected":0},
    "entidades":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0}}'::jsonb,
  'a re-synced planilla counts its created, updated, unchanged and deleted elementos');
reset role;
select is((select array_agg(ferrawin_id || ':' || peso_kg order by ferrawin_id)::text from public.elementos where planilla_codigo = '2026-000001'),
  '{1-1:1.000,1-2:2.500,1-4:1.000}', 'the elemento no longer in the source is deleted, the changed one updated');
select is((select row(fingerprint, peso_total_kg, first_synced_at = '2020-01-01')::text from public.planillas where codigo = '2026-000001'),
  '(fp2,4.500,t)', 'the header is updated and first_synced_at kept');

-- 5. Entidades follow the source too.
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run_id', 3, pg_temp.batch(3,
    jsonb_set(pg_temp.planilla('2026-000002', 2, 1, 'fp3'), '{entidades}', '[{"linea":"2","cantidad":1}]'))) -> 'counts' -> 'entidades',
  '{"created":1,"updated":0,"unchanged":0,"deleted":1,"rejected":0}'::jsonb, 'entidades are replaced by the source''s');
select is(public.ingest_planillas(:'agent_key', :'run_id', 4, pg_temp.batch(4,
    jsonb_set(pg_temp.planilla('2026-000002', 0, 1, 'fp4'), '{entidades}', '[]'))) -> 'counts' -> 'elementos' ->> 'deleted',
  '2', 'a planilla that lost all its bars keeps its header with zero elementos');
reset role;
select is((select elementos_count from public.planillas where codigo = '2026-000002'), 0, 'elementos_count is zero');

-- 6. One bad planilla is rejected with a reason; the rest of the batch lands.
set local role service_role;
select public.ingest_planillas(:'agent_key', :'run_id', 5, jsonb_set(pg_temp.batch(5,
    jsonb_set(pg_temp.planilla('2026-000005', 2), '{elementos,0,peso_kg}', '-1'),
    jsonb_set(pg_temp.planilla('2026-000006', 1), '{zconta}', '2025'),
    pg_temp.planilla('2026-000007', 2)),
  '{rejects}', '[{"record_key":"2026-000099","reason":"missing_obra","detail":"obra 55 not found","payload":{"fingerprint":"fpX"}}]')) as r5 \gset
select is((:'r5'::jsonb) -> 'counts' -> 'planillas',
  '{"created":1,"updated":0,"unchanged":0,"deleted":0,"rejected":3}'::jsonb,
  'the good planilla lands; two invalid ones and one source reject are counted rejected');
select is((select jsonb_agg(r order by r ->> 'record_key') from jsonb_array_elements((:'r5'::jsonb) -> 'rejects') as r),
  '[{"reason":"invalid_record","record_key":"2026-000005"},{"reason":"invalid_record","record_key":"2026-000006"},
    {"reason":"missing_obra","record_key":"2026-000099"}]'::jsonb, 'the answer lists each reject with its reason');
reset role;
select is((select detail from public.run_rejects where record_key = '2026-000005'), 'elemento 1-1: peso_kg must be non-negative',
  'the reject says which elemento and why');
select is((select detail from public.run_rejects where record_key = '2026-000006'), 'codigo must be YYYY-NNNNNN starting with zconta',
  'a code that does not match its zconta is rejected');
select is((select array_agg(codigo order by codigo)::text from public.planillas where codigo in ('2026-000005', '2026-000006', '2026-000007')),
  '{2026-000007}', 'only the valid planilla was stored');
set local role service_role;
select is(public.planilla_fingerprints(:'agent_key', 2026),
  '{"2026-000001":"fp2","2026-000002":"fp4","2026-000007":"fp1","2026-000099":"fpX"}'::jsonb,
  'fingerprints include stored planillas and missing_obra rejects at their fingerprint');
select is(public.planilla_fingerprints(:'agent_key', 2025), '{"2025-000001":"fp1"}'::jsonb, 'fingerprints filter by year');

-- 7. A batch that breaks a constraint or a type is refused whole.
select throws_ok(format('select public.ingest_planillas(%L, %L, 6, %L)', :'agent_key', :'run_id',
    pg_temp.batch(6, pg_temp.planilla('2026-000008', 1), jsonb_set(pg_temp.planilla('2026-000009', 1), '{elementos,0,diametro_mm}', '"abc"'))),
  'PT422', null, 'a value of the wrong type refuses the batch');
select throws_ok(format('select public.ingest_planillas(%L, %L, 6, %L)', :'agent_key', :'run_id',
    pg_temp.batch(6, pg_temp.planilla('2026-000008', 1), jsonb_set(jsonb_set(pg_temp.planilla('1800-000009', 1), '{zconta}', '1800'), '{codigo}', '"1800-000009"'))),
  'PT422', null, 'a check-constraint violation refuses the batch');
reset role;
select is((select count(*)::int from public.planillas where codigo = '2026-000008'), 0, 'nothing of a refused batch was written');
select is((select count(*)::int from public.ingest_batches where run_id = :'run_id' and seq = 6), 0, 'a refused batch is not recorded, so it can be resent');

-- 8. Batch-level checks: wrong agent, run not running.
set local role service_role;
select throws_ok(format('select public.ingest_planillas(%L, %L, 7, %L)', :'other_agent_key', :'run_id', pg_temp.batch(7, pg_temp.planilla('2026-000010', 1))),
  'PT404', null, 'another agent''s run is PT404');
select is((public.finish_run(:'agent_key', :'run_id', '{"status":"completed","done":7}') -> 'counts' -> 'planillas'),
  '{"created":4,"updated":3,"unchanged":3,"deleted":0,"rejected":3}'::jsonb, 'the run''s counts are the sum of its batches');
select throws_ok(format('select public.ingest_planillas(%L, %L, 7, %L)', :'agent_key', :'run_id', pg_temp.batch(7, pg_temp.planilla('2026-000010', 1))),
  'PT409', null, 'a batch for a finished run is PT409');
select is(public.ingest_planillas(:'agent_key', :'run_id', 0, '{}') ->> 'replayed', 'true', 'a replay still answers after the run finished');
reset role;
select is((select count(*)::int from public.planillas where codigo = '2026-000010'), 0, 'a refused batch writes nothing');

select is((select count(*)::int from public.elementos e where not exists (
    select 1 from public.planillas p where p.codigo = e.planilla_codigo)), 0, 'no elemento is left without its planilla');
select is((select count(*)::int from public.entidades e where not exists (
    select 1 from public.planillas p where p.codigo = e.planilla_codigo)), 0, 'no entidad is left without its planilla');

-- 9. Unchanged rows are found by comparing every column, and are read, not rewritten or locked.
set local role service_role;
select public.open_run(:'agent_key', '{"source":"ferrawin","params":{"mode":"all"}}') ->> 'id' as run2 \gset
create function pg_temp.labelled(p_codigo text) returns jsonb language sql as $$
  select jsonb_set(jsonb_set(pg_temp.planilla(p_codigo, 4), '{elementos,0,etiqueta}', '"E-1"'),
    '{elementos,1,dimensiones}', '"A=345 B=120"')
$$;
grant execute on all functions in schema pg_temp to public;
select is(public.ingest_planillas(:'agent_key', :'run2', 0, pg_temp.batch(0, pg_temp.labelled('2024-000001'),
    pg_temp.labelled('2024-000002'))) -> 'counts' -> 'elementos' ->> 'created', '8', 'a second run loads two planillas');
reset role;
select ctid::text as ctid2, xmax::text as xmax2 from public.elementos
where planilla_codigo = '2024-000001' and ferrawin_id = '1-3' \gset
set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run2', 1, pg_temp.batch(1, pg_temp.labelled('2024-000001'),
    pg_temp.labelled('2024-000002'))) -> 'counts',
  '{"planillas":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0},
    "elementos":{"created":0,"updated":0,"unchanged":8,"deleted":0,"rejected":0},
    "entidades":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0}}'::jsonb,
  'an unchanged planilla counts its elementos and entidades unchanged');
reset role;
-- The whole file is one transaction: a row this batch locked would carry the xid in xmax.
select is((select ctid::text || ' ' || xmax::text from public.elementos where planilla_codigo = '2024-000001' and ferrawin_id = '1-3'),
  :'ctid2' || ' ' || :'xmax2', 'an unchanged elemento is neither rewritten nor locked');

set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run2', 2, pg_temp.batch(2,
    jsonb_set(pg_temp.labelled('2024-000001'), '{elementos,0,etiqueta}', '"E-1b"'),
    jsonb_set(pg_temp.labelled('2024-000002'), '{elementos,1,dimensiones}', '"A=345 B=121"'))) -> 'counts',
  '{"planillas":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0},
    "elementos":{"created":0,"updated":2,"unchanged":6,"deleted":0,"rejected":0},
    "entidades":{"created":0,"updated":0,"unchanged":2,"deleted":0,"rejected":0}}'::jsonb,
  'a changed label or dimension in an otherwise unchanged planilla is an update of that elemento');
reset role;
select is((select array_agg(coalesce(etiqueta, '-') || '/' || coalesce(dimensiones, '-') order by planilla_codigo, ferrawin_id)::text
    from public.elementos where planilla_codigo in ('2024-000001', '2024-000002') and ferrawin_id in ('1-1', '1-2')),
  '{E-1b/-,"-/A=345 B=120",E-1/-,"-/A=345 B=121"}', 'the new label and dimension are stored');

set local role service_role;
select is(public.ingest_planillas(:'agent_key', :'run2', 3, pg_temp.batch(3,
    jsonb_set(jsonb_set(pg_temp.labelled('2024-000001'), '{elementos,0,etiqueta}', '"E-1b"'),
      '{entidades,0,composicion}', '{"a":2}'),
    jsonb_set(pg_temp.labelled('2024-000002'), '{elementos,1,dimensiones}', '"A=345 B=121"') #- '{elementos,3}')) -> 'counts',
  '{"planillas":{"created":0,"updated":1,"unchanged":1,"deleted":0,"rejected":0},
    "elementos":{"created":0,"updated":0,"unchanged":7,"deleted":1,"rejected":0},
    "entidades":{"created":0,"updated":1,"unchanged":1,"deleted":0,"rejected":0}}'::jsonb,
  'a changed entidad and an elemento that left are found in otherwise unchanged planillas');
select is(public.ingest_planillas(:'agent_key', :'run2', 4, pg_temp.batch(4,
    jsonb_set(pg_temp.planilla('2024-000003', 1), '{elementos,0,fila}', '-1'),
    jsonb_set(jsonb_set(pg_temp.labelled('2024-000001'), '{elementos,0,etiqueta}', '"E-1c"'),
      '{entidades,0,composicion}', '{"a":2}'),
    jsonb_set(pg_temp.planilla('2024-000004', 2), '{obra}', '{"codigo":"040","nombre":"Obra 40","cliente":null}'))) -> 'counts',
  '{"planillas":{"created":1,"updated":0,"unchanged":1,"deleted":0,"rejected":1},
    "elementos":{"created":2,"updated":1,"unchanged":3,"deleted":0,"rejected":0},
    "entidades":{"created":1,"updated":0,"unchanged":1,"deleted":0,"rejected":0}}'::jsonb,
  'after a rejected planilla the rest of the batch is still compared: a new planilla, a changed label');
reset role;
select is((select etiqueta from public.elementos where planilla_codigo = '2024-000001' and ferrawin_id = '1-1'), 'E-1c',
  'the label changed in the batch''s second attempt is stored');
select is((select row(nombre, cliente_codigo)::text from public.obras where codigo = '40'), '("Obra 40",)', 'a renamed obra is updated');
select is((select count(*)::int from public.elementos where planilla_codigo = '2024-000003'), 0, 'the rejected planilla wrote nothing');

select * from finish();
rollback;
