-- Set-based ingest: one statement per table per batch from jsonb_to_recordset, no per-row loops.
-- Upserts skip rows that are IS NOT DISTINCT FROM the stored ones (so they are neither rewritten nor
-- counted as updated). The whole batch is one transaction; its answer is stored in ingest_batches so
-- a replay of (run, seq) returns it and changes nothing.

-- Checks a batch's run: this agent's and running, else the batch is refused whole. A batch from the
-- agent of a stalled run brings the run back to running, as a progress report does: an agent that
-- was only frozen (a suspended PC, a long network partition) carries on when it wakes up, and its
-- first request is often a batch. The run stays stalled only when another run of the source has
-- become active meanwhile; then the batch is still refused.
create function private.batch_run(p_agent_id uuid, p_run_id uuid, p_seq integer,
  p_batch jsonb)
returns public.runs
language plpgsql volatile set search_path = ''
as $$
declare
  v_run public.runs;
begin
  select * into v_run from public.runs r where r.id = p_run_id and r.agent_id = p_agent_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'run not found for this agent';
  end if;
  if p_seq is null or p_seq < 0 then
    raise exception using errcode = 'PT422', message = 'seq must be a non-negative integer';
  end if;
  if jsonb_typeof(p_batch) is distinct from 'object' then
    raise exception using errcode = 'PT422', message = 'batch must be a JSON object';
  end if;
  if v_run.status = 'stalled' then
    begin
      update public.runs r set status = 'running', updated_at = now()
      where r.id = v_run.id and r.status = 'stalled'
      returning * into v_run;
    exception when unique_violation then
      null; -- another run of the source is active: this one stays stalled and the batch is refused
    end;
    if v_run.id is null then
      select * into v_run from public.runs r where r.id = p_run_id;
    end if;
  end if;
  return v_run;
end
$$;

-- Stores the batch's answer and adds its counts to the run. The run must still be running: the
-- conditional update (instead of a lock taken earlier) lets a run's batches ingest concurrently.
create function private.finish_batch(p_run_id uuid, p_seq integer, p_result jsonb) returns jsonb
language plpgsql set search_path = ''
as $$
begin
  insert into public.ingest_batches (run_id, seq, result) values (p_run_id, p_seq, p_result);
  update public.runs r
  set counts = private.add_counts(r.counts, p_result -> 'counts'), updated_at = now()
  where r.id = p_run_id and r.status = 'running';
  if not found then
    raise exception using errcode = 'PT409', message = 'run is not running',
      hint = 'open or resume the run before sending batches';
  end if;
  return p_result;
end
$$;

-- The first answer to (run, seq), or null. Waits for an in-flight twin to commit first.
create function private.replayed_batch(p_run_id uuid, p_seq integer) returns jsonb
language plpgsql set search_path = ''
as $$
declare
  v_result jsonb;
begin
  select b.result into v_result from public.ingest_batches b where b.run_id = p_run_id and b.seq = p_seq;
  return case when v_result is null then null
    else jsonb_set(v_result, '{replayed}', 'true'::jsonb) end;
end
$$;

