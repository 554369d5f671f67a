// The T-SQL functions the translator (tsql.ts) maps onto Postgres functions of the FerraWin schema, each
// computing what SQL Server computes (../sqlserver/checksum.ts is the reference):
// - tsql_binary_checksum(bytea): BINARY_CHECKSUM's rotate-left-4-and-XOR over bytes.
// - tsql_checksum_bytes(value): the bytes BINARY_CHECKSUM reads from one argument. varchar: CP1252
//   without trailing spaces; int/smallint/bigint: their little-endian storage; datetime: days since
//   1900-01-01 and 1/300 s ticks, little-endian; binary: itself. decimal is refused by name (its
//   storage width depends on the declared precision, which a Postgres value does not carry).
// - tsql_hashbytes_md5(text): HASHBYTES('MD5', varchar), the MD5 of the CP1252 bytes, through the domain
//   tsql_hashbytes_input: over 8,000 bytes it fails, as SQL Server 2008–2014 do (error 8152).
// - a cast bytea → integer: CAST(binary AS INT) reads the rightmost 4 bytes big-endian, zero-padded on
//   the left, as SQL Server's binary-to-int conversion does.
// Postgres' unknown-typed literal resolves to the text overload, so BINARY_CHECKSUM('abc') is varchar's.

/** SQL that installs the functions in `schema` (already created; dropping it drops them) and the cast. */
export function tsqlFunctionsSql(schema: string): string {
  const s = schema;
  return `
-- A varchar's bytes in code page 1252 (Modern_Spanish_CI_AS), with no encoding conversion at all:
-- PGlite ships without Postgres's conversion modules (utf8_and_win, utf8_and_iso8859_1), and there
-- convert_to(v, 'WIN1252') or 'LATIN1' on non-ASCII text loses the backend (an empty result in
-- process, a connection that never answers over the wire). ASCII text is its own UTF-8. Otherwise the
-- 27 characters CP1252 puts at 0x80-0x9F are first moved to the C1 code points U+0080-U+009F, so that
-- every character is U+0001-U+00FF, whose CP1252 byte is its code point; the UTF-8 bytes are then
-- rewritten pair by pair (hex): C2 xx -> xx, C3 8x/9x/Ax/Bx -> Cx/Dx/Ex/Fx. A rewritten byte is
-- followed by '_' instead of ' ', so no later pattern can read it as a lead byte. A character outside
-- CP1252 is an error, as with WIN1252. Same bytes on PostgreSQL 15 and PGlite.
create function ${s}.tsql_latin1_bytes(t text) returns bytea
language plpgsql immutable strict parallel safe as $fn$
declare
  hex text collate "C";
begin
  if t collate "C" ~ '[^\\u0001-\\u00ff]' then
    raise exception 'character "%" has no equivalent in code page 1252', substring(t collate "C" from '[^\\u0001-\\u00ff]')
      using errcode = '22P05';
  end if;
  hex := regexp_replace(encode(convert_to(t, 'UTF8'), 'hex'), '(..)', '\\1 ', 'g');
  hex := regexp_replace(hex, 'c2 (..) ', '\\1_', 'g');
  hex := regexp_replace(hex, 'c3 8(.) ', 'c\\1_', 'g');
  hex := regexp_replace(hex, 'c3 9(.) ', 'd\\1_', 'g');
  hex := regexp_replace(hex, 'c3 a(.) ', 'e\\1_', 'g');
  hex := regexp_replace(hex, 'c3 b(.) ', 'f\\1_', 'g');
  return decode(translate(hex, ' _', ''), 'hex');
end $fn$;
create function ${s}.tsql_cp1252(v text) returns bytea
language sql immutable strict parallel safe as $fn$
  select case when octet_length(v) = length(v) then convert_to(v, 'UTF8')
    else ${s}.tsql_latin1_bytes(translate(v, '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ', U&'\\0080\\0082\\0083\\0084\\0085\\0086\\0087\\0088\\0089\\008A\\008B\\008C\\008E\\0091\\0092\\0093\\0094\\0095\\0096\\0097\\0098\\0099\\009A\\009B\\009C\\009E\\009F'))
  end
$fn$;
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
language sql immutable strict parallel safe as $fn$ select ${s}.tsql_cp1252(rtrim(v, ' ')) $fn$;
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

-- VOLATILE only so that Postgres does not pull the subquery holding it up and repeat the MD5 once per
-- reference (it still inlines the body: its parameter is used once).
create function ${s}.tsql_hashbytes_md5(v text) returns bytea
language sql volatile parallel safe as $fn$
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
    else ('x' || right(lpad(encode(b, 'hex'), 8, '0'), 8))::bit(32)::integer end
$fn$;
do $do$ begin
  if not exists (select from pg_cast where castsource = 'bytea'::regtype and casttarget = 'integer'::regtype) then
    create cast (bytea as integer) with function public.tsql_binary_to_int(bytea);
  end if;
end $do$;
`;
}
