// Proof that claim_commands hands each command out exactly once when agents claim concurrently:
// real separate connections and open transactions, which one pgTAP transaction cannot show.
import postgres from "postgres";
import { createAgent } from "../../devstack/src/postgres/index.ts";

export interface ProofResult {
  passed: number;
  failed: number;
  problems: string[];
}

interface Claimed {
  commands: { id: string }[];
}

export async function proveClaimExactlyOnce(url: string): Promise<ProofResult> {
  const result: ProofResult = { passed: 0, failed: 0, problems: [] };
  const check = (ok: boolean, what: string) => {
    if (ok) result.passed++;
    else {
      result.failed++;
      result.problems.push(`not ok - ${what}`);
    }
  };
  const agent = await createAgent(url, "claim-race");
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const a = postgres(url, { max: 1, onnotice: () => {} });
  const b = postgres(url, { max: 1, onnotice: () => {} });
  const pool = postgres(url, { max: 8, onnotice: () => {} });
  const addCommands = (n: number) =>
    admin`insert into public.commands (request_id, agent_id, source, action)
      select gen_random_uuid(), ${agent.id}, 'ferrawin', 'pause' from generate_series(1, ${n})`;
  const claim = async (tx: postgres.TransactionSql, limit: number): Promise<string[]> => {
    await tx`set local role service_role`;
    await tx`set local statement_timeout = '5s'`;
    const [row] = await tx<
      { r: Claimed }[]
    >`select public.claim_commands(${agent.key}, ${limit}) as r`;
    return (row?.r.commands ?? []).map((c) => c.id);
  };
  try {
    // Two claimers with overlapping open transactions: B must neither wait for A nor see A's rows.
    await addCommands(20);
    let releaseA!: () => void;
    const aHolds = new Promise<void>((resolve) => (releaseA = resolve));
    let aClaimed!: (ids: string[]) => void;
    const aReady = new Promise<string[]>((resolve) => (aClaimed = resolve));
    const aDone = a.begin(async (tx) => {
      aClaimed(await claim(tx, 10));
      await aHolds;
    });
    const fromA = await aReady;
    const fromB = await b.begin((tx) => claim(tx, 10));
    releaseA();
    await aDone;
    check(fromA.length === 10, `first claimer got 10 commands (got ${fromA.length})`);
    check(
      fromB.length === 10,
      `second claimer, while the first is open, got the other 10 (got ${fromB.length})`,
    );
    check(new Set([...fromA, ...fromB]).size === 20, "no command was claimed by both");
    const again = await b.begin((tx) => claim(tx, 10));
    check(again.length === 0, "a later claim finds nothing left");

    // Eight claimers at once over 40 commands.
    await addCommands(40);
    const batches = await Promise.all(
      Array.from({ length: 8 }, () => pool.begin((tx) => claim(tx, 5))),
    );
    const ids = batches.flat();
    const leftover = await pool.begin((tx) => claim(tx, 50));
    const all = [...ids, ...leftover];
    check(
      all.length === 40,
      `eight racing claimers plus a sweep claimed 40 in all (got ${all.length})`,
    );
    check(new Set(all).size === all.length, "no command was handed out twice among eight claimers");
    const [row] = await admin<{ n: number }[]>`
      select count(*)::int as n from public.commands where agent_id = ${agent.id} and status = 'claimed'`;
    check(row?.n === 60, `all 60 commands are stored as claimed (got ${row?.n})`);
  } catch (error) {
    result.failed++;
    result.problems.push(`claim proof crashed: ${(error as Error).message}`);
  } finally {
    await Promise.all([admin.end(), a.end(), b.end(), pool.end()]);
  }
  return result;
}
