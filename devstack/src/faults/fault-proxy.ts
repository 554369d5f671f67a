// A fault-injecting HTTP proxy for the path between the agent and the edge (or any HTTP hop).
// It forwards raw bytes both ways, so gzip bodies and streamed answers pass untouched, and it can
// make chosen requests misbehave the ways real networks do:
//
//   "status"        answer 503 (or `status`) without forwarding: the server never saw it;
//   "hang"          accept the request and never answer, until the client gives up;
//   "drop"          reset the connection before forwarding: the server never saw it;
//   "lost_response" forward, let the server finish, then reset the connection: the client cannot
//                   know that its request landed (the case that makes retries dangerous);
//   "duplicate"     deliver the request to the server twice, answer with the second result.
//
// Which requests: `setPlan({ faults, next })` faults the next N eligible requests; `rate` faults a
// seeded-random share of them. `paths` limits eligibility to path prefixes. Usage:
//
//   const proxy = await startFaultProxy({ target: edgeUrl });
//   proxy.setPlan({ faults: ["status", "drop"], rate: 0.2, paths: ["/sync/runs"], seed: 7 });
//   ...point the client at proxy.url...; proxy.stats(); await proxy.stop();
import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { seededRandom } from "../random.ts";

export const FAULT_KINDS = ["status", "hang", "drop", "lost_response", "duplicate"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultPlan {
  /** The faults to choose from; one is picked at random (seeded) for each faulted request. */
  faults: readonly FaultKind[];
  /** Fault exactly the next `next` eligible requests, then pass everything. */
  next?: number;
  /** Or fault each eligible request with this probability (0..1). */
  rate?: number;
  /** Only requests whose path starts with one of these are eligible; all when absent. */
  paths?: string[];
  /** HTTP method filter, e.g. ["POST"]; all when absent. */
  methods?: string[];
  /** Status for the "status" fault; 503 when absent. */
  status?: number;
  /** Seed of the random choices, so a failing run can be replayed. */
  seed?: number;
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  faulted: Record<FaultKind, number>;
}

export interface FaultProxy {
  url: string;
  port: number;
  /** Replaces the plan; null passes everything through. */
  setPlan(plan: FaultPlan | null): void;
  stats(): FaultStats;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Base URL the proxy forwards to, e.g. http://127.0.0.1:54321 */
  target: string;
  plan?: FaultPlan | null;
  /** Port to listen on; a free one when absent. */
  port?: number;
}

const emptyStats = (): FaultStats => ({
  requests: 0,
  forwarded: 0,
  faulted: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>,
});

/** The upstream's answer, fully read. */
interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  let plan: FaultPlan | null = null;
  let random = seededRandom(1);
  let remaining = 0;
  const stats = emptyStats();
  const sockets = new Set<Socket>();

  const setPlan = (next: FaultPlan | null) => {
    plan = next;
    random = seededRandom(next?.seed ?? 1);
    remaining = next?.next ?? 0;
  };
  setPlan(options.plan ?? null);

  const chooseFault = (req: IncomingMessage): FaultKind | null => {
    if (!plan || plan.faults.length === 0) return null;
    const path = req.url ?? "/";
    if (plan.paths && !plan.paths.some((p) => path.startsWith(p))) return null;
    if (plan.methods && !plan.methods.includes(req.method ?? "GET")) return null;
    let hit = false;
    if (remaining > 0) {
      remaining--;
      hit = true;
    } else if (plan.rate !== undefined && plan.next === undefined) {
      hit = random() < plan.rate;
    }
    if (!hit) return null;
    return plan.faults[Math.floor(random() * plan.faults.length)] ?? null;
  };

  /** Sends the buffered request upstream; resolves with the upstream answer, fully read. */
  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<Answer>((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const upstream = httpRequest({
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname.replace(/\/$/, "")}${req.url ?? "/"}`,
        headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on(
          "end",
          () =>
            resolve({
              status: res.statusCode ?? 502,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
        );
        res.on("error", reject);
      });
      upstream.on("error", reject);
      upstream.end(body);
    });

  const reply = (res: ServerResponse, answer: Answer) => {
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    delete headers.connection;
    headers["content-length"] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const fault = chooseFault(req);
      if (fault) stats.faulted[fault]++;
      try {
        switch (fault) {
          case "status": {
            const payload = JSON.stringify({
              error: { code: "fault_injected", message: "injected" },
            });
            res.writeHead(plan?.status ?? 503, { "content-type": "application/json" });
            res.end(payload);
            return;
          }
          case "hang":
            return; // the socket stays open until the client aborts or the proxy stops
          case "drop":
            req.socket.destroy();
            return;
          case "lost_response":
            stats.forwarded++;
            await forward(req, body);
            req.socket.destroy();
            return;
          case "duplicate":
            stats.forwarded += 2;
            await forward(req, body);
            reply(res, await forward(req, body));
            return;
          default:
            stats.forwarded++;
            reply(res, await forward(req, body));
        }
      } catch (error) {
        if (res.headersSent) return req.socket.destroy();
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({
          error: { code: "bad_gateway", message: `fault proxy: ${(error as Error).message}` },
        }));
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setPlan,
    stats: () => structuredClone(stats),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
