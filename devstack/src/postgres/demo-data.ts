// Demo agent and users for the devstack: the agent through create_agent (so its key is only stored
// hashed), users straight into auth.users with bcrypt passwords and their role in app_metadata.
import bcrypt from "bcryptjs";
import postgres from "postgres";

export type UserRole = "admin" | "staff";

export interface DemoAgent {
  id: string;
  key: string;
}

export interface DemoUser {
  id: string;
  email: string;
  password: string;
  role: UserRole | null;
}

/** Creates an agent by calling create_agent as an admin would; returns the key, shown only here. */
export async function createAgent(url: string, name: string): Promise<DemoAgent> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (tx) => {
      await tx`set local role authenticated`;
      await tx`select set_config('request.jwt.claims', ${
        JSON.stringify({ role: "authenticated", app_metadata: { role: "admin" } })
      }, true)`;
      const [row] = await tx<{ result: { agentId: string; key: string } }[]>`
        select public.create_agent(${name}) as result`;
      if (!row) throw new Error("create_agent returned nothing");
      return { id: row.result.agentId, key: row.result.key };
    });
  } finally {
    await sql.end();
  }
}

/** Inserts a confirmed user; `role` goes into raw_app_meta_data.role (null: a user without a role). */
export async function createUser(
  url: string,
  user: { email: string; password: string; role: UserRole | null },
): Promise<DemoUser> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const hash = bcrypt.hashSync(user.password, 10);
    const appMeta = {
      provider: "email",
      providers: ["email"],
      ...(user.role ? { role: user.role } : {}),
    };
    const [row] = await sql<{ id: string }[]>`
      insert into auth.users (email, encrypted_password, raw_app_meta_data, raw_user_meta_data,
        email_confirmed_at)
      values (${user.email}, ${hash}, ${sql.json(appMeta)}, ${sql.json({})}, now())
      returning id`;
    if (!row) throw new Error("insert into auth.users returned nothing");
    return { id: row.id, ...user };
  } finally {
    await sql.end();
  }
}

/** The devstack's demo agent plus one admin and one staff user. */
export async function createDemoData(url: string): Promise<{
  agent: DemoAgent;
  users: { admin: DemoUser; staff: DemoUser };
}> {
  const agent = await createAgent(url, "Oficina (demo)");
  const admin = await createUser(url, {
    email: "admin@puente.local",
    password: "puente-admin-demo",
    role: "admin",
  });
  const staff = await createUser(url, {
    email: "staff@puente.local",
    password: "puente-staff-demo",
    role: "staff",
  });
  return { agent, users: { admin, staff } };
}
