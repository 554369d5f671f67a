// The T-SQL functions the translator (tsql.ts) maps onto Postgres functions of the FerraWin schema, each
// computing what SQL Server computes (../sqlserver/checksum.ts is the reference):
// - tsql_binary_checksum(bytea): BINARY_CHECKSUM's rotate-left-4-and-XOR over bytes.
// - tsql_checksum_bytes(value): the bytes BINARY_CHECKSUM reads from one argument. varchar: CP1252
//   without trailing spaces; int/smallint/bigint: their little-endian storage; datetime: days since
//   1900-01-01 and 1/300 s ticks, little-endian; binary: itself. decimal is refused by name (its
//   storage width depends on the declared precision, which a Postgres value does not carry).
// - tsql_hashbytes_md5(text): HASHBYTES('MD5', varchar), the MD5 of the CP1252 bytes, through the domain
//   tsql_hashbytes_input: over 8,000 bytes it fails, as SQL Server 2008–2014 do (error 8152). It runs once
//   per row of every table a fingerprint covers (4 million rows in the benchmark), so on PostgreSQL it is
//   one inlined expression of built-in functions: no function call, no PL/pgSQL, per row.
// - a cast bytea → integer: CAST(binary AS INT) reads the rightmost 4 bytes big-endian, zero-padded on
//   the left, as SQL Server's binary-to-int conversion does.
// Postgres' unknown-typed literal resolves to the text overload, so BINARY_CHECKSUM('abc') is varchar's.

/**
 * A varchar's bytes in code page 1252 (Modern_Spanish_CI_AS), as the body of a function of `v`.
 * PostgreSQL: convert_to(v, 'WIN1252'), one built-in call (it refuses the C1 controls U+0080-U+009F,
 * which a CP1252 varchar cannot hold apart from its own characters at 0x80-0x9F). PGlite ships without
 * Postgres's encoding-conversion modules: its backend stops on convert_to to WIN1252 or LATIN1 as soon
 * as the text is not ASCII. There ASCII is its own CP1252 (convert_to to the database's own UTF8
 * converts nothing) and other text is encoded a character at a time: Latin-1 as its code point, the 27
 * characters CP1252 puts at 0x80-0x9F through a table. Either way a character outside CP1252 is an error.
 */
function cp1252Function(s: string, hasWin1252: boolean): string {
  if (hasWin1252) {
    return `create function ${s}.tsql_cp1252(v text) returns bytea
language sql stable strict parallel safe as $fn$ select convert_to(v, 'WIN1252') $fn$;`;
  }
  return `create function ${s}.tsql_cp1252(v text) returns bytea
language plpgsql stable strict parallel safe as $fn$
declare
  high constant text := '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
  bytes constant int[] := '{128,130,131,132,133,134,135,136,137,138,139,140,142,145,146,147,148,149,150,151,152,153,154,155,156,158,159}';
  out bytea;
  code int;
  k int;
begin
  if octet_length(v) = length(v) then return convert_to(v, 'UTF8'); end if;
  out := decode(repeat('00', length(v)), 'hex');
  for i in 1 .. length(v) loop
    code := ascii(substr(v, i, 1));
    if code < 128 or code between 160 and 255 then
      out := set_byte(out, i - 1, code);
    else
      -- In the C collation: under the column's case-insensitive one, œ would find Œ.
      k := strpos(high collate "C", chr(code));
      if k = 0 then
        raise exception 'character with code point U+% has no equivalent in code page 1252', to_hex(code)
          using errcode = '22P05';
      end if;
      out := set_byte(out, i - 1, bytes[k]);
    end if;
  end loop;
  return out;
end $fn$;`;
}

/**
 * SQL that installs the functions in `schema` (already created; dropping it drops them) and the cast.
 * `hasWin1252`: the server has Postgres's WIN1252 conversion (not PGlite; see cp1252Function).
 */
