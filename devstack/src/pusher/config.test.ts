// Unit tests for flag/environment configuration of the standalone server.
import { describe, expect, test } from "bun:test";
import { loadPusherConfig, PusherConfigInvalid } from "./config.ts";

describe("loadPusherConfig", () => {
  test("flags win over environment, which wins over defaults", () => {
    const config = loadPusherConfig(
      ["--key", "flag-key", "--port", "6001"],
      {
        PUSHER_KEY: "env-key",
        PUSHER_SECRET: "env-secret",
        PUSHER_APP_ID: "7",
        PUSHER_ACTIVITY_TIMEOUT_S: "2",
      },
    );
    expect(config).toEqual({
      appId: "7",
      key: "flag-key",
      secret: "env-secret",
      host: "127.0.0.1",
      port: 6001,
      activityTimeoutS: 2,
    });
  });

  test("defaults give random credentials and a free port", () => {
    const a = loadPusherConfig([], {});
    const b = loadPusherConfig([], {});
    expect(a.port).toBe(0);
    expect(a.activityTimeoutS).toBe(120);
    expect(a.key).not.toBe(b.key);
    expect(a.secret).toMatch(/^[0-9a-f]{20}$/);
  });

  test("bad values and unknown flags say what is wrong", () => {
    expect(() => loadPusherConfig(["--port", "99999"], {})).toThrow(PusherConfigInvalid);
    expect(() => loadPusherConfig([], { PUSHER_ACTIVITY_TIMEOUT_S: "0" })).toThrow(
      /activityTimeoutS/,
    );
    expect(() => loadPusherConfig(["--nope"], {})).toThrow(PusherConfigInvalid);
  });
});
