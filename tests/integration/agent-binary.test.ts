// The compiled Linux agent, built the way `npm run build:agent` builds it, smoke-tested against a booted
// devstack: `version`, `doctor` with every check passing, and `run` completing a FerraWin sync from a
// command sent through the edge (agent/test/smoke-binary.ts). The build takes seconds, so it runs here.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToEnd } from "./support.ts";

const root = join(import.meta.dir, "..", "..");
const outDir = mkdtempSync(join(tmpdir(), "puente-agent-build-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the compiled agent", () => {
  test.skipIf(process.platform !== "linux" || process.arch !== "x64")(
    "builds, and its version, doctor and run work against the devstack",
    async () => {
      const { out, err, code } = await runToEnd({
        cmd: [process.execPath, join(root, "agent", "build.ts"), "linux-x64", "--out-dir", outDir],
        cwd: root,
      });
      const output = out + err;
      if (code !== 0) console.error(output.slice(-4000));
      expect(code).toBe(0);
      for (
        const step of [
          "✔ version: puente-agent",
          "✔ doctor: every check passes against the devstack",
          "✔ run: claimed it on the doorbell and completed a FerraWin sync",
          "✔ run: exited 0 on SIGTERM",
        ]
      ) {
        expect(output).toContain(step);
      }
    },
    120_000,
  );
});
