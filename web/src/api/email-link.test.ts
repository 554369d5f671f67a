import { describe, expect, test } from "bun:test";
import { emailLinkFrom, newPasswordProblem } from "./email-link.ts";

describe("email links", () => {
  test("an invite or recovery fragment asks for a password; an error fragment is invalid", () => {
    expect(emailLinkFrom("#access_token=a&refresh_token=r&type=invite&sb=")).toEqual({
      kind: "setPassword",
      type: "invite",
    });
    expect(emailLinkFrom("#access_token=a&type=recovery")?.kind).toBe("setPassword");
    expect(emailLinkFrom("#error=access_denied&error_code=otp_expired&sb=")).toEqual({
      kind: "invalid",
      code: "otp_expired",
    });
    expect(emailLinkFrom("")).toBeNull();
    expect(emailLinkFrom("#type=invite")).toBeNull();
    expect(emailLinkFrom("#access_token=a&type=magiclink")).toBeNull();
  });

  test("a new password needs 6 characters and the same twice", () => {
    expect(newPasswordProblem("12345", "12345")).toBe("tooShort");
    expect(newPasswordProblem("123456", "123457")).toBe("mismatch");
    expect(newPasswordProblem("mi-clave", "mi-clave")).toBeNull();
  });
});