-- Planilla ingest, as made faster in issue #3 (each choice measured with `bun bench/db/profile.ts`):
-- 1. The planillas' headers are read once: one pass turns them into typed rows (private.planilla_in)
--    that the cliente, obra, header and count statements read, instead of each of them walking the
--    jsonb again (and calling a code-normalising helper whose SET search_path makes every call a GUC
--    save and restore, five times per planilla: the rule is written out inline instead).
-- 2. Statements with nothing to do are not run (a first load has no stored planillas to compare, a
--    re-ingest creates nothing), so they are neither planned nor executed.
-- 3. Unchanged rows are found by reading, not by writing. Before, every incoming elemento of a stored
--    planilla went through INSERT ... ON CONFLICT DO UPDATE, which locks the stored row even when its
--    WHERE finds nothing changed: every page of an unchanged planilla was dirtied and WAL-logged. Now
--    the stored rows of the batch's planillas are read once and matched with the incoming ones, column
--    by column (labels, dimensions, everything); only planillas with a new or different row go through
--    that upsert, whose own IS DISTINCT FROM still decides what is written and counted, and only
--    planillas with a row the source no longer has go through the delete. Clientes and obras the same.
-- 4. No plan_cache_mode = force_custom_plan: it re-planned every statement, and every foreign-key check
--    the inserts fire, on every batch; and jit = off (see the function's comment).
-- Not done, measured: a per-planilla content hash (rendering a planilla's jsonb as text to hash it costs
-- ~5 ms a batch of 2,800 elementos, paid on every first load to save a compare that costs about as
-- much); and taking the batch as json instead of jsonb (building jsonb from the request text is ~18 ms
-- of such a batch, but on PostgreSQL 15 every json function re-parses its input with callbacks, and
-- splitting the batch, its planillas and their elementos that way cost more than one jsonb_in).

-- One planilla of a batch, parsed once.
create type private.planilla_in as (
  codigo text,
  zconta integer,
  descripcion text,
  seccion text,
  ensamblado text,
  obra_codigo text,
  obra_nombre text,
  cliente_codigo text,
  cliente_nombre text,
  has_cliente boolean,
  fecha_creacion timestamptz,
  fecha_calculo timestamptz,
  peso_total_kg numeric,
  fingerprint text,
  elementos_count integer,
  entidades_count integer
);

-- Why each planilla of the batch is invalid (one row per planilla, reasons joined), for the second
-- attempt. A planilla is the unit of consistency (its weight is the sum of its elementos), so one
-- invalid row rejects its whole planilla; the other planillas still land.
create function private.invalid_planillas(p_planillas jsonb, p_rows private.planilla_in[])
returns table (codigo text, detail text)
language sql stable set search_path = ''
as $$
  with problems as (
    select p.codigo, 'codigo must be YYYY-NNNNNN starting with zconta' as detail from unnest(p_rows) as p
    where p.codigo is null or p.codigo !~ '^\d{4}-\d{6}$' or left(p.codigo, 4) <> p.zconta::text
    union all
    select p.codigo, 'peso_total_kg must be a non-negative number' from unnest(p_rows) as p
    where p.peso_total_kg is null or p.peso_total_kg < 0
    union all
    select p.codigo, 'fingerprint is required' from unnest(p_rows) as p where coalesce(p.fingerprint, '') = ''
    union all
    select p.codigo, 'obra.codigo is required' from unnest(p_rows) as p where p.obra_codigo is null
    union all
    select a.value ->> 'codigo', 'elemento ' || coalesce(e.ferrawin_id, '?') || ': ' || case
        when e.ferrawin_id is null or e.ferrawin_id !~ '^[^-\s]+-[^-\s]+$' then 'ferrawin_id must be ZCODLIN-ZELEMENTO'
        when e.fila is null or e.fila < 0 then 'fila must be non-negative'
        when e.diametro_mm is null or e.diametro_mm < 0 or e.diametro_mm > 100 then 'diametro_mm must be 0-100'
        when e.longitud_mm < 0 then 'longitud_mm must be non-negative'
        when e.peso_kg < 0 then 'peso_kg must be non-negative'
        else 'dobleces and barras must be non-negative' end
    from jsonb_array_elements(p_planillas) as a(value)
      cross join lateral jsonb_to_recordset(coalesce(a.value -> 'elementos', '[]'::jsonb)) as e(ferrawin_id text,
        fila integer, diametro_mm numeric, longitud_mm numeric, peso_kg numeric, dobleces integer, barras integer)
    where e.ferrawin_id is null or e.ferrawin_id !~ '^[^-\s]+-[^-\s]+$' or e.fila is null or e.fila < 0
      or e.diametro_mm is null or e.diametro_mm < 0 or e.diametro_mm > 100 or e.longitud_mm < 0
      or e.peso_kg < 0 or e.dobleces < 0 or e.barras < 0
    union all
    -- A key twice in one planilla would make the upsert touch a row twice (error 21000).
    select a.value ->> 'codigo', 'elemento ' || (e.value ->> 'ferrawin_id') || ': appears twice'
    from jsonb_array_elements(p_planillas) as a(value)
      cross join lateral jsonb_array_elements(coalesce(a.value -> 'elementos', '[]'::jsonb)) as e(value)
    group by a.value ->> 'codigo', e.value ->> 'ferrawin_id' having count(*) > 1
    union all
    select a.value ->> 'codigo', 'entidad ' || coalesce(n.linea, '?') || ': ' || case
        when coalesce(n.linea, '') = '' then 'linea is required'
        else 'cantidad and miembros must be non-negative' end
    from jsonb_array_elements(p_planillas) as a(value)
      cross join lateral jsonb_to_recordset(coalesce(a.value -> 'entidades', '[]'::jsonb)) as n(linea text,
        cantidad integer, miembros integer)
    where coalesce(n.linea, '') = '' or n.cantidad < 0 or n.miembros < 0
    union all
    select a.value ->> 'codigo', 'entidad ' || (n.value ->> 'linea') || ': appears twice'
    from jsonb_array_elements(p_planillas) as a(value)
      cross join lateral jsonb_array_elements(coalesce(a.value -> 'entidades', '[]'::jsonb)) as n(value)
    group by a.value ->> 'codigo', n.value ->> 'linea' having count(*) > 1
  )
  select coalesce(pr.codigo, '?'), string_agg(distinct pr.detail, '; ')
  from problems pr group by pr.codigo
$$;

-- No plan_cache_mode = force_custom_plan any more: it re-planned every statement, and every foreign-key
-- check the inserts fire, on every batch. The statements that read elementos or entidades are now driven
-- by the batch's codes through a lateral join, so the primary key's prefix is the only sensible plan
-- for them, generic or not, however small the table was when it was made.
-- jit = off: a batch's statements run for milliseconds, and with a million elementos stored the planner
-- over-estimates the rows a planilla's codes match, crosses jit_above_cost and spends ~50 ms compiling
-- expressions for each batch (measured: it made a re-ingest slower than the first load).
create function public.ingest_planillas(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)
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
      hint = 'open or resume the run before sending batches';
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
        coalesce(array_agg(up.codigo) filter (where inserted), '{}')
      into v_p_created, v_p_updated, v_new from up;
      -- Planillas stored before this batch: only their elementos and entidades can change or go.
      v_existing := array(select p.codigo from unnest(v_rows) as p
        where p.codigo <> all (v_bad) and p.codigo <> all (v_new));

      -- 5. Elementos and entidades of new planillas are plainly inserted (no speculative insertion: a
      -- first load runs close to COPY).
      v_el_created := 0; v_el_updated := 0; v_el_deleted := 0;
      v_en_created := 0; v_en_updated := 0; v_en_deleted := 0;
      v_el_changed := '{}'; v_el_gone := '{}'; v_en_changed := '{}'; v_en_gone := '{}';
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
        )
        select coalesce(array_agg(distinct i.codigo) filter (where i.codigo is not null and (s.planilla_codigo is null
            or (s.fila, s.marca, s.descripcion_fila, s.diametro_mm, s.figura, s.longitud_mm, s.dobleces, s.barras,
              s.peso_kg, s.dimensiones, s.etiqueta)
            is distinct from (i.fila, i.marca, i.descripcion_fila, i.diametro_mm, i.figura, i.longitud_mm,
              i.dobleces, i.barras, i.peso_kg, i.dimensiones, i.etiqueta))), '{}'),
          coalesce(array_agg(distinct s.planilla_codigo) filter (where i.codigo is null), '{}')
        into v_el_changed, v_el_gone
        from incoming i full join stored s on s.planilla_codigo = i.codigo and s.ferrawin_id = i.ferrawin_id;

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
        select coalesce(array_agg(distinct i.codigo) filter (where i.codigo is not null and (s.planilla_codigo is null
            or (s.marca, s.situacion, s.cantidad, s.miembros, s.modelo, s.cotas, s.composicion, s.distribucion)
            is distinct from (i.marca, i.situacion, i.cantidad, i.miembros, i.modelo, i.cotas, i.composicion,
              i.distribucion))), '{}'),
          coalesce(array_agg(distinct s.planilla_codigo) filter (where i.codigo is null), '{}')
        into v_en_changed, v_en_gone
        from incoming i full join stored s on s.planilla_codigo = i.codigo and s.linea = i.linea;
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
      end if;

      select cardinality(v_rows), coalesce(sum(p.elementos_count), 0), coalesce(sum(p.entidades_count), 0)
      into v_total, v_el_total, v_en_total
      from unnest(v_rows) as p where p.codigo <> all (v_bad);
      exit attempts;
    exception
      -- Two batches raced to create the same planilla: nothing was written, resending succeeds.
      when unique_violation then
        if v_attempt = 2 then
          raise exception using errcode = 'PT409', message = 'a concurrent batch wrote the same planilla',
            hint = 'resend this batch';
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

