// auth.users rows and GoTrue's user object: lookup, creation with a bcrypt hash, and the JSON shape.
import bcrypt from "bcryptjs";
import type { Sql } from "postgres";

export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
}

export class EmailExists extends Error {
  override name = "EmailExists";
}

const COLUMNS = `id::text as id, aud, role, email, encrypted_password, raw_app_meta_data,
  raw_user_meta_data, email_confirmed_at, last_sign_in_at, created_at, updated_at`;

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | undefined> {
  const rows = await sql.unsafe<UserRow[]>(
    `select ${COLUMNS} from auth.users where lower(email) = lower($1) limit 1`,
    [email],
  );
  return rows[0];
}

export async function findUserById(sql: Sql, id: string): Promise<UserRow | undefined> {
  const rows = await sql.unsafe<UserRow[]>(
    `select ${COLUMNS} from auth.users where id = $1::uuid`,
    [id],
  );
  return rows[0];
}

export async function markSignedIn(sql: Sql, id: string): Promise<void> {
  await sql`update auth.users set last_sign_in_at = now() where id = ${id}::uuid`;
}

export interface NewUser {
  email: string;
  /** Null: no password at all (an invited user, who sets one from the link). */
  password: string | null;
  emailConfirm: boolean;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
}

/** Inserts the user; a taken email (auth.users.email is unique) throws EmailExists. */
export async function createUser(sql: Sql, user: NewUser): Promise<UserRow> {
  const hash = user.password === null ? null : await bcrypt.hash(user.password, 10);
  const appMetadata = { provider: "email", providers: ["email"], ...user.appMetadata };
  const rows = await sql.unsafe<UserRow[]>(
    `insert into auth.users (id, aud, role, email, encrypted_password, raw_app_meta_data,
        raw_user_meta_data, email_confirmed_at, created_at, updated_at)
     values (gen_random_uuid(), 'authenticated', 'authenticated', lower($1), $2, $3::text::jsonb, $4::text::jsonb,
        case when $5::boolean then now() end, now(), now())
     returning ${COLUMNS}`,
    [
      user.email,
      hash,
      JSON.stringify(appMetadata),
      JSON.stringify(user.userMetadata),
      user.emailConfirm,
    ],
  ).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === "23505") {
      throw new EmailExists(`a user with email ${user.email} already exists`);
    }
    throw error;
  });
  return rows[0]!;
}

export async function setPassword(sql: Sql, id: string, password: string): Promise<void> {
  const hash = await bcrypt.hash(password, 10);
  await sql`update auth.users set encrypted_password = ${hash}, updated_at = now()
    where id = ${id}::uuid`;
}

export async function passwordMatches(user: UserRow, password: string): Promise<boolean> {
  if (!user.encrypted_password) return false;
  return await bcrypt.compare(password, user.encrypted_password);
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);

/** The user object GoTrue answers with. */
export function userJson(user: UserRow): Record<string, unknown> {
  const appMetadata = { provider: "email", providers: ["email"], ...user.raw_app_meta_data };
  return {
    id: user.id,
    aud: user.aud ?? "authenticated",
    role: user.role ?? "authenticated",
    email: user.email ?? "",
    email_confirmed_at: iso(user.email_confirmed_at),
    confirmed_at: iso(user.email_confirmed_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    phone: "",
    app_metadata: appMetadata,
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: iso(user.created_at) ?? new Date(0).toISOString(),
    updated_at: iso(user.updated_at) ?? new Date(0).toISOString(),
    is_anonymous: false,
  };
}
