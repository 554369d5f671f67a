-- Issue #24: every planilla's change journal, written by the ingest itself, and the read RPCs of the
-- Planillas screen (find a planilla by the code forms people type, its status, its elementos, its
-- journal). The contract between this file and the screen is /work/prompts/contract24.md's shape:
-- fields may be added, never renamed.
--
-- What is journaled, and what is not:
-- - One row per planilla that a batch creates or changes, and one per planilla that a batch rejects
--   (kind 'rejected': it did not land). A planilla the batch leaves as it was writes nothing, so a
--   sync that changes nothing writes no journal row (supabase/tests/010_journal.sql proves it).
-- - 'updated' rows hold the elementos added and removed (whole rows) and changed (only the fields that
--   changed, old -> new), the header fields that changed, and the weight and count before and after.
-- - 'created' rows hold the header and the weight and count after, but not a copy of every elemento:
--   a first load would copy every elemento (2 M) into the journal as well, while the
--   planilla's first version is exactly what planilla_elementos shows until its first change.
-- - Removals: today nothing removes a planilla (FerraWin deletions are not detected: no mode compares
--   the cloud's list of codes with FerraWin's). An elemento the source no longer has is deleted by the
--   ingest and journaled as removed. Kind 'removed' is reserved for the day planillas are removed.
-- - A change that only moves the fingerprint (nothing the cloud stores differs) writes nothing.

-- The journal.
create table public.planilla_changes (
  id bigint generated always as identity primary key,
  planilla_codigo text not null check (planilla_codigo ~ '^\d{4}-\d{6}$'),
  -- The run that wrote it. No foreign key to runs, on purpose, as elementos has none to planillas:
  -- its per-row check (a FOR KEY SHARE of the run's row, which every batch updates) halved the speed
  -- of a first load (bench/db at 300,000 elementos: 36k rows/s with it, 79k without, 80k with no
  -- journal at all). Runs are never deleted by Puente (only with their agent, and no RPC deletes
  -- agents); planilla_journal answers run: null for a run that is gone.
  run_id uuid,
  at timestamptz not null default now(),
  kind text not null check (kind in ('created', 'updated', 'removed', 'rejected')),
  -- Changed header fields only: {"descripcion": {"old": ..., "new": ...}, ...}; a created planilla's
  -- set fields with old null.
  header jsonb not null default '{}'::jsonb,
  -- Whole elementos: {ferrawin_id, fila, marca, descripcion_fila, diametro_mm, figura, longitud_mm,
  -- dobleces, barras, peso_kg, dimensiones, etiqueta}, ordered by fila, ferrawin_id.
  added jsonb not null default '[]'::jsonb,
  removed jsonb not null default '[]'::jsonb,
  -- [{ferrawin_id, fila, fields: {"barras": {"old": 12, "new": 16}, ...}}]
  changed jsonb not null default '[]'::jsonb,
  -- How many entidades (ORD_DET lines) were added, removed and changed: {"added", "removed", "changed"}.
  entidades jsonb not null default '{}'::jsonb,
  peso_antes numeric(14, 3),
  peso_despues numeric(14, 3),
  elementos_antes integer,
  elementos_despues integer,
  -- [{reason, detail}] for this planilla in this batch.
  rejects jsonb not null default '[]'::jsonb
);
-- planilla_journal pages one planilla's entries newest first.
create index planilla_changes_planilla_idx on public.planilla_changes (planilla_codigo, id desc);
-- A run's entries (the benches count them; a screen of what one run changed would read them).
create index planilla_changes_run_idx on public.planilla_changes (run_id);

-- find_planillas: "the same number in other years" looks planillas up by their number alone.
create index planillas_numero_idx on public.planillas ((substr(codigo, 6)));
-- planilla_status: a planilla's rejects, newest first, whatever their reason (run_rejects_key_idx
-- leads with the reason).
create index run_rejects_record_idx on public.run_rejects (record_key, at desc);
-- planilla_status: the latest completed incremental FerraWin run (the last check).
create index runs_last_check_idx on public.runs (finished_at desc)
  where source = 'ferrawin' and status = 'completed' and mode = 'incremental';

-- Privileges as the baseline sets them for every table (hosted Supabase's default privileges grant
-- anon, authenticated and service_role ALL on what `postgres` creates): only the writer writes,
-- admins and staff read.
revoke all on public.planilla_changes from public, anon, authenticated, service_role;
revoke all on sequence public.planilla_changes_id_seq from public, anon, authenticated, service_role;
grant select, insert, update, delete on public.planilla_changes to puente_writer;
grant usage on sequence public.planilla_changes_id_seq to puente_writer;
grant select on public.planilla_changes to authenticated;
alter table public.planilla_changes enable row level security;
create policy writer_all on public.planilla_changes for all to puente_writer using (true) with check (true);
create policy staff_read on public.planilla_changes for select to authenticated
  using ((select private.app_role()) in ('admin', 'staff'));

-- The object two versions of a thing are compared by: {"field": {"old": ..., "new": ...}} for each key
-- of p_new whose value differs in p_old (jsonb compares numbers by value: 12.00 equals 12).
create function private.field_changes(p_old jsonb, p_new jsonb) returns jsonb
language sql immutable set search_path = ''
as $$
  select coalesce(pg_catalog.jsonb_object_agg(k.key,
    pg_catalog.jsonb_build_object('old', p_old -> k.key, 'new', p_new -> k.key)), '{}'::jsonb)
  from pg_catalog.jsonb_object_keys(p_new) as k(key)
  where (p_old -> k.key) is distinct from (p_new -> k.key)
$$;

