// The Wispro source: what the runner needs to stream customers out of Wispro's API.
export { createWisproClient, MAX_PER_PAGE } from "./client.ts";
export type { ClientsPage, WisproClient, WisproClientOptions } from "./client.ts";
export { DEFAULT_CONCURRENCY, DEFAULT_PER_PAGE, fetchClientPages } from "./pages.ts";
export { DEFAULT_MAX_PASSES, readClientSnapshot } from "./snapshot.ts";
export type { ClientSnapshot, ClientSnapshotOptions } from "./snapshot.ts";
export type { FetchClientPagesOptions } from "./pages.ts";
export { mapClient, mapClientsPage } from "./map-client.ts";
export { rejectSharedIdNumbers } from "./shared-ids.ts";
export { groupPages } from "./group-pages.ts";
export type { MappedClient, MappedPage, MappingOptions } from "./map-client.ts";
export { letterFromDetails, NATIONALITY_LETTERS, normaliseIdNumber } from "./id-number.ts";
export type { IdNumberResult, NationalityLetter } from "./id-number.ts";
export { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from "./backoff.ts";
export type { RetryPolicy } from "./backoff.ts";
export * from "./errors.ts";
