import { expect, test } from "bun:test";
import { seededRandom } from "./random.ts";

test("seededRandom is deterministic and in [0, 1)", () => {
  const a = seededRandom(9);
  const b = seededRandom(9);
  for (let i = 0; i < 100; i++) {
    const x = a();
    expect(x).toBe(b());
    expect(x >= 0 && x < 1).toBe(true);
  }
});
