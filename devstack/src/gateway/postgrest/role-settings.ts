// Role settings as PostgREST applies them: each role the authenticator may switch to can carry settings
// (`alter role anon set statement_timeout = '3s'`); PostgREST reads them once (pg_roles.rolconfig of the
// roles `authenticator` is a member of, values lowercased: src/PostgREST/Config/Database.hs,
// roleSettingsStatement) and sets them with `set_config(k, v, true)` in every request of that role. The
// authenticator's own settings hold for its whole session, so they come first here (this gateway
// connects as a superuser and only switches role, so it must apply them itself).
import type { Sql } from "postgres";

export type RoleSettings = Map<string, [key: string, value: string][]>;

const AUTHENTICATOR = "authenticator";

function splitSetting(setting: string): [string, string] {
  const at = setting.indexOf("=");
  return [setting.slice(0, at), setting.slice(at + 1)];
}

/** The settings of `authenticator` and of every role granted to it, by role name. */
export async function loadRoleSettings(sql: Sql): Promise<RoleSettings> {
  const rows = await sql<{ rolname: string; settings: string[] | null }[]>`
    select r.rolname, r.rolconfig as settings
      from pg_roles r
     where r.rolname = ${AUTHENTICATOR}
        or r.oid in (select m.roleid from pg_auth_members m
                      where m.member = (select oid from pg_roles where rolname = ${AUTHENTICATOR}))`;
  const settings: RoleSettings = new Map();
  for (const row of rows) {
    const pairs = (row.settings ?? []).map(splitSetting);
    // PostgREST lowercases the values of impersonated roles; the authenticator's are the server's own.
    settings.set(
      row.rolname,
      row.rolname === AUTHENTICATOR ? pairs : pairs.map(([k, v]) => [k, v.toLowerCase()]),
    );
  }
  return settings;
}

/** What a request of `role` sets locally: the authenticator's session settings, then the role's own. */
export function settingsFor(settings: RoleSettings, role: string): [string, string][] {
  const merged = new Map<string, string>(settings.get(AUTHENTICATOR) ?? []);
  for (const [key, value] of settings.get(role) ?? []) merged.set(key, value);
  return [...merged];
}
