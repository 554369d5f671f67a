// How many bytes (after decompression) each route reads at most. A hosted edge function has 256 MB of
// memory and about 2 s of CPU per request (Supabase Edge Functions limits; over them the worker is
// answered 546 WORKER_LIMIT), so only batches may be large; every other body is a few KiB.
// progress and finish are bigger because the protocol lets them carry up to 200 log lines of up to
// 2,000 characters each (protocol/src/runs.ts), at worst 6 bytes a character once JSON-escaped.

const KiB = 1024;
const MiB = 1024 * KiB;

export const BODY_LIMITS = {
  commands: 16 * KiB,
  pusherAuth: 8 * KiB,
  claim: 4 * KiB,
  rejectCommand: 8 * KiB,
  fingerprints: 4 * KiB,
  openRun: 16 * KiB,
  heartbeat: 8 * KiB,
  progress: 3 * MiB,
  finish: 3 * MiB,
} as const;

/**
 * PUENTE_MAX_BODY_BYTES' default, the batches route's limit: a quarter of the 64 MiB allowed before, so
 * a batch at the limit, parsed (a few times its size as JavaScript objects) and sent on as JSON again,
 * stays inside a hosted worker's 256 MB. The agent's batches are far smaller (5 planillas or 1,000
 * customers).
 */
export const DEFAULT_MAX_BATCH_BYTES = 16 * MiB;
