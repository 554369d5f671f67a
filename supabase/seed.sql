-- Local seed for `supabase start`: nothing. Demo agents and users are created by the devstack
-- (devstack/src/postgres/demo-data.ts), because an agent key must be generated, shown once and hashed.
select 1;
