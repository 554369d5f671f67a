import { expect, test } from "bun:test";
import { render } from "../testing/render.ts";

const { TextField } = await import("./TextField.tsx");

test("a text field: its label points at the input, whose id is its test id", () => {
  const html = render(() =>
    TextField({
      id: "login-email",
      label: "Correo",
      type: "email",
      autocomplete: "username",
      value: "ana@example.com",
      onInput: () => {},
    })
  );
  expect(html).toContain('<label for="login-email">Correo</label>');
  expect(html).toMatch(/<input[^>]*id="login-email"[^>]*type="email"/);
  expect(html).toContain('data-testid="login-email"');
  expect(html).toContain('value="ana@example.com"');
});
