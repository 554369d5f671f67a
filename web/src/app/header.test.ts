import { describe, expect, test } from "bun:test";
import { render } from "../testing/render.ts";

const { Header } = await import("./Header.tsx");

describe("header menu", () => {
  test("refresh, language and sign-out sit behind one closed menu button that controls them", () => {
    const html = render(() =>
      Header({
        app: {
          store: { state: { connection: "connected", reconciledAt: null } } as never,
          now: () => 0,
        } as never,
        isLocalTarget: true,
        onLogout: () => {},
      })
    );
    expect(html).toMatch(
      /data-testid="header-menu-toggle"[^>]*aria-expanded="false"[^>]*aria-controls="header-menu"/,
    );
    const list = html.slice(html.indexOf('id="header-menu"'));
    for (const id of ["refresh", "lang-switch", "logout"]) {
      expect(list).toContain(`data-testid="${id}"`);
    }
    expect(html.indexOf('data-testid="connection-badge"')).toBeLessThan(
      html.indexOf('id="header-menu"'),
    );
  });
  test("signed out: the menu holds the language switch only", () => {
    const html = render(() => Header({ isLocalTarget: false }));
    expect(html).toContain('data-testid="lang-switch"');
    expect(html).not.toContain('data-testid="logout"');
    expect(html).not.toContain('data-testid="refresh"');
  });
});
