// The Wispro API stand-in: `GET /api/v1/clients` with Wispro's envelope, raw-token auth, HTTP-200
// error bodies, filters and injectable faults, plus a small control API so other processes can
// inject faults too. Test and demo infrastructure only.
//
// Like the real account, its client list can change while a sync pages through it: `afterPage` runs a
// change after each page is answered, and `churn` (also `POST /_devstack/churn`) deletes and creates
// clients between page requests. The list keeps creation order (new clients at the end, a deletion
// closes the gap), so offsets move exactly as they do when the real list changes under a reader.
import { generateClients, type WisproClientRecord } from "./clients.ts";
import { type Fault, type FaultScope, WisproFaults } from "./faults.ts";

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 1000;

export interface WisproRequestLogEntry {
  /** Monotonic milliseconds (performance.now) when the request arrived. */
  receivedAt: number;
  /** When the answer was sent; null while a hung request is still open. */
  answeredAt: number | null;
  page: number;
  perPage: number;
  /** `ok`, `unauthorized`, `bad_request`, or the fault that answered. */
  outcome: "ok" | "unauthorized" | "bad_request" | Fault["kind"];
  httpStatus: number | null;
}

export interface WisproServerOptions {
  token: string;
  clients: readonly WisproClientRecord[];
  port?: number;
  hostname?: string;
}

/** Between page requests: delete `deletes` clients near the start of the list and create `creates` at its end. */
export interface WisproChurn {
  deletes: number;
  creates: number;
  /** Seed for the created clients' data (default 1). */
  seed?: number;
}

/** Runs after a `/clients` page is answered, with the live list to change in place. */
export type WisproListChange = (clients: WisproClientRecord[], page: number) => void;

export interface WisproServer {
  /** `http://127.0.0.1:<port>/api/v1`, the value for WISPRO_API_URL. */
  baseUrl: string;
  port: number;
  faults: WisproFaults;
  /** The client list as it is now. */
  clients(): WisproClientRecord[];
  /** A change to run after each answered page (null: none). */
  afterPage(change: WisproListChange | null): void;
  /** Deletes and creates clients after each answered page (null: stop). */
  churn(churn: WisproChurn | null): void;
  /** Every `/clients` request so far, oldest first. */
  requests(): WisproRequestLogEntry[];
  clearRequests(): void;
  stop(): Promise<void>;
}

/** Wispro's error body, which it usually sends with HTTP 200. */
function wisproError(status: number, message: string, errors: Record<string, unknown> = {}) {
  return Response.json({ status, meta: {}, message, errors });
}

const BODY_STATUS_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  404: "Not Found",
  412: "Precondition Failed",
  500: "Internal Server Error",
};

function positiveInteger(value: string | null, fallback: number): number | null {
  if (value === null || value === "") return fallback;
  return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : null;
}

function paginate(clients: readonly WisproClientRecord[], page: number, perPage: number) {
  const totalPages = Math.ceil(clients.length / perPage);
  return {
    status: 200,
    meta: {
      pagination: {
        total_records: clients.length,
        total_pages: totalPages,
        per_page: perPage,
        current_page: page,
      },
    },
    data: clients.slice((page - 1) * perPage, page * perPage),
  };
}

function filterClients(clients: readonly WisproClientRecord[], params: URLSearchParams) {
  const nationalId = params.get("national_identification_number_eq");
  const customId = params.get("custom_id_eq");
  return clients.filter((c) =>
    (nationalId === null || c.national_identification_number === nationalId) &&
    (customId === null || c.custom_id === customId)
  );
}

interface FaultControl extends FaultScope {
  count?: number;
  retryAfterS?: number;
  status?: number;
}

/** `POST /_devstack/faults` body: `{ latencyMs?, rateLimit?, serverErrors?, hang?, bodyStatus?, truncateJson? }`. */
function applyFaultControl(faults: WisproFaults, body: Record<string, FaultControl | number>) {
  const get = (key: string) => (typeof body[key] === "object" ? body[key] as FaultControl : null);
  if (typeof body.latencyMs === "number") faults.latencyMs = body.latencyMs;
  const rateLimit = get("rateLimit");
  if (rateLimit) faults.rateLimit(rateLimit.count ?? 1, rateLimit.retryAfterS ?? 1, rateLimit);
  const serverErrors = get("serverErrors");
  if (serverErrors) faults.serverErrors(serverErrors.count ?? 1, serverErrors.status, serverErrors);
  const hang = get("hang");
  if (hang) faults.hang(hang.count ?? 1, hang);
  const bodyStatus = get("bodyStatus");
  if (bodyStatus) faults.bodyStatus(bodyStatus.count ?? 1, bodyStatus.status ?? 500, bodyStatus);
  const truncate = get("truncateJson");
  if (truncate) faults.truncateJson(truncate.count ?? 1, truncate);
}

/** A change that deletes clients from the front half of the list and appends freshly generated ones. */
export function churnChange(churn: WisproChurn): WisproListChange {
  let created = 0;
  return (clients) => {
    for (let i = 0; i < churn.deletes && clients.length > 0; i++) {
      // Near the start, where a deletion moves every page a reader has not reached yet.
      clients.splice(Math.min(i * 3, clients.length - 1), 1);
    }
    if (churn.creates > 0) {
      const fresh = generateClients(created + churn.creates, churn.seed ?? 1).slice(created);
      created += churn.creates;
      const publicId = Math.max(0, ...clients.map((c) => c.public_id));
      fresh.forEach((c, i) => {
        clients.push({ ...c, id: crypto.randomUUID(), public_id: publicId + i + 1 });
      });
    }
  };
}