-- The header fields a person reads on a planilla, as the journal compares them. Not the weight and
-- count (peso_antes/despues, elementos_antes/despues carry them) nor the fingerprint (no one reads it).
-- Dates as private.iso writes them. No SET search_path (every name is qualified): the planner inlines
-- it, instead of saving and restoring a GUC for each planilla of every first load (measured with
-- bench/db/profile.ts: with the lateral read of the stored headers, the journal went from 7.7 % of a
-- first load to 2.9 %).
create function private.header_fields(p private.planilla_in) returns jsonb
language sql stable
as $$
  select pg_catalog.jsonb_build_object('descripcion', p.descripcion, 'seccion', p.seccion,
    'ensamblado', p.ensamblado, 'obra_codigo', p.obra_codigo,
    'fecha_creacion', pg_catalog.to_char(p.fecha_creacion at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'fecha_calculo', pg_catalog.to_char(p.fecha_calculo at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
$$;

-- The ingest writes the journal. Same signature, owner (puente_writer) and grants as before; the body
-- is 20261204005000_ingest.sql's with these additions, each measured with bench/db (issue #24):
-- - the stored headers of the batch's planillas are read (and locked) before the header upsert, so the
--   journal can say what each header field was;
-- - the full join that already finds which stored planillas have new, changed or gone elementos and
--   entidades now also keeps, per planilla, the differing rows as JSON (only rows that differ leave the
--   join: an unchanged planilla builds nothing);
-- - step 8 inserts one journal row per created or changed planilla, and the rejects step one per
--   rejected planilla;
-- - two conflicts carry a machine code in DETAIL (issue #23): 'run_not_running' and 'batch_conflict'.
create or replace function public.ingest_planillas(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set jit = off
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.batch_run(v_agent.id, p_run_id, p_seq, p_batch);
  v_replay jsonb := private.replayed_batch(p_run_id, p_seq);
  v_planillas jsonb := coalesce(p_batch -> 'planillas', '[]'::jsonb);
  v_source_rejects jsonb := coalesce(p_batch -> 'rejects', '[]'::jsonb);
  v_rows private.planilla_in[];
  v_bad text[] := '{}';
  v_bad_rejects jsonb := '[]'::jsonb;
  v_new text[];
  v_updated text[];
  v_before private.planilla_in[];
  v_el_diff jsonb;
  v_en_diff jsonb;
  v_existing text[];
  v_el_changed text[];
  v_el_gone text[];
  v_en_changed text[];
  v_en_gone text[];
  v_attempt integer;
  v_total integer;
  v_el_total integer;
  v_en_total integer;
  v_p_created integer; v_p_updated integer;
  v_el_created integer; v_el_updated integer; v_el_deleted integer;
  v_en_created integer; v_en_updated integer; v_en_deleted integer;
  v_result jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  if v_run.status <> 'running' then
    raise exception using errcode = 'PT409', message = format('run is %s, not running', v_run.status),
      detail = 'run_not_running', hint = 'open or resume the run before sending batches';
  end if;
  if jsonb_typeof(v_planillas) <> 'array' then
    raise exception using errcode = 'PT422', message = 'planillas must be an array';
  end if;

  -- Optimistic: the first attempt writes the batch as it is, and every rule the validation checks is
  -- also a constraint, so a bad row makes it fail. Only then does the second attempt validate, set
  -- the invalid planillas aside with their reasons and write the rest. Valid batches (nearly all)
  -- never pay for the validation pass.
  <<attempts>>
  for v_attempt in 1..2 loop
    begin
      if v_attempt = 1 then
        -- 1. Read the planillas' headers once. Codes are stored without leading zeros: k.* goes through
        -- private.entity_code's rule written out, since calling a function with SET search_path costs a
        -- GUC save and restore each time.
        select coalesce(array_agg(row(x.codigo, (a.value ->> 'zconta')::integer, a.value ->> 'descripcion',
            a.value ->> 'seccion', a.value ->> 'ensamblado',
            case when k.obra <> '' then coalesce(nullif(ltrim(k.obra, '0'), ''), '0') end,
            x.obra ->> 'nombre',
            case when k.cliente <> '' then coalesce(nullif(ltrim(k.cliente, '0'), ''), '0') end,
            x.obra -> 'cliente' ->> 'nombre', coalesce(jsonb_typeof(x.obra -> 'cliente') = 'object', false),
            (a.value ->> 'fecha_creacion')::timestamptz, (a.value ->> 'fecha_calculo')::timestamptz,
            (a.value ->> 'peso_total_kg')::numeric, a.value ->> 'fingerprint',
            jsonb_array_length(coalesce(x.elementos, '[]'::jsonb)),
            jsonb_array_length(coalesce(x.entidades, '[]'::jsonb)))::private.planilla_in
            order by a.ordinality), '{}')
        into v_rows
        from jsonb_array_elements(v_planillas) with ordinality as a(value, ordinality)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'obra' as obra,
            a.value -> 'elementos' as elementos, a.value -> 'entidades' as entidades) as x
          cross join lateral (select btrim(x.obra ->> 'codigo') as obra,
            btrim(x.obra -> 'cliente' ->> 'codigo') as cliente) as k;
      else
        -- 2. Validation, only after the first attempt failed.
        select coalesce(array_agg(v.codigo), '{}'), coalesce(jsonb_agg(jsonb_build_object('record_key', v.codigo,
            'reason', 'invalid_record', 'detail', left(v.detail, 1000))), '[]'::jsonb)
        into v_bad, v_bad_rejects
        from private.invalid_planillas(v_planillas, v_rows) as v;
      end if;

      -- For the journal: the stored headers of the batch's planillas as they were before this batch.
      -- Locked as the header upsert below locks them (and in code order, so two batches cannot wait on
      -- each other), so what a concurrent batch wrote meanwhile is not mistaken for this batch's change.
      -- Driven by the batch's codes through a lateral join, like the elementos reads below: a plan made
      -- while the table was small would otherwise scan it.
      select coalesce(array_agg(row(s.codigo, s.zconta, s.descripcion, s.seccion, s.ensamblado, s.obra_codigo,
          null, null, null, null, s.fecha_creacion, s.fecha_calculo, s.peso_total_kg, s.fingerprint,
          s.elementos_count, null)::private.planilla_in), '{}')
      into v_before
      from (select distinct p.codigo from unnest(v_rows) as p where p.codigo <> all (v_bad) order by 1) as c
        cross join lateral (select * from public.planillas s where s.codigo = c.codigo for no key update) as s;

      -- 3. Clientes and obras named by the batch. Only the new or changed ones reach the upsert, so an
      -- unchanged one is read, not locked and rewritten.
      insert into public.clientes as t (codigo, nombre)
      select c.codigo, c.nombre
      from (
        select distinct on (p.cliente_codigo) p.cliente_codigo as codigo, p.cliente_nombre as nombre
        from unnest(v_rows) as p
        where p.codigo <> all (v_bad) and p.has_cliente and p.cliente_codigo is not null
        order by p.cliente_codigo
      ) as c
      where not exists (select from public.clientes s where s.codigo = c.codigo and s.nombre is not distinct from c.nombre)
      on conflict (codigo) do update set nombre = excluded.nombre, synced_at = now()
      where t.nombre is distinct from excluded.nombre;

      insert into public.obras as t (codigo, nombre, cliente_codigo)
      select o.codigo, o.nombre, o.cliente_codigo
      from (
        select distinct on (p.obra_codigo) p.obra_codigo as codigo, p.obra_nombre as nombre, p.cliente_codigo
        from unnest(v_rows) as p
        where p.codigo <> all (v_bad)
        order by p.obra_codigo
      ) as o
      where not exists (select from public.obras s where s.codigo = o.codigo
        and (s.nombre, s.cliente_codigo) is not distinct from (o.nombre, o.cliente_codigo))
      on conflict (codigo) do update
        set nombre = excluded.nombre, cliente_codigo = excluded.cliente_codigo, synced_at = now()
      where (t.nombre, t.cliente_codigo) is distinct from (excluded.nombre, excluded.cliente_codigo);

      -- 4. Planilla headers. first_synced_at keeps its first value; synced_at/last_run_id move on change.
      -- Every header goes through the upsert, changed or not: its row lock is what serialises two
      -- batches that carry the same planilla, so the compare below reads what the other one wrote.
      with up as (
        insert into public.planillas as t (codigo, zconta, descripcion, seccion, ensamblado, obra_codigo,
          fecha_creacion, fecha_calculo, peso_total_kg, elementos_count, fingerprint, last_run_id)
        select p.codigo, p.zconta, p.descripcion, p.seccion, p.ensamblado, p.obra_codigo, p.fecha_creacion,
          p.fecha_calculo, p.peso_total_kg, p.elementos_count, p.fingerprint, p_run_id
        from unnest(v_rows) as p
        where p.codigo <> all (v_bad)
        on conflict (codigo) do update set
          zconta = excluded.zconta, descripcion = excluded.descripcion, seccion = excluded.seccion,
          ensamblado = excluded.ensamblado, obra_codigo = excluded.obra_codigo,
          fecha_creacion = excluded.fecha_creacion, fecha_calculo = excluded.fecha_calculo,
          peso_total_kg = excluded.peso_total_kg, elementos_count = excluded.elementos_count,
          fingerprint = excluded.fingerprint, synced_at = now(), last_run_id = excluded.last_run_id
        where (t.zconta, t.descripcion, t.seccion, t.ensamblado, t.obra_codigo, t.fecha_creacion,
            t.fecha_calculo, t.peso_total_kg, t.elementos_count, t.fingerprint)
          is distinct from (excluded.zconta, excluded.descripcion, excluded.seccion, excluded.ensamblado,
            excluded.obra_codigo, excluded.fecha_creacion, excluded.fecha_calculo, excluded.peso_total_kg,
            excluded.elementos_count, excluded.fingerprint)
        returning t.codigo, (xmax = 0) as inserted
      )
      select count(*) filter (where inserted), count(*) filter (where not inserted),
        coalesce(array_agg(up.codigo) filter (where inserted), '{}'),
        coalesce(array_agg(up.codigo) filter (where not inserted), '{}')
      into v_p_created, v_p_updated, v_new, v_updated from up;
      -- Planillas stored before this batch: only their elementos and entidades can change or go.
      v_existing := array(select p.codigo from unnest(v_rows) as p
        where p.codigo <> all (v_bad) and p.codigo <> all (v_new));

      -- 5. Elementos and entidades of new planillas are plainly inserted (no speculative insertion: a
      -- first load runs close to COPY).
      v_el_created := 0; v_el_updated := 0; v_el_deleted := 0;
      v_en_created := 0; v_en_updated := 0; v_en_deleted := 0;
      v_el_changed := '{}'; v_el_gone := '{}'; v_en_changed := '{}'; v_en_gone := '{}';
      v_el_diff := '{}'; v_en_diff := '{}';
      if cardinality(v_new) > 0 then
        insert into public.elementos (planilla_codigo, ferrawin_id, fila, marca, descripcion_fila,
          diametro_mm, figura, longitud_mm, dobleces, barras, peso_kg, dimensiones, etiqueta)
        select p.codigo, e.ferrawin_id, e.fila, e.marca, e.descripcion_fila, e.diametro_mm, e.figura,
          e.longitud_mm, e.dobleces, e.barras, e.peso_kg, e.dimensiones, e.etiqueta
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as p
          cross join lateral jsonb_to_recordset(coalesce(p.elementos, '[]'::jsonb)) as e(ferrawin_id text,
            fila integer, marca text, descripcion_fila text, diametro_mm numeric, figura text,
            longitud_mm numeric, dobleces integer, barras integer, peso_kg numeric, dimensiones text,
            etiqueta text)
        where p.codigo = any (v_new);
        get diagnostics v_el_created = row_count;

        -- Most planillas have no entidades: the pass over the batch is skipped then.
        if exists (select from unnest(v_rows) as p where p.codigo = any (v_new) and p.entidades_count > 0) then
          insert into public.entidades (planilla_codigo, linea, marca, situacion, cantidad, miembros, modelo,
            cotas, composicion, distribucion)
          select p.codigo, n.linea, n.marca, n.situacion, n.cantidad, n.miembros, n.modelo, n.cotas,
            n.composicion, n.distribucion
          from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'entidades' as entidades) as p
            cross join lateral jsonb_to_recordset(coalesce(p.entidades, '[]'::jsonb)) as n(linea text,
              marca text, situacion text, cantidad integer, miembros integer, modelo text, cotas text,
              composicion jsonb, distribucion jsonb)
          where p.codigo = any (v_new);
          get diagnostics v_en_created = row_count;
        end if;
      end if;

      -- 6. Stored planillas. Their stored rows are read once (through the primary key's prefix) and
      -- matched with the incoming ones: only planillas with a new or different row go through the upsert
      -- below, and only planillas with a row the source no longer has through the delete. An unchanged
      -- planilla is read, never locked or rewritten (the upsert locks every row it meets, even the ones
      -- its WHERE leaves alone).
      if cardinality(v_existing) > 0 then
        with incoming as materialized (
          select p.codigo, e.*
          from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as p
            cross join lateral jsonb_to_recordset(coalesce(p.elementos, '[]'::jsonb)) as e(ferrawin_id text,
              fila integer, marca text, descripcion_fila text, diametro_mm numeric, figura text,
              longitud_mm numeric, dobleces integer, barras integer, peso_kg numeric, dimensiones text,
              etiqueta text)
          where p.codigo = any (v_existing)
        ), stored as (
          select s.* from unnest(v_existing) as c(codigo)
            cross join lateral (select * from public.elementos s where s.planilla_codigo = c.codigo offset 0) as s
        ), differing as (
          -- Only the rows that differ leave the join, so an unchanged planilla builds no JSON at all.
          select coalesce(i.codigo, s.planilla_codigo) as codigo, coalesce(i.fila, s.fila) as fila,
            coalesce(i.ferrawin_id, s.ferrawin_id) as ferrawin_id,
            case when s.planilla_codigo is null then to_jsonb(i) - 'codigo' end as added,
            case when i.codigo is null then to_jsonb(s) - 'planilla_codigo' end as removed,
            case when i.codigo is not null and s.planilla_codigo is not null then jsonb_build_object(
              'ferrawin_id', i.ferrawin_id, 'fila', i.fila,
              'fields', private.field_changes(to_jsonb(s) - 'planilla_codigo', to_jsonb(i) - 'codigo')) end as changed
          from incoming i full join stored s on s.planilla_codigo = i.codigo and s.ferrawin_id = i.ferrawin_id
          where i.codigo is null or s.planilla_codigo is null
            or (s.fila, s.marca, s.descripcion_fila, s.diametro_mm, s.figura, s.longitud_mm, s.dobleces, s.barras,
              s.peso_kg, s.dimensiones, s.etiqueta)
            is distinct from (i.fila, i.marca, i.descripcion_fila, i.diametro_mm, i.figura, i.longitud_mm,
              i.dobleces, i.barras, i.peso_kg, i.dimensiones, i.etiqueta)
        ), per_planilla as (
          select d.codigo,
            coalesce(jsonb_agg(d.added order by d.fila, d.ferrawin_id) filter (where d.added is not null),
              '[]'::jsonb) as added,
            coalesce(jsonb_agg(d.removed order by d.fila, d.ferrawin_id) filter (where d.removed is not null),
              '[]'::jsonb) as removed,
            coalesce(jsonb_agg(d.changed order by d.fila, d.ferrawin_id) filter (where d.changed is not null),
              '[]'::jsonb) as changed
          from differing d
          group by d.codigo
        )
        select coalesce(array_agg(pp.codigo) filter (where pp.added <> '[]' or pp.changed <> '[]'), '{}'),
          coalesce(array_agg(pp.codigo) filter (where pp.removed <> '[]'), '{}'),
          coalesce(jsonb_object_agg(pp.codigo, jsonb_build_object('added', pp.added, 'removed', pp.removed,
            'changed', pp.changed)), '{}'::jsonb)
        into v_el_changed, v_el_gone, v_el_diff
        from per_planilla pp;

        with incoming as materialized (
          select p.codigo, n.*
          from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'entidades' as entidades) as p
            cross join lateral jsonb_to_recordset(coalesce(p.entidades, '[]'::jsonb)) as n(linea text,
              marca text, situacion text, cantidad integer, miembros integer, modelo text, cotas text,
              composicion jsonb, distribucion jsonb)
          where p.codigo = any (v_existing)
        ), stored as (
          select s.* from unnest(v_existing) as c(codigo)
            cross join lateral (select * from public.entidades s where s.planilla_codigo = c.codigo offset 0) as s
        )
        select coalesce(array_agg(d.codigo) filter (where d.added + d.changed > 0), '{}'),
          coalesce(array_agg(d.codigo) filter (where d.removed > 0), '{}'),
          coalesce(jsonb_object_agg(d.codigo, jsonb_build_object('added', d.added, 'removed', d.removed,
            'changed', d.changed)), '{}'::jsonb)
        into v_en_changed, v_en_gone, v_en_diff
        from (
          select coalesce(i.codigo, s.planilla_codigo) as codigo,
            count(*) filter (where s.planilla_codigo is null)::integer as added,
            count(*) filter (where i.codigo is null)::integer as removed,
            count(*) filter (where i.codigo is not null and s.planilla_codigo is not null)::integer as changed
          from incoming i full join stored s on s.planilla_codigo = i.codigo and s.linea = i.linea
          where i.codigo is null or s.planilla_codigo is null
            or (s.marca, s.situacion, s.cantidad, s.miembros, s.modelo, s.cotas, s.composicion, s.distribucion)
            is distinct from (i.marca, i.situacion, i.cantidad, i.miembros, i.modelo, i.cotas, i.composicion,
              i.distribucion)
          group by 1
        ) as d;
      end if;

      if cardinality(v_el_changed) > 0 then
        with up as (
          insert into public.elementos as t (planilla_codigo, ferrawin_id, fila, marca, descripcion_fila,
            diametro_mm, figura, longitud_mm, dobleces, barras, peso_kg, dimensiones, etiqueta)
          select p.codigo, e.ferrawin_id, e.fila, e.marca, e.descripcion_fila, e.diametro_mm, e.figura,
            e.longitud_mm, e.dobleces, e.barras, e.peso_kg, e.dimensiones, e.etiqueta
          from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as p
            cross join lateral jsonb_to_recordset(coalesce(p.elementos, '[]'::jsonb)) as e(ferrawin_id text,
              fila integer, marca text, descripcion_fila text, diametro_mm numeric, figura text,
              longitud_mm numeric, dobleces integer, barras integer, peso_kg numeric, dimensiones text,
              etiqueta text)
          where p.codigo = any (v_el_changed)
          on conflict (planilla_codigo, ferrawin_id) do update set
            fila = excluded.fila, marca = excluded.marca, descripcion_fila = excluded.descripcion_fila,
            diametro_mm = excluded.diametro_mm, figura = excluded.figura, longitud_mm = excluded.longitud_mm,
            dobleces = excluded.dobleces, barras = excluded.barras, peso_kg = excluded.peso_kg,
            dimensiones = excluded.dimensiones, etiqueta = excluded.etiqueta
          where (t.fila, t.marca, t.descripcion_fila, t.diametro_mm, t.figura, t.longitud_mm, t.dobleces,
              t.barras, t.peso_kg, t.dimensiones, t.etiqueta)
            is distinct from (excluded.fila, excluded.marca, excluded.descripcion_fila, excluded.diametro_mm,
              excluded.figura, excluded.longitud_mm, excluded.dobleces, excluded.barras, excluded.peso_kg,
              excluded.dimensiones, excluded.etiqueta)
          returning (xmax = 0) as inserted
        )
        select v_el_created + count(*) filter (where inserted), count(*) filter (where not inserted)
        into v_el_created, v_el_updated from up;
      end if;

      -- NOT IN becomes a hashed subplan holding only the two keys (never null here: validation rejected
      -- those planillas).
      if cardinality(v_el_gone) > 0 then
        with gone as (
          delete from public.elementos t
          using unnest(v_el_gone) as c(codigo)
          where t.planilla_codigo = c.codigo
            and (t.planilla_codigo, t.ferrawin_id) not in (
              select p.codigo, e.value ->> 'ferrawin_id'
              from jsonb_array_elements(v_planillas) as a(value)
                cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as p
                cross join lateral jsonb_array_elements(coalesce(p.elementos, '[]'::jsonb)) as e(value)
              where p.codigo = any (v_el_gone))
          returning 1
        )
        select count(*) into v_el_deleted from gone;
      end if;

      if cardinality(v_en_changed) > 0 then
        with up as (
          insert into public.entidades as t (planilla_codigo, linea, marca, situacion, cantidad, miembros,
            modelo, cotas, composicion, distribucion)
          select p.codigo, n.linea, n.marca, n.situacion, n.cantidad, n.miembros, n.modelo, n.cotas,
            n.composicion, n.distribucion
          from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'entidades' as entidades) as p
            cross join lateral jsonb_to_recordset(coalesce(p.entidades, '[]'::jsonb)) as n(linea text,
              marca text, situacion text, cantidad integer, miembros integer, modelo text, cotas text,
              composicion jsonb, distribucion jsonb)
          where p.codigo = any (v_en_changed)
          on conflict (planilla_codigo, linea) do update set
            marca = excluded.marca, situacion = excluded.situacion, cantidad = excluded.cantidad,
            miembros = excluded.miembros, modelo = excluded.modelo, cotas = excluded.cotas,
            composicion = excluded.composicion, distribucion = excluded.distribucion
          where (t.marca, t.situacion, t.cantidad, t.miembros, t.modelo, t.cotas, t.composicion, t.distribucion)
            is distinct from (excluded.marca, excluded.situacion, excluded.cantidad, excluded.miembros,
              excluded.modelo, excluded.cotas, excluded.composicion, excluded.distribucion)
          returning (xmax = 0) as inserted
        )
        select v_en_created + count(*) filter (where inserted), count(*) filter (where not inserted)
        into v_en_created, v_en_updated from up;
      end if;

      if cardinality(v_en_gone) > 0 then
        with gone as (
          delete from public.entidades t
          using unnest(v_en_gone) as c(codigo)
          where t.planilla_codigo = c.codigo
            and (t.planilla_codigo, t.linea) not in (
              select p.codigo, n.value ->> 'linea'
              from jsonb_array_elements(v_planillas) as a(value)
                cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'entidades' as entidades) as p
                cross join lateral jsonb_array_elements(coalesce(p.entidades, '[]'::jsonb)) as n(value)
              where p.codigo = any (v_en_gone))
          returning 1
        )
        select count(*) into v_en_deleted from gone;
      end if;

      -- 7. Rejects: the ones the agent found before sending, and the ones found here.
      if jsonb_array_length(v_source_rejects) + jsonb_array_length(v_bad_rejects) > 0 then
        insert into public.run_rejects (run_id, record_key, reason, detail, payload)
        select p_run_id, left(r.record_key, 200), r.reason, left(r.detail, 1000), r.payload
        from jsonb_to_recordset(v_source_rejects || v_bad_rejects)
          as r(record_key text, reason text, detail text, payload jsonb);

        -- The journal: a rejected planilla's entry says why it did not land (rejects keyed by something
        -- other than a planilla code, such as a header without a code, belong to no planilla).
        insert into public.planilla_changes (planilla_codigo, run_id, kind, rejects, peso_antes, peso_despues,
          elementos_antes, elementos_despues)
        select r.record_key, p_run_id, 'rejected',
          jsonb_agg(jsonb_build_object('reason', r.reason, 'detail', left(r.detail, 1000)) order by r.reason),
          s.peso_total_kg, s.peso_total_kg, s.elementos_count, s.elementos_count
        from jsonb_to_recordset(v_source_rejects || v_bad_rejects) as r(record_key text, reason text, detail text)
          left join public.planillas s on s.codigo = r.record_key
        where r.record_key ~ '^\d{4}-\d{6}$'
        group by r.record_key, s.codigo;
      end if;

      -- 8. The journal: one row per planilla this batch created or changed, none for an unchanged one
      -- (nor for one whose fingerprint alone moved). The diffs were computed above, from the same reads
      -- that decide what to write; a first load only adds one small row per planilla.
      insert into public.planilla_changes (planilla_codigo, run_id, kind, header, added, removed, changed,
        entidades, peso_antes, peso_despues, elementos_antes, elementos_despues)
      select p.codigo, p_run_id, case when b.codigo is null then 'created' else 'updated' end, h.header,
        coalesce(v_el_diff -> p.codigo -> 'added', '[]'::jsonb),
        coalesce(v_el_diff -> p.codigo -> 'removed', '[]'::jsonb),
        coalesce(v_el_diff -> p.codigo -> 'changed', '[]'::jsonb),
        coalesce(v_en_diff -> p.codigo, '{}'::jsonb),
        b.peso_total_kg, p.peso_total_kg, b.elementos_count, p.elementos_count
      from unnest(v_rows) as p
        left join unnest(v_before) as b on b.codigo = p.codigo
        cross join lateral (select case when b.codigo is null
            then (select coalesce(jsonb_object_agg(f.key, jsonb_build_object('old', null, 'new', f.value)), '{}'::jsonb)
              from jsonb_each(private.header_fields(p)) as f where f.value <> 'null'::jsonb)
          when p.codigo = any (v_updated)
            then private.field_changes(private.header_fields(b), private.header_fields(p))
          else '{}'::jsonb end as header) as h
      where p.codigo <> all (v_bad)
        and (b.codigo is null or h.header <> '{}'::jsonb or v_el_diff ? p.codigo or v_en_diff ? p.codigo
          or (b.peso_total_kg, b.elementos_count) is distinct from (p.peso_total_kg, p.elementos_count));

      select cardinality(v_rows), coalesce(sum(p.elementos_count), 0), coalesce(sum(p.entidades_count), 0)
      into v_total, v_el_total, v_en_total
      from unnest(v_rows) as p where p.codigo <> all (v_bad);
      exit attempts;
    exception
      -- Two batches raced to create the same planilla: nothing was written, resending succeeds.
      when unique_violation then
        if v_attempt = 2 then
          raise exception using errcode = 'PT409', message = 'a concurrent batch wrote the same planilla',
            detail = 'batch_conflict', hint = 'resend this batch';
        end if;
      when check_violation or not_null_violation or cardinality_violation or numeric_value_out_of_range
        or foreign_key_violation then
        if v_attempt = 2 then
          raise exception using errcode = 'PT422', message = 'batch refused: ' || sqlerrm,
            hint = 'nothing of this batch was written; fix the rows and resend';
        end if;
      -- A value of the wrong type cannot be set aside row by row: the batch is malformed.
      when invalid_text_representation or datetime_field_overflow or invalid_datetime_format
        or invalid_parameter_value or string_data_right_truncation then
        raise exception using errcode = 'PT422', message = 'batch refused: ' || sqlerrm,
          hint = 'nothing of this batch was written; fix the rows and resend';
    end;
  end loop;

  v_result := jsonb_build_object('seq', p_seq, 'replayed', false,
    'counts', jsonb_build_object(
      'planillas', jsonb_build_object('created', v_p_created, 'updated', v_p_updated,
        'unchanged', v_total - cardinality(v_bad) - v_p_created - v_p_updated, 'deleted', 0,
        'rejected', cardinality(v_bad) + jsonb_array_length(v_source_rejects)),
      'elementos', jsonb_build_object('created', v_el_created, 'updated', v_el_updated,
        'unchanged', v_el_total - v_el_created - v_el_updated, 'deleted', v_el_deleted, 'rejected', 0),
      'entidades', jsonb_build_object('created', v_en_created, 'updated', v_en_updated,
        'unchanged', v_en_total - v_en_created - v_en_updated, 'deleted', v_en_deleted, 'rejected', 0)),
    'rejects', (select coalesce(jsonb_agg(jsonb_build_object('record_key', r ->> 'record_key',
        'reason', r ->> 'reason')), '[]'::jsonb)
      from jsonb_array_elements(v_source_rejects || v_bad_rejects) as r));
  return private.finish_batch(p_run_id, p_seq, v_result);
