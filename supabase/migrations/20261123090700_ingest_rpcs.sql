-- Set-based ingest: one statement per table per batch from jsonb_to_recordset, no per-row loops.
-- Upserts skip rows that are IS NOT DISTINCT FROM the stored ones (so they are neither rewritten nor
-- counted as updated). The whole batch is one transaction; its answer is stored in ingest_batches so
-- a replay of (run, seq) returns it and changes nothing.

-- Checks a batch's run: this agent's and running, else the batch is refused whole.
create function private.batch_run(p_agent_id uuid, p_run_id uuid, p_seq integer, p_batch jsonb)
returns public.runs
language plpgsql stable set search_path = ''
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

-- FerraWin keeps codes with and without leading zeros; they are stored without.
-- strict: a missing code stays null (an obra without cliente), never '0'.
create function private.entity_code(p_code text) returns text
language sql immutable strict set search_path = ''
as $$ select case when btrim(p_code) = '' then null
  else coalesce(nullif(ltrim(btrim(p_code), '0'), ''), '0') end $$;

-- plan_cache_mode: the tables grow from empty during a first load, so each batch is planned for
-- the table as it is now (a generic plan made when elementos was tiny would seq-scan it forever).
create function public.ingest_planillas(p_agent_key text, p_run_id uuid, p_seq integer, p_batch jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set plan_cache_mode = force_custom_plan
as $$
declare
  v_agent public.agents := private.agent_for_key(p_agent_key);
  v_run public.runs := private.batch_run(v_agent.id, p_run_id, p_seq, p_batch);
  v_replay jsonb := private.replayed_batch(p_run_id, p_seq);
  v_planillas jsonb := coalesce(p_batch -> 'planillas', '[]'::jsonb);
  v_bad text[];
  v_codes text[];
  v_existing text[];
  v_new text[];
  v_attempt integer;
  v_bad_rejects jsonb;
  v_total integer;
  v_el_total integer;
  v_en_total integer;
  v_p_created integer; v_p_updated integer;
  v_el_created integer; v_el_updated integer; v_el_deleted integer;
  v_en_created integer; v_en_updated integer; v_en_deleted integer;
  v_source_rejects integer;
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
      v_bad := '{}';
      v_bad_rejects := '[]'::jsonb;
      if v_attempt = 2 then
        -- 1. Validation. A planilla is the unit of consistency (its weight is the sum of its elementos),
        -- so one invalid row rejects its whole planilla with a reason; the other planillas still land.
        with p as (
          select x.* from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral (select a.value ->> 'codigo' as codigo, (a.value ->> 'zconta')::integer as zconta, (a.value ->> 'peso_total_kg')::numeric as peso_total_kg, a.value ->> 'fingerprint' as fingerprint, a.value -> 'obra' as obra, a.value -> 'elementos' as elementos, a.value -> 'entidades' as entidades) as x
        ), problems as (
          select p.codigo, 'codigo must be YYYY-NNNNNN starting with zconta' as detail from p
          where p.codigo is null or p.codigo !~ '^\d{4}-\d{6}$' or left(p.codigo, 4) <> p.zconta::text
          union all
          select p.codigo, 'peso_total_kg must be a non-negative number' from p
          where p.peso_total_kg is null or p.peso_total_kg < 0
          union all
          select p.codigo, 'fingerprint is required' from p where coalesce(p.fingerprint, '') = ''
          union all
          select p.codigo, 'obra.codigo is required' from p
          where private.entity_code(p.obra ->> 'codigo') is null
          union all
          select p.codigo, 'elemento ' || coalesce(e.ferrawin_id, '?') || ': ' || case
              when e.ferrawin_id is null or e.ferrawin_id !~ '^[^-\s]+-[^-\s]+$' then 'ferrawin_id must be ZCODLIN-ZELEMENTO'
              when e.fila is null or e.fila < 0 then 'fila must be non-negative'
              when e.diametro_mm is null or e.diametro_mm < 0 or e.diametro_mm > 100 then 'diametro_mm must be 0-100'
              when e.longitud_mm < 0 then 'longitud_mm must be non-negative'
              when e.peso_kg < 0 then 'peso_kg must be non-negative'
              else 'dobleces and barras must be non-negative' end
          from p cross join lateral jsonb_to_recordset(coalesce(p.elementos, '[]'::jsonb)) as e(ferrawin_id text,
            fila integer, diametro_mm numeric, longitud_mm numeric, peso_kg numeric, dobleces integer, barras integer)
          where e.ferrawin_id is null or e.ferrawin_id !~ '^[^-\s]+-[^-\s]+$' or e.fila is null or e.fila < 0
            or e.diametro_mm is null or e.diametro_mm < 0 or e.diametro_mm > 100 or e.longitud_mm < 0
            or e.peso_kg < 0 or e.dobleces < 0 or e.barras < 0
          union all
          -- A key twice in one planilla would make the upsert touch a row twice (error 21000).
          select p.codigo, 'elemento ' || (e.value ->> 'ferrawin_id') || ': appears twice'
          from p cross join lateral jsonb_array_elements(coalesce(p.elementos, '[]'::jsonb)) as e(value)
          group by p.codigo, e.value ->> 'ferrawin_id' having count(*) > 1
          union all
          select p.codigo, 'entidad ' || coalesce(n.linea, '?') || ': ' || case
              when coalesce(n.linea, '') = '' then 'linea is required'
              else 'cantidad and miembros must be non-negative' end
          from p cross join lateral jsonb_to_recordset(coalesce(p.entidades, '[]'::jsonb)) as n(linea text,
            cantidad integer, miembros integer)
          where coalesce(n.linea, '') = '' or n.cantidad < 0 or n.miembros < 0
          union all
          select p.codigo, 'entidad ' || (n.value ->> 'linea') || ': appears twice'
          from p cross join lateral jsonb_array_elements(coalesce(p.entidades, '[]'::jsonb)) as n(value)
          group by p.codigo, n.value ->> 'linea' having count(*) > 1
        ), per_planilla as (
          select coalesce(pr.codigo, '?') as codigo, string_agg(distinct pr.detail, '; ') as detail
          from problems pr group by pr.codigo
        )
        select array_agg(pp.codigo), jsonb_agg(jsonb_build_object('record_key', pp.codigo,
            'reason', 'invalid_record', 'detail', left(pp.detail, 1000)))
        into v_bad, v_bad_rejects
        from per_planilla pp;
        v_bad := coalesce(v_bad, '{}');
      end if;
      select array_agg(x.codigo) into v_codes
      from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo) as x where x.codigo <> all (v_bad);
      v_codes := coalesce(v_codes, '{}');
      v_bad_rejects := coalesce(v_bad_rejects, '[]'::jsonb);

      -- 2. Clientes and obras named by the batch, codes without leading zeros.
      insert into public.clientes as t (codigo, nombre)
      select distinct on (c.codigo) c.codigo, c.nombre
      from (
        select private.entity_code(x.obra -> 'cliente' ->> 'codigo') as codigo,
          x.obra -> 'cliente' ->> 'nombre' as nombre
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'obra' as obra) as x
        where x.codigo <> all (v_bad) and jsonb_typeof(x.obra -> 'cliente') = 'object'
      ) as c
      where c.codigo is not null
      order by c.codigo
      on conflict (codigo) do update set nombre = excluded.nombre, synced_at = now()
      where t.nombre is distinct from excluded.nombre;

      insert into public.obras as t (codigo, nombre, cliente_codigo)
      select distinct on (o.codigo) o.codigo, o.nombre, o.cliente_codigo
      from (
        select private.entity_code(x.obra ->> 'codigo') as codigo, x.obra ->> 'nombre' as nombre,
          private.entity_code(x.obra -> 'cliente' ->> 'codigo') as cliente_codigo
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'obra' as obra) as x
        where x.codigo <> all (v_bad)
      ) as o
      order by o.codigo
      on conflict (codigo) do update
        set nombre = excluded.nombre, cliente_codigo = excluded.cliente_codigo, synced_at = now()
      where (t.nombre, t.cliente_codigo) is distinct from (excluded.nombre, excluded.cliente_codigo);

      -- 3. Planilla headers. first_synced_at keeps its first value; synced_at/last_run_id move on change.
      with up as (
        insert into public.planillas as t (codigo, zconta, descripcion, seccion, ensamblado, obra_codigo,
          fecha_creacion, fecha_calculo, peso_total_kg, elementos_count, fingerprint, last_run_id)
        select x.codigo, x.zconta, x.descripcion, x.seccion, x.ensamblado, private.entity_code(x.obra ->> 'codigo'),
          x.fecha_creacion, x.fecha_calculo, x.peso_total_kg,
          jsonb_array_length(coalesce(x.elementos, '[]'::jsonb)), x.fingerprint, p_run_id
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, (a.value ->> 'zconta')::integer as zconta, a.value ->> 'descripcion' as descripcion, a.value ->> 'seccion' as seccion, a.value ->> 'ensamblado' as ensamblado, a.value -> 'obra' as obra, (a.value ->> 'fecha_creacion')::timestamptz as fecha_creacion, (a.value ->> 'fecha_calculo')::timestamptz as fecha_calculo, (a.value ->> 'peso_total_kg')::numeric as peso_total_kg, a.value ->> 'fingerprint' as fingerprint, a.value -> 'elementos' as elementos) as x
        where x.codigo <> all (v_bad)
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
      v_existing := array(select c from unnest(v_codes) as c where c <> all (v_new));

      -- 4. Elementos. Those of new planillas are plainly inserted (no speculative insertion: a first
      -- load runs close to COPY); those of stored planillas are upserted where they changed, and the
      -- ones the source no longer has are deleted.
      insert into public.elementos (planilla_codigo, ferrawin_id, fila, marca, descripcion_fila,
        diametro_mm, figura, longitud_mm, dobleces, barras, peso_kg, dimensiones, etiqueta)
        select x.codigo, e.ferrawin_id, e.fila, e.marca, e.descripcion_fila, e.diametro_mm, e.figura,
          e.longitud_mm, e.dobleces, e.barras, e.peso_kg, e.dimensiones, e.etiqueta
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as x
        cross join lateral jsonb_to_recordset(coalesce(x.elementos, '[]'::jsonb)) as e(ferrawin_id text,
          fila integer, marca text, descripcion_fila text, diametro_mm numeric, figura text,
          longitud_mm numeric, dobleces integer, barras integer, peso_kg numeric, dimensiones text,
          etiqueta text)
        where x.codigo = any (v_new);
      get diagnostics v_el_created = row_count;

      with up as (
        insert into public.elementos as t (planilla_codigo, ferrawin_id, fila, marca, descripcion_fila,
          diametro_mm, figura, longitud_mm, dobleces, barras, peso_kg, dimensiones, etiqueta)
        select x.codigo, e.ferrawin_id, e.fila, e.marca, e.descripcion_fila, e.diametro_mm, e.figura,
          e.longitud_mm, e.dobleces, e.barras, e.peso_kg, e.dimensiones, e.etiqueta
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos) as x
        cross join lateral jsonb_to_recordset(coalesce(x.elementos, '[]'::jsonb)) as e(ferrawin_id text,
          fila integer, marca text, descripcion_fila text, diametro_mm numeric, figura text,
          longitud_mm numeric, dobleces integer, barras integer, peso_kg numeric, dimensiones text,
          etiqueta text)
        where cardinality(v_existing) > 0 and x.codigo = any (v_existing)
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

      -- Driven by the batch's codes (index on the primary key's prefix). NOT IN becomes a hashed subplan
      -- holding only the two keys (keys are never null here: validation rejected those planillas).
      with gone as (
        delete from public.elementos t
        where cardinality(v_existing) > 0 and t.planilla_codigo = any (v_existing)
          and (t.planilla_codigo, t.ferrawin_id) not in (
            select a.value ->> 'codigo', e.value ->> 'ferrawin_id'
            from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral jsonb_array_elements(coalesce(a.value -> 'elementos', '[]'::jsonb)) as e(value))
        returning 1
      )
      select count(*) into v_el_deleted from gone;

      -- 5. Entidades, the same way.
      with up as (
        insert into public.entidades as t (planilla_codigo, linea, marca, situacion, cantidad, miembros,
          modelo, cotas, composicion, distribucion)
        select x.codigo, n.linea, n.marca, n.situacion, n.cantidad, n.miembros, n.modelo, n.cotas,
          n.composicion, n.distribucion
        from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'entidades' as entidades) as x
        cross join lateral jsonb_to_recordset(coalesce(x.entidades, '[]'::jsonb)) as n(linea text,
          marca text, situacion text, cantidad integer, miembros integer, modelo text, cotas text,
          composicion jsonb, distribucion jsonb)
        where x.codigo <> all (v_bad)
        on conflict (planilla_codigo, linea) do update set
          marca = excluded.marca, situacion = excluded.situacion, cantidad = excluded.cantidad,
          miembros = excluded.miembros, modelo = excluded.modelo, cotas = excluded.cotas,
          composicion = excluded.composicion, distribucion = excluded.distribucion
        where (t.marca, t.situacion, t.cantidad, t.miembros, t.modelo, t.cotas, t.composicion, t.distribucion)
          is distinct from (excluded.marca, excluded.situacion, excluded.cantidad, excluded.miembros,
            excluded.modelo, excluded.cotas, excluded.composicion, excluded.distribucion)
        returning (xmax = 0) as inserted
      )
      select count(*) filter (where inserted), count(*) filter (where not inserted)
      into v_en_created, v_en_updated from up;

      with gone as (
        delete from public.entidades t
        where cardinality(v_existing) > 0 and t.planilla_codigo = any (v_existing)
          and (t.planilla_codigo, t.linea) not in (
            select a.value ->> 'codigo', n.value ->> 'linea'
            from jsonb_array_elements(v_planillas) as a(value)
            cross join lateral jsonb_array_elements(coalesce(a.value -> 'entidades', '[]'::jsonb)) as n(value))
        returning 1
      )
      select count(*) into v_en_deleted from gone;

      -- 6. Rejects: the ones the agent found before sending, and the ones found here.
      insert into public.run_rejects (run_id, record_key, reason, detail, payload)
      select p_run_id, left(r.record_key, 200), r.reason, left(r.detail, 1000), r.payload
      from jsonb_to_recordset(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_bad_rejects)
        as r(record_key text, reason text, detail text, payload jsonb);
      v_source_rejects := jsonb_array_length(coalesce(p_batch -> 'rejects', '[]'::jsonb));

      select count(*)::integer,
        coalesce(sum(jsonb_array_length(coalesce(x.elementos, '[]'::jsonb))) filter (where x.codigo <> all (v_bad)), 0),
        coalesce(sum(jsonb_array_length(coalesce(x.entidades, '[]'::jsonb))) filter (where x.codigo <> all (v_bad)), 0)
      into v_total, v_el_total, v_en_total
      from jsonb_array_elements(v_planillas) as a(value)
          cross join lateral (select a.value ->> 'codigo' as codigo, a.value -> 'elementos' as elementos, a.value -> 'entidades' as entidades) as x;
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
        'rejected', cardinality(v_bad) + v_source_rejects),
      'elementos', jsonb_build_object('created', v_el_created, 'updated', v_el_updated,
        'unchanged', v_el_total - v_el_created - v_el_updated, 'deleted', v_el_deleted, 'rejected', 0),
      'entidades', jsonb_build_object('created', v_en_created, 'updated', v_en_updated,
        'unchanged', v_en_total - v_en_created - v_en_updated, 'deleted', v_en_deleted, 'rejected', 0)),
    'rejects', (select coalesce(jsonb_agg(jsonb_build_object('record_key', r ->> 'record_key',
        'reason', r ->> 'reason')), '[]'::jsonb)
      from jsonb_array_elements(coalesce(p_batch -> 'rejects', '[]'::jsonb) || v_bad_rejects) as r));
  return private.finish_batch(p_run_id, p_seq, v_result);
end
$$;