export function startWisproServer(options: WisproServerOptions): WisproServer {
  const faults = new WisproFaults();
  /** The live list: the fixture, then whatever changes ran. */
  const data: WisproClientRecord[] = [...options.clients];
  let change: WisproListChange | null = null;
  const log: WisproRequestLogEntry[] = [];
  const openHangs = new Set<() => void>();

  async function answerFault(
    fault: Fault,
    request: Request,
    body: () => unknown,
  ): Promise<Response> {
    switch (fault.kind) {
      case "rate_limit":
        return new Response(JSON.stringify({ status: 429, message: "Too Many Requests" }), {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": String(fault.retryAfterS) },
        });
      case "server_error":
        return new Response("<html><body>Service Unavailable</body></html>", {
          status: fault.status,
          headers: { "content-type": "text/html" },
        });
      case "hang":
        await new Promise<void>((resolve) => {
          const release = () => {
            openHangs.delete(release);
            resolve();
          };
          openHangs.add(release);
          request.signal.addEventListener("abort", release, { once: true });
        });
        return new Response(null, { status: 504 });
      case "body_status":
        return wisproError(fault.status, BODY_STATUS_MESSAGES[fault.status] ?? "Error");
      case "truncated_json": {
        const full = JSON.stringify(body());
        return new Response(full.slice(0, Math.floor(full.length / 2)), {
          headers: { "content-type": "application/json; charset=utf-8" },
        });
      }
    }
  }

  async function listClients(request: Request, url: URL): Promise<Response> {
    const params = url.searchParams;
    const page = positiveInteger(params.get("page"), 1);
    const perPage = positiveInteger(params.get("per_page"), DEFAULT_PER_PAGE);
    const entry: WisproRequestLogEntry = {
      receivedAt: performance.now(),
      answeredAt: null,
      page: page ?? 0,
      perPage: perPage ?? 0,
      outcome: "ok",
      httpStatus: null,
    };
    log.push(entry);
    const finish = (outcome: WisproRequestLogEntry["outcome"], response: Response) => {
      entry.outcome = outcome;
      entry.httpStatus = response.status;
      entry.answeredAt = performance.now();
      return response;
    };

    if (request.headers.get("authorization") !== options.token) {
      return finish("unauthorized", wisproError(401, "Unauthorized"));
    }
    if (page === null || perPage === null || perPage > MAX_PER_PAGE) {
      return finish(
        "bad_request",
        wisproError(400, "Bad Request", {
          pagination: [
            `page must be a positive integer and per_page between 1 and ${MAX_PER_PAGE}`,
          ],
        }),
      );
    }
    if (faults.latencyMs > 0) await Bun.sleep(faults.latencyMs);
    const body = () => paginate(filterClients(data, params), page, perPage);
    const fault = faults.take(page);
    if (fault) {
      entry.outcome = fault.kind;
      return finish(fault.kind, await answerFault(fault, request, body));
    }
    const answer = Response.json(body());
    change?.(data, page);
    return finish("ok", answer);
  }

  async function control(request: Request, path: string): Promise<Response> {
    if (path === "/_devstack/faults" && request.method === "POST") {
      applyFaultControl(faults, await request.json());
      return Response.json({ pending: faults.pending, latencyMs: faults.latencyMs });
    }
    if (path === "/_devstack/faults" && request.method === "DELETE") {
      faults.reset();
      return Response.json({ pending: 0, latencyMs: 0 });
    }
    if (path === "/_devstack/requests" && request.method === "GET") return Response.json(log);
    if (path === "/_devstack/churn" && request.method === "POST") {
      const body = await request.json() as Partial<WisproChurn>;
      const churn = { deletes: Number(body.deletes ?? 0), creates: Number(body.creates ?? 0) };
      change = churn.deletes || churn.creates ? churnChange(churn) : null;
      return Response.json({ ...churn, clients: data.length });
    }
    return new Response("not found\n", { status: 404 });
  }

  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    idleTimeout: 0,
    fetch(request) {
      const url = new URL(request.url);
      const path = url.pathname.replace(/\/+$/, "");
      if (path === "/api/v1/clients" && request.method === "GET") return listClients(request, url);
      if (path.startsWith("/_devstack/")) return control(request, path);
      return Response.json({ status: 404, meta: {}, message: "Not Found", errors: {} }, {
        status: 404,
      });
    },
  });
  const port = server.port ?? 0;

  return {
    baseUrl: `http://${options.hostname ?? "127.0.0.1"}:${port}/api/v1`,
    port,
    faults,
    clients: () => data.map((client) => ({ ...client })),
    afterPage: (next) => {
      change = next;
    },
    churn: (churn) => {
      change = churn ? churnChange(churn) : null;
    },
    requests: () => log.map((entry) => ({ ...entry })),
    clearRequests: () => {
      log.length = 0;
    },
    async stop() {
      for (const release of [...openHangs]) release();
      await server.stop(true);
    },
  };
}