end
$$;

-- The read RPCs of the Planillas screen. Security invoker like every other read (the contract said
-- definer; invoker keeps the staff_read policies the only gate, as ARCHITECTURE.md's "web users read
-- through RPCs with their own JWT, so RLS applies" asks); each also checks the role itself, for a
-- clear PT403 instead of empty answers. Measured against authenticated's 8 s statement timeout on
-- the e2e dataset (2 M elementos) by bench/db/timeouts.ts.

-- A planilla code in the forms people type, normalised to 'YYYY-NNNNNN'; null when the text is no
-- code form. '2025-007816', '2025-7816', '25-7816', '2025/7816', '2025.7816', '2025 7816' (a 2-digit
-- year is 20yy).
create function private.planilla_code(p_text text) returns text
language sql immutable set search_path = ''
as $$
  select case when m[2]::bigint between 1 and 999999 then
      case when length(m[1]) = 2 then '20' || m[1] else m[1] end || '-' || lpad(m[2]::bigint::text, 6, '0')
    end
  from (select regexp_match(p_text, '^\s*(\d{4}|\d{2})\s*[-/.\s]\s*(\d{1,12})\s*$') as m) as x
$$;

-- The text a lookup RPC was given, trimmed; 22023 (PostgREST: 400) when blank or overlong.
create function private.lookup_text(p_text text, p_name text) returns text
language plpgsql immutable set search_path = ''
as $$
begin
  if p_text is null or btrim(p_text) = '' then
    raise exception using errcode = '22023', message = format('%s is required', p_name),
      hint = 'type a planilla code such as 2025-007816, 2025-7816 or 25-7816';
  end if;
  if length(p_text) > 64 then
    raise exception using errcode = '22023', message = format('%s is longer than 64 characters', p_name);
  end if;
  return btrim(p_text);
end
$$;

-- The code the read RPCs address; 22023 when the text is no code form.
create function private.required_planilla_code(p_text text) returns text
language plpgsql immutable set search_path = ''
as $$
declare
  v_codigo text := private.planilla_code(private.lookup_text(p_text, 'p_codigo'));
begin
  if v_codigo is null then
    raise exception using errcode = '22023', message = format('"%s" is not a planilla code', btrim(p_text)),
      hint = 'a planilla code is a year and a number, such as 2025-007816, 2025-7816 or 25-7816';
  end if;
  return v_codigo;
end
$$;

-- Finds a planilla by what was typed; when the code does not exist, near misses, best first: the same
-- number in other years (newest first), then neighbouring numbers of the same year (closest first),
-- then numbers starting with the digits typed (in that year when one was typed).
create function public.find_planillas(p_query text, p_limit integer default 8) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_text text;
  v_codigo text;
  v_found boolean := false;
  v_year text;
  v_number integer;
  v_digits text;
  v_limit integer := least(greatest(coalesce(p_limit, 8), 1), 50);
  v_suggestions jsonb := '[]'::jsonb;
begin
  perform private.require_role('admin', 'staff');
  v_text := private.lookup_text(p_query, 'p_query');
  v_codigo := private.planilla_code(v_text);
  if v_codigo is not null then
    v_found := exists (select from public.planillas p where p.codigo = v_codigo);
    v_year := left(v_codigo, 4);
    v_number := substr(v_codigo, 6)::integer;
    v_digits := v_number::text;
  else
    -- No code form: the last group of digits typed, if it can be a number, still finds planillas.
    v_digits := ltrim((regexp_match(v_text, '(\d+)\D*$'))[1], '0');
    if length(v_digits) between 1 and 6 then
      v_number := v_digits::integer;
    else
      v_digits := null;
    end if;
  end if;

  if not v_found and v_number is not null then
    select coalesce(jsonb_agg(jsonb_build_object('codigo', s.codigo, 'descripcion', p.descripcion,
        'obra_codigo', p.obra_codigo, 'obra_nombre', o.nombre, 'match', s.match) order by s.rank, s.nearness,
        s.codigo desc), '[]'::jsonb)
    into v_suggestions
    from (
      select d.* from (
        select distinct on (c.codigo) c.codigo, c.rank, c.match, c.nearness
        from (
          (select p.codigo, 1 as rank, 'other_year' as match, 0 as nearness
            from public.planillas p where substr(p.codigo, 6) = lpad(v_number::text, 6, '0')
            order by p.codigo desc limit v_limit)
          union all
          (select p.codigo, 2, 'nearby', abs(substr(p.codigo, 6)::integer - v_number)
            from public.planillas p
            where v_year is not null
              and p.codigo between v_year || '-' || lpad(greatest(v_number - 50, 0)::text, 6, '0')
                and v_year || '-' || lpad(least(v_number + 50, 999999)::text, 6, '0')
            order by abs(substr(p.codigo, 6)::integer - v_number), p.codigo limit v_limit)
          union all
          (select p.codigo, 3, 'prefix', 0
            from public.planillas p
            where (v_year is null or p.zconta = v_year::integer)
              and ltrim(substr(p.codigo, 6), '0') like v_digits || '%'
              and ltrim(substr(p.codigo, 6), '0') <> v_digits
            order by p.codigo desc limit v_limit)
        ) as c
        where c.codigo is distinct from v_codigo
        order by c.codigo, c.rank
      ) as d
      order by d.rank, d.nearness, d.codigo desc
      limit v_limit
    ) as s
    join public.planillas p on p.codigo = s.codigo
    left join public.obras o on o.codigo = p.obra_codigo;
  end if;

  return jsonb_build_object('query', p_query, 'codigo', v_codigo, 'found', v_found,
    'suggestions', v_suggestions);
end
$$;

-- What the screen's status card shows for one planilla, also for a code that never landed.
--
-- last_check, "did the last incremental check find it equal to FerraWin", is derived, not written per
-- planilla: an incremental run compares every planilla's fingerprint (all years: its scope has no year;
-- a run whose params name a year covers only that year) and re-sends only those that differ, so after
-- the latest completed incremental run the cloud holds what FerraWin held, for every planilla it did not
-- reject. Equal is therefore "that run rejected nothing under this code". Writing a row per planilla
-- per check instead would cost 37,000 writes on every sync that finds nothing to do. For a planilla not
-- in the cloud there is nothing to be equal to: last_check is null.
--
-- open_rejects: the rejects of the latest run that rejected this code, unless the planilla landed after
-- them (synced_at, or a created/updated journal entry), or a later completed incremental check passed
-- without rejecting it. That last rule does not close a missing_obra reject: the agent does not re-send
-- such a planilla until it changes, so a check that skipped it proves nothing.
create function public.planilla_status(p_codigo text) returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_codigo text;
  v_planilla public.planillas;
  v_check public.runs;
  v_landed timestamptz;
  v_rejects jsonb;
  v_last_run jsonb;
  v_obra jsonb;
  v_cliente jsonb;