-- Wispro customers ingest. Matching: by wispro_id, else by the normalised id number (never by
-- suffix). An update never changes a customer's id number. A person re-created in Wispro (new
-- wispro_id, same id number) updates the existing row, which takes the new wispro_id.

-- Each batch record with the local row it matches, or why it cannot be matched.
create function private.customer_matches(p_customers jsonb, p_run_id uuid)
returns table (rec jsonb, wispro_id uuid, id_number text, target uuid, reject_reason text, reject_detail text)
language sql stable set search_path = ''
as $$
  select c.rec, c.wispro_id, c.id_number,
    coalesce(w.id, n.id) as target,
    case
      when c.id_number is null or c.id_number !~ '^[VEJGP]-\d{1,20}$' then 'missing_id_number'
      when c.twins > 1 then 'ambiguous_match'
      when w.id is not null and n.id is not null and w.id <> n.id then 'ambiguous_match'
      -- The row matched by id number already took another wispro_id in this run: both records are
      -- alive in Wispro, so this is not a re-created person.
      when w.id is null and n.id is not null and n.last_run_id = p_run_id then 'ambiguous_match'
    end,
    case
      when c.id_number is null or c.id_number !~ '^[VEJGP]-\d{1,20}$' then 'no valid id number'
      when c.twins > 1 then 'the id number appears more than once in the batch'
      when w.id is not null and n.id is not null and w.id <> n.id then
        'wispro_id matches one customer and the id number another'
      when w.id is null and n.id is not null and n.last_run_id = p_run_id then
        'the id number belongs to another Wispro client synced in this run'
    end
  from (
    select r.value as rec, (r.value ->> 'wispro_id')::uuid as wispro_id, r.value ->> 'id_number' as id_number,
      count(*) over (partition by r.value ->> 'id_number') as twins
    from jsonb_array_elements(p_customers) as r(value)
  ) as c
  left join public.customers w on w.wispro_id = c.wispro_id
  left join public.customers n on n.id_number = c.id_number
