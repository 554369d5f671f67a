import { describe, expect, test } from "bun:test";
import { ConfigUnavailable, isLocalTarget, loadRuntimeConfig } from "./config.ts";

const good = {
  supabaseUrl: "http://127.0.0.1:54321",
  anonKey: "anon",
  pusher: { key: "k", cluster: "mt1", wsHost: "127.0.0.1", wsPort: 6001, forceTLS: false },
};
const fetchJson = (body: unknown, status = 200) =>
  (() =>
    Promise.resolve(new Response(JSON.stringify(body), { status }))) as unknown as typeof fetch;

describe("loadRuntimeConfig", () => {
  test("reads /config.json", async () => {
    const config = await loadRuntimeConfig(fetchJson(good), {});
    expect(config.pusher.wsPort).toBe(6001);
    expect(config.pusher.forceTLS).toBe(false);
  });
  test("falls back to VITE_* variables without config.json", async () => {
    const config = await loadRuntimeConfig(fetchJson({}, 404), {
      VITE_SUPABASE_URL: "https://x.supabase.co",
      VITE_SUPABASE_ANON_KEY: "anon",
      VITE_PUSHER_KEY: "k",
      VITE_PUSHER_CLUSTER: "eu",
    });
    expect(config.pusher).toMatchObject({ key: "k", cluster: "eu", forceTLS: true });
  });
  test("says which field is missing", async () => {
    const failing = (() => Promise.reject(new TypeError("offline"))) as unknown as typeof fetch;
    const error = await loadRuntimeConfig(failing, {}).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigUnavailable);
    expect(String(error.message)).toContain("supabaseUrl");
  });
  test("target badge: local or production", () => {
    expect(isLocalTarget("http://127.0.0.1:54321")).toBe(true);
    expect(isLocalTarget("https://abc.supabase.co")).toBe(false);
  });
});
