import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { BatchResult } from "@puente/protocol";
import { BatchPipeline } from "./batch-pipeline.ts";
import { createEdgeClient } from "./edge-client.ts";
import { AGENT_KEY, type FakeEdge, startFakeEdge } from "../../test/fake-edge.ts";

interface Draft {
  cursor: number;
}

const answer = (seq: number): BatchResult => ({ seq, replayed: false, counts: {}, rejects: [] });

/** A send whose answers the test releases one by one, in any order. */
function controlledSend() {
  const waiting = new Map<
    number,
    { resolve: (r: BatchResult) => void; reject: (e: Error) => void }
  >();
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (seq: number) =>
    new Promise<BatchResult>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      waiting.set(seq, {
        resolve: (r) => {
          inFlight--;
          resolve(r);
        },
        reject: (e) => {
          inFlight--;
          reject(e);
        },
      });
    });
  return {
    send,
    ack: (seq: number) => waiting.get(seq)!.resolve(answer(seq)),
    fail: (seq: number, error: Error) => waiting.get(seq)!.reject(error),
    get maxInFlight() {
      return maxInFlight;
    },
    sent: () => [...waiting.keys()],
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("batch pipeline", () => {
  test("never has more than maxInFlight batches on the wire", async () => {
    const wire = controlledSend();
    const pipeline = new BatchPipeline<Draft>({ send: wire.send, maxInFlight: 3, firstSeq: 0 });
    const pushes = [0, 1, 2, 3, 4].map((i) => pipeline.push({ cursor: i }));
    await tick();
    expect(wire.sent()).toEqual([0, 1, 2]);
    wire.ack(1);
    await tick();
    await tick();
    expect(wire.sent()).toEqual([0, 1, 2, 3]);
    wire.ack(0);
    wire.ack(2);
    await tick();
    await tick();
    wire.ack(3);
    await tick();
    await tick();
    wire.ack(4);
    await Promise.all(pushes);
    await pipeline.drain();
    expect(wire.maxInFlight).toBe(3);
    expect(pipeline.nextSeq).toBe(5);
  });

  test("the cursor advances only when every earlier batch is acknowledged", async () => {
    const wire = controlledSend();
    const pipeline = new BatchPipeline<Draft>({ send: wire.send, maxInFlight: 5, firstSeq: 10 });
    for (const cursor of [100, 101, 102, 103]) await pipeline.push({ cursor });
    wire.ack(12);
    wire.ack(11);
    await tick();
    expect(pipeline.ackedCursor).toBeNull();
    wire.ack(10);
    await tick();
    expect(pipeline.ackedCursor).toBe(102);
    wire.ack(13);
    await pipeline.drain();
    expect(pipeline.ackedCursor).toBe(103);
  });

  test("onAdvance tells each batch joining the acknowledged prefix, in seq order", async () => {
    const wire = controlledSend();
    const advanced: number[] = [];
    const pipeline = new BatchPipeline<Draft>({
      send: wire.send,
      maxInFlight: 5,
      firstSeq: 10,
      onAdvance: (draft) => advanced.push(draft.cursor),
    });
    for (const cursor of [100, 101, 102, 103]) await pipeline.push({ cursor });
    wire.ack(12);
    wire.ack(11);
    await tick();
    expect(advanced).toEqual([]);
    wire.ack(10);
    await tick();
    expect(advanced).toEqual([100, 101, 102]);
    wire.ack(13);
    await pipeline.drain();
    expect(advanced).toEqual([100, 101, 102, 103]);
  });

  test("a failed batch stops further sends and holds the cursor before it", async () => {
    const wire = controlledSend();
    const pipeline = new BatchPipeline<Draft>({ send: wire.send, maxInFlight: 2, firstSeq: 0 });
    await pipeline.push({ cursor: 0 });
    await pipeline.push({ cursor: 1 });
    const third = pipeline.push({ cursor: 2 });
    wire.ack(0);
    wire.fail(1, new Error("server said no"));
    await expect(third).rejects.toThrow("server said no");
    expect(wire.sent()).toEqual([0, 1]);
    await expect(pipeline.drain()).rejects.toThrow("server said no");
    expect(pipeline.ackedCursor).toBe(0);
  });
});

describe("batch pipeline against the fake edge", () => {
  let edge: FakeEdge;
  beforeAll(() => {
    edge = startFakeEdge();
  });
  afterAll(() => edge.stop());

  test("out-of-order answers and failed requests still deliver every batch once, in bound", async () => {
    const client = createEdgeClient({
      baseUrl: edge.url,
      agentKey: AGENT_KEY,
      retry: { limit: 5, baseDelayMs: 5, backoffLimitMs: 40 },
    });
    const run = await client.openRun({ source: "ferrawin", params: { mode: "all" } });
    let onWire = 0;
    let maxOnWire = 0;
    // Later batches answer sooner; every third batch fails twice (503, then 429) before it passes.
    edge.fault = (request, attempt) => {
      const seq = (request.body as { seq?: number })?.seq;
      if (seq === undefined) return null;
      if (seq % 3 === 0 && attempt === 1) return { status: 503 };
      if (seq % 3 === 0 && attempt === 2) return { status: 429, retryAfter: "0" };
      return { delayMs: 60 - (seq % 4) * 15 };
    };
    const acked: number[] = [];
    const cursors: (number | null)[] = [];
    const pipeline: BatchPipeline<Draft> = new BatchPipeline<Draft>({
      maxInFlight: 3,
      firstSeq: 0,
      send: async (seq) => {
        onWire++;
        maxOnWire = Math.max(maxOnWire, onWire);
        try {
          return await client.sendBatch(run.id, {
            v: 1,
            seq,
            kind: "planillas",
            rejects: [],
            planillas: [],
          });
        } finally {
          onWire--;
        }
      },
      onAck: (seq) => {
        acked.push(seq);
        cursors.push(pipeline.ackedCursor);
      },
    });
    for (let i = 0; i < 12; i++) await pipeline.push({ cursor: i });
    await pipeline.drain();

    expect(maxOnWire).toBeLessThanOrEqual(3);
    expect([...acked].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(acked).not.toEqual([...Array(12).keys()]);
    expect(pipeline.ackedCursor).toBe(11);
    // Whenever the cursor stood at c, batches 0..c had all been acknowledged.
    for (const [i, cursor] of cursors.entries()) {
      if (cursor === null) continue;
      const ackedSoFar = new Set(acked.slice(0, i + 1));
      for (let seq = 0; seq <= cursor; seq++) expect(ackedSoFar.has(seq)).toBe(true);
    }
    expect(edge.seqReuses).toEqual([]);
  });
});