begin
  perform private.require_role('admin', 'staff');
  v_codigo := private.required_planilla_code(p_codigo);
  select * into v_planilla from public.planillas p where p.codigo = v_codigo;

  select * into v_check from public.runs r
  where r.source = 'ferrawin' and r.status = 'completed' and r.mode = 'incremental'
    and (r.params ->> 'year' is null or r.params ->> 'year' = left(v_codigo, 4))
  order by r.finished_at desc nulls last
  limit 1;

  v_landed := greatest(v_planilla.synced_at, (select max(j.at) from public.planilla_changes j
    where j.planilla_codigo = v_codigo and j.kind in ('created', 'updated')));

  select coalesce(jsonb_agg(jsonb_build_object('run_id', rr.run_id, 'reason', rr.reason, 'detail', rr.detail,
      'at', private.iso(rr.at)) order by rr.id), '[]'::jsonb)
  into v_rejects
  from public.run_rejects rr
  where rr.record_key = v_codigo
    and rr.run_id = (select x.run_id from public.run_rejects x where x.record_key = v_codigo
      order by x.at desc, x.id desc limit 1)
    and (v_landed is null or rr.at > v_landed)
    and (rr.reason = 'missing_obra' or v_check.id is null or coalesce(v_check.started_at, v_check.created_at) <= rr.at
      or v_check.id = rr.run_id);

  if v_planilla.codigo is not null then
    select jsonb_build_object('id', r.id, 'source', r.source, 'mode', r.mode, 'status', r.status,
        'started_at', private.iso(r.started_at), 'finished_at', private.iso(r.finished_at),
        'scheduled', r.scheduled)
    into v_last_run
    from public.runs r where r.id = v_planilla.last_run_id;
    select jsonb_build_object('codigo', o.codigo, 'nombre', o.nombre),
      case when c.codigo is not null then jsonb_build_object('codigo', c.codigo, 'nombre', c.nombre) end
    into v_obra, v_cliente
    from public.obras o left join public.clientes c on c.codigo = o.cliente_codigo
    where o.codigo = v_planilla.obra_codigo;
  end if;

  return jsonb_build_object(
    'codigo', v_codigo,
    'in_cloud', v_planilla.codigo is not null,
    'descripcion', v_planilla.descripcion,
    'seccion', v_planilla.seccion,
    'ensamblado', v_planilla.ensamblado,
    'obra', v_obra,
    'cliente', v_cliente,
    'fecha_creacion', private.iso(v_planilla.fecha_creacion),
    'fecha_calculo', private.iso(v_planilla.fecha_calculo),
    'elementos_count', v_planilla.elementos_count,
    'peso_total_kg', v_planilla.peso_total_kg,
    'first_synced_at', private.iso(v_planilla.first_synced_at),
    'synced_at', private.iso(v_planilla.synced_at),
    'last_run', v_last_run,
    'last_check', case when v_planilla.codigo is not null and v_check.id is not null then
      jsonb_build_object('run_id', v_check.id, 'at', private.iso(v_check.finished_at),
        'equal', not exists (select from public.run_rejects x where x.run_id = v_check.id
          and x.record_key = v_codigo)) end,
    'open_rejects', v_rejects);
