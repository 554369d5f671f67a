// Unit tests for signing.ts against the published Pusher test vectors.
import { describe, expect, test } from "bun:test";
import {
  channelAuth,
  constantTimeEqual,
  hmacSha256Hex,
  isChannelAuthValid,
  md5Hex,
  requestStringToSign,
  verifyRequestSignature,
} from "./signing.ts";

// Test vectors from REFERENCE.md "Pusher Channels protocol 7".
const app = { key: "278d425bdf160c739803", secret: "7ad3773142a6692b25b8" };
const socketId = "1234.1234";

describe("channel auth", () => {
  test("private-foobar matches the published vector", () => {
    expect(channelAuth(app, socketId, "private-foobar")).toBe(
      `${app.key}:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4`,
    );
  });

  test("presence-foobar signs socket:channel:channel_data", () => {
    const channelData = JSON.stringify({ user_id: 10, user_info: { name: "Mr. Pusher" } });
    expect(channelAuth(app, socketId, "presence-foobar", channelData)).toBe(
      `${app.key}:afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c`,
    );
  });

  test("verification refuses other channels, sockets, keys and altered channel_data", () => {
    const auth = channelAuth(app, socketId, "private-foobar");
    expect(isChannelAuthValid(app, socketId, "private-foobar", auth)).toBe(true);
    expect(isChannelAuthValid(app, socketId, "private-other", auth)).toBe(false);
    expect(isChannelAuthValid(app, "1234.1235", "private-foobar", auth)).toBe(false);
    expect(isChannelAuthValid(app, socketId, "private-foobar", `x${auth.slice(1)}`)).toBe(false);
    expect(isChannelAuthValid(app, socketId, "private-foobar", undefined)).toBe(false);
    const data = '{"user_id":10}';
    const presence = channelAuth(app, socketId, "presence-x", data);
    expect(isChannelAuthValid(app, socketId, "presence-x", presence, data)).toBe(true);
    expect(isChannelAuthValid(app, socketId, "presence-x", presence, '{"user_id": 10}')).toBe(
      false,
    );
  });

  test("constantTimeEqual handles different lengths", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });
});

describe("HTTP request signing", () => {
  const body = '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}';
  const timestamp = 1353088179;

  function signedParams(overrides: Record<string, string> = {}): URLSearchParams {
    const params = new URLSearchParams({
      auth_key: app.key,
      auth_timestamp: String(timestamp),
      auth_version: "1.0",
      body_md5: md5Hex(body),
      ...overrides,
    });
    const signature = hmacSha256Hex(
      app.secret,
      requestStringToSign("POST", "/apps/3/events", params),
    );
    params.set("auth_signature", signature);
    return params;
  }

  test("body md5 and signature match the published vector", () => {
    expect(md5Hex(body)).toBe("ec365a775a4cd0599faeb73354201b6f");
    expect(signedParams().get("auth_signature")).toBe(
      "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c",
    );
  });

  test("a correctly signed request passes", () => {
    const verdict = verifyRequestSignature(
      app,
      { method: "POST", path: "/apps/3/events", params: signedParams(), body },
      timestamp + 10,
    );
    expect(verdict).toEqual({ ok: true });
  });

  test("tampering, wrong key, stale timestamp and wrong body are refused with a reason", () => {
    const check = (params: URLSearchParams, requestBody = body, now = timestamp) =>
      verifyRequestSignature(app, {
        method: "POST",
        path: "/apps/3/events",
        params,
        body: requestBody,
      }, now);
    const tampered = signedParams();
    tampered.set("auth_signature", "0".repeat(64));
    expect(check(tampered)).toMatchObject({
      ok: false,
      message: expect.stringContaining("Invalid signature"),
    });
    expect(check(signedParams({ auth_key: "other" }))).toMatchObject({
      ok: false,
      message: expect.stringContaining("auth_key"),
    });
    expect(check(signedParams(), body, timestamp + 601)).toMatchObject({
      ok: false,
      message: expect.stringContaining("Timestamp expired"),
    });
    expect(check(signedParams(), `${body} `)).toMatchObject({
      ok: false,
      message: expect.stringContaining("body_md5"),
    });
    expect(check(signedParams({ auth_version: "2.0" }))).toMatchObject({ ok: false });
  });
});