export function tsqlFunctionsSql(schema: string, hasWin1252: boolean): string {
  const s = schema;
  return `
-- STABLE, as convert_to is: Postgres inlines a SQL function only into one at least as volatile as its
-- body, and only then does tsql_hashbytes_md5 below become a plain expression.
${cp1252Function(s, hasWin1252)}
create function ${s}.tsql_binary_checksum(b bytea) returns integer
language plpgsql immutable strict parallel safe as $fn$
declare
  state bigint := 0;
begin
  for i in 0 .. length(b) - 1 loop
    state := (((state << 4) | (state >> 28)) & 4294967295) # get_byte(b, i);
  end loop;
  return (case when state >= 2147483648 then state - 4294967296 else state end)::integer;
end $fn$;

create function ${s}.tsql_le(v bigint, width integer) returns bytea
language sql immutable strict parallel safe as $fn$
  select decode(string_agg(lpad(to_hex((v >> (8 * i)) & 255), 2, '0'), '' order by i), 'hex')
  from generate_series(0, width - 1) as i
$fn$;

create function ${s}.tsql_checksum_bytes(v text) returns bytea
language sql stable strict parallel safe as $fn$ select ${s}.tsql_cp1252(rtrim(v, ' ')) $fn$;
create function ${s}.tsql_checksum_bytes(v integer) returns bytea
language sql immutable strict parallel safe as $fn$ select ${s}.tsql_le(v, 4) $fn$;
create function ${s}.tsql_checksum_bytes(v smallint) returns bytea
language sql immutable strict parallel safe as $fn$ select ${s}.tsql_le(v, 2) $fn$;
create function ${s}.tsql_checksum_bytes(v bigint) returns bytea
language sql immutable strict parallel safe as $fn$ select ${s}.tsql_le(v, 8) $fn$;
create function ${s}.tsql_checksum_bytes(v bytea) returns bytea
language sql immutable strict parallel safe as $fn$ select v $fn$;
create function ${s}.tsql_checksum_bytes(v timestamp) returns bytea
language sql immutable strict parallel safe as $fn$
  select ${s}.tsql_le((v::date - date '1900-01-01'), 4)
    || ${s}.tsql_le(round(extract(epoch from (v - v::date)) * 300)::bigint, 4)
$fn$;
create function ${s}.tsql_checksum_bytes(v numeric) returns bytea
language plpgsql immutable strict parallel safe as $fn$
begin
  raise exception 'BINARY_CHECKSUM over decimal is not emulated by the FerraWin stand-in'
    using errcode = '0A000';
end $fn$;

-- HASHBYTES' input: the domain's check is evaluated inline, so the limit costs no function call per row.
create domain ${s}.tsql_hashbytes_input as bytea
  constraint "String or binary data would be truncated: HASHBYTES input over 8000 bytes"
  check (octet_length(value) <= 8000);

-- Its parameter is read once, so Postgres inlines it (on PostgreSQL, tsql_cp1252 too): the MD5 of a row
-- is an expression of built-in functions. tsql.ts keeps the derived table that computes it as its own
-- plan node, so a row is hashed once however often the query above reads the hash. Not STRICT: the
-- domain cast is not, and Postgres inlines a STRICT function only when its body is (NULL gives NULL).
create function ${s}.tsql_hashbytes_md5(v text) returns bytea
language sql stable parallel safe as $fn$
  select decode(md5(${s}.tsql_cp1252(v)::${s}.tsql_hashbytes_input), 'hex')
$fn$;

-- Four bytes (what SUBSTRING(hash, k, 4) gives) take the get_byte path; any other length the general
-- one. Not STRICT: Postgres inlines a strict SQL function only when its body is strict, and CASE is not
-- (NULL still gives NULL). A cast belongs to the database, not to a schema: it lives in public, so
-- dropping one FerraWin schema (tests load several) never takes it away from another.
create or replace function public.tsql_binary_to_int(b bytea) returns integer
language sql immutable parallel safe as $fn$
  select case when octet_length(b) = 4
    then (get_byte(b, 0) << 24) | (get_byte(b, 1) << 16) | (get_byte(b, 2) << 8) | get_byte(b, 3)
    else ('x' || right('00000000' || encode(b, 'hex'), 8))::bit(32)::integer end
$fn$;
-- CAST(binary AS BIGINT): the rightmost 8 bytes, big-endian, zero-padded on the left. The bytes are read
-- once, so Postgres inlines the call even when its argument is a whole row's MD5 (a body that named its
-- argument several times would be called per row, or would repeat the MD5 once per use).
create or replace function public.tsql_binary_to_bigint(b bytea) returns bigint
language sql immutable parallel safe as $fn$
  select ('x' || right('0000000000000000' || encode(b, 'hex'), 16))::bit(64)::bigint
$fn$;
do $do$ begin
  if not exists (select from pg_cast where castsource = 'bytea'::regtype and casttarget = 'integer'::regtype) then
    create cast (bytea as integer) with function public.tsql_binary_to_int(bytea);
  end if;
  if not exists (select from pg_cast where castsource = 'bytea'::regtype and casttarget = 'bigint'::regtype) then
    create cast (bytea as bigint) with function public.tsql_binary_to_bigint(bytea);
  end if;
end $do$;
`;
}