end
$$;

-- One planilla's elementos, a page at a time in (fila, ferrawin_id) order, with the planilla's totals.
-- The cursor is "<fila>:<ferrawin_id>" of the page's last item. No index on fila: a planilla has tens
-- to a few thousand elementos, sorted in memory, and every index on elementos slows the ingest.
create function public.planilla_elementos(p_codigo text, p_after text default null, p_limit integer default 100)
returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_codigo text;
  v_limit integer := least(greatest(coalesce(p_limit, 100), 1), 500);
  v_after text[];
  v_items jsonb;
  v_count integer;
  v_last jsonb;
begin
  perform private.require_role('admin', 'staff');
  v_codigo := private.required_planilla_code(p_codigo);
  if p_after is not null then
    v_after := regexp_match(p_after, '^(\d{1,9}):(\S{1,200})$');
    if v_after is null then
      raise exception using errcode = '22023', message = 'p_after is not a cursor this RPC returned';
    end if;
  end if;

  select coalesce(jsonb_agg(jsonb_build_object('ferrawin_id', e.ferrawin_id, 'fila', e.fila, 'marca', e.marca,
      'descripcion_fila', e.descripcion_fila, 'diametro_mm', e.diametro_mm, 'figura', e.figura,
      'longitud_mm', e.longitud_mm, 'dobleces', e.dobleces, 'barras', e.barras, 'peso_kg', e.peso_kg,
      'dimensiones', e.dimensiones, 'etiqueta', e.etiqueta) order by e.fila, e.ferrawin_id)
      filter (where e.n <= v_limit), '[]'::jsonb),
    count(*)::integer
  into v_items, v_count
  from (
    select x.*, row_number() over (order by x.fila, x.ferrawin_id) as n
    from public.elementos x
    where x.planilla_codigo = v_codigo
      and (v_after is null or (x.fila, x.ferrawin_id) > (v_after[1]::integer, v_after[2]))
    order by x.fila, x.ferrawin_id
    limit v_limit + 1
  ) as e;
  v_last := v_items -> (jsonb_array_length(v_items) - 1);

  return jsonb_build_object(
    'items', v_items,
    'next', case when v_count > v_limit then (v_last ->> 'fila') || ':' || (v_last ->> 'ferrawin_id') end,
    'totals', (select jsonb_build_object('elementos', count(*)::integer, 'barras', coalesce(sum(t.barras), 0),
        'peso_kg', coalesce(sum(t.peso_kg), 0),
        'by_diametro', coalesce((select jsonb_agg(jsonb_build_object('diametro_mm', d.diametro_mm,
            'elementos', d.elementos, 'barras', d.barras, 'peso_kg', d.peso_kg) order by d.diametro_mm)
          from (select y.diametro_mm, count(*)::integer as elementos, coalesce(sum(y.barras), 0) as barras,
              coalesce(sum(y.peso_kg), 0) as peso_kg
            from public.elementos y where y.planilla_codigo = v_codigo group by y.diametro_mm) as d), '[]'::jsonb))
      from public.elementos t where t.planilla_codigo = v_codigo));