$$;

create function public.ingest_customers(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.batch_run(v_agent.id, p_run_id, p_seq, p_batch);
  v_replay jsonb := private.replayed_batch(p_run_id, p_seq);
  v_customers jsonb := coalesce(p_batch -> 'customers', '[]'::jsonb);
  v_matches jsonb;
  v_total integer;
  v_rejects jsonb;
  v_created integer;
  v_updated integer;
  v_result jsonb;
begin
  if v_replay is not null then
    return v_replay;
  end if;
  if v_run.status <> 'running' then
    raise exception using errcode = 'PT409', message = format('run is %s, not running', v_run.status),
      hint = 'open or resume the run before sending batches';
  end if;
  if jsonb_typeof(v_customers) <> 'array' then
    raise exception using errcode = 'PT422', message = 'customers must be an array';
  end if;

  begin
    -- Matched once, then read by each statement below.
    select coalesce(jsonb_agg(jsonb_build_object('rec', m.rec, 'target', m.target,
        'reject_reason', m.reject_reason, 'reject_detail', m.reject_detail)), '[]'::jsonb),
      count(*)::integer
    into v_matches, v_total
    from private.customer_matches(v_customers, p_run_id) as m;

    select coalesce(jsonb_agg(jsonb_build_object('record_key', coalesce(m.rec ->> 'wispro_id', '?'),
        'reason', m.reject_reason, 'detail', m.reject_detail, 'payload', m.rec)), '[]'::jsonb)
    into v_rejects
    from jsonb_to_recordset(v_matches) as m(rec jsonb, reject_reason text, reject_detail text)
    where m.reject_reason is not null;

    -- Matched rows: update what changed; the id number stays as it is.
    with matched as (
      select m.target, c.*
      from jsonb_to_recordset(v_matches) as m(rec jsonb, target uuid, reject_reason text)
      cross join lateral jsonb_to_record(m.rec) as c(wispro_id uuid, public_id integer, custom_id text,
        name text, email text, phone text, phone_mobile text, national_id_raw text, zone text,
        address text, city text, details text, wispro_created_at timestamptz, wispro_updated_at timestamptz)
      where m.reject_reason is null and m.target is not null
    ), up as (
      update public.customers t set
        wispro_id = m.wispro_id, public_id = m.public_id, custom_id = m.custom_id, name = m.name,
        email = m.email, phone = m.phone, phone_mobile = m.phone_mobile,
        national_id_raw = m.national_id_raw, zone = m.zone, address = m.address, city = m.city,
        details = m.details, wispro_created_at = m.wispro_created_at,
        wispro_updated_at = m.wispro_updated_at, synced_at = now(), last_run_id = p_run_id
      from matched m
      where t.id = m.target
        and (t.wispro_id, t.public_id, t.custom_id, t.name, t.email, t.phone, t.phone_mobile,
          t.national_id_raw, t.zone, t.address, t.city, t.details, t.wispro_created_at, t.wispro_updated_at)
        is distinct from (m.wispro_id, m.public_id, m.custom_id, m.name, m.email, m.phone, m.phone_mobile,
          m.national_id_raw, m.zone, m.address, m.city, m.details, m.wispro_created_at, m.wispro_updated_at)
      returning 1
    )
    select count(*)::integer into v_updated from up;

    -- Unchanged matched rows still record that this run saw them (for the re-created-person rule).
    update public.customers t set last_run_id = p_run_id
    from jsonb_to_recordset(v_matches) as m(target uuid, reject_reason text)
    where m.reject_reason is null and t.id = m.target and t.last_run_id is distinct from p_run_id;

    with ins as (
      insert into public.customers (wispro_id, public_id, custom_id, name, email, phone, phone_mobile,
        national_id_raw, id_number, zone, address, city, details, wispro_created_at, wispro_updated_at,
        last_run_id)
      select c.wispro_id, c.public_id, c.custom_id, c.name, c.email, c.phone, c.phone_mobile,
        c.national_id_raw, c.id_number, c.zone, c.address, c.city, c.details, c.wispro_created_at,
        c.wispro_updated_at, p_run_id
      from jsonb_to_recordset(v_matches) as m(rec jsonb, target uuid, reject_reason text)
      cross join lateral jsonb_to_record(m.rec) as c(wispro_id uuid, public_id integer, custom_id text,
        name text, email text, phone text, phone_mobile text, national_id_raw text, id_number text,
        zone text, address text, city text, details text, wispro_created_at timestamptz,
        wispro_updated_at timestamptz)
      where m.reject_reason is null and m.target is null
      returning 1
    )
    select count(*)::integer into v_created from ins;

    insert into public.run_rejects (run_id, record_key, reason, detail, payload)
    select p_run_id, left(r.record_key, 200), r.reason, left(r.detail, 1000), r.payload
    from jsonb_to_recordset(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_rejects)
      as r(record_key text, reason text, detail text, payload jsonb);
  exception
    when check_violation or not_null_violation or invalid_text_representation
      or numeric_value_out_of_range or datetime_field_overflow or invalid_datetime_format
      or unique_violation or invalid_parameter_value then
    raise exception using errcode = 'PT422', message = 'batch refused: ' || sqlerrm,
      hint = 'nothing of this batch was written; fix the rows and resend';
  end;

  v_result := jsonb_build_object('seq', p_seq, 'replayed', false,
    'counts', jsonb_build_object('customers', jsonb_build_object(
      'created', v_created, 'updated', v_updated,
      'unchanged', v_total - jsonb_array_length(v_rejects) - v_created - v_updated, 'deleted', 0,
      'rejected', jsonb_array_length(v_rejects)
        + jsonb_array_length(coalesce(p_batch -> 'rejects', '[]'::jsonb)))),
    'rejects', (select coalesce(jsonb_agg(jsonb_build_object('record_key', r ->> 'record_key',
        'reason', r ->> 'reason')), '[]'::jsonb)
      from jsonb_array_elements(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_rejects) as r));
  return private.finish_batch(p_run_id, p_seq, v_result);
end
$$;