end
$$;

-- One planilla's journal, newest first, a page at a time (p_before: the `next` of the previous page).
create function public.planilla_journal(p_codigo text, p_before bigint default null, p_limit integer default 20)
returns jsonb
language plpgsql stable set search_path = ''
as $$
declare
  v_codigo text;
  v_limit integer := least(greatest(coalesce(p_limit, 20), 1), 100);
  v_entries jsonb;
  v_count integer;
begin
  perform private.require_role('admin', 'staff');
  v_codigo := private.required_planilla_code(p_codigo);
  select coalesce(jsonb_agg(jsonb_build_object('id', j.id, 'run_id', j.run_id, 'at', private.iso(j.at),
      'kind', j.kind, 'header', j.header, 'added', j.added, 'removed', j.removed, 'changed', j.changed,
      'entidades', j.entidades, 'peso_antes', j.peso_antes, 'peso_despues', j.peso_despues,
      'elementos_antes', j.elementos_antes, 'elementos_despues', j.elementos_despues, 'rejects', j.rejects,
      'run', case when r.id is not null then jsonb_build_object('source', r.source, 'mode', r.mode,
        'scheduled', r.scheduled, 'status', r.status) end) order by j.id desc)
      filter (where j.n <= v_limit), '[]'::jsonb),
    count(*)::integer
  into v_entries, v_count
  from (
    select x.*, row_number() over (order by x.id desc) as n
    from public.planilla_changes x
    where x.planilla_codigo = v_codigo and (p_before is null or x.id < p_before)
    order by x.id desc
    limit v_limit + 1
  ) as j
  left join public.runs r on r.id = j.run_id;

  return jsonb_build_object('entries', v_entries,
    'next', case when v_count > v_limit then (v_entries -> (v_limit - 1) ->> 'id')::bigint end);
end
$$;

-- Privileges as the grants migration sets them: no function starts with EXECUTE for anyone; the read
-- RPCs are for authenticated (they check admin/staff), the helpers for the roles that run them.
revoke execute on function public.find_planillas(text, integer), public.planilla_status(text),
  public.planilla_elementos(text, text, integer), public.planilla_journal(text, bigint, integer)
  from public, anon, authenticated, service_role;
revoke execute on function private.field_changes(jsonb, jsonb), private.header_fields(private.planilla_in),
  private.planilla_code(text), private.lookup_text(text, text), private.required_planilla_code(text)
  from public, anon, authenticated, service_role;
grant execute on function public.find_planillas(text, integer), public.planilla_status(text),
  public.planilla_elementos(text, text, integer), public.planilla_journal(text, bigint, integer)
  to authenticated;
grant execute on function private.planilla_code(text), private.lookup_text(text, text),
  private.required_planilla_code(text) to authenticated;
grant execute on function private.field_changes(jsonb, jsonb), private.header_fields(private.planilla_in)
  to puente_writer;
