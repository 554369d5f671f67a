// Server-side rendering of the web's components for Bun unit tests: Bun compiles JSX for React, so this
// plugin compiles the web's .tsx with Solid's own Babel preset (SSR output) before Bun strips the types.
// Import this module first, then import components dynamically: `await import("./X.tsx")`.
import { plugin } from "bun";
import { transformAsync } from "@babel/core";
import { createComponent, type JSX } from "solid-js";
import { renderToString } from "solid-js/web";
import { AppContext, type AppContextValue } from "../app/context.ts";

plugin({
  name: "solid-ssr-for-tests",
  setup(build) {
    build.onLoad({ filter: /[\\/]web[\\/]src[\\/].*\.tsx$/ }, async (args) => {
      const source = await Bun.file(args.path).text();
      const out = await transformAsync(source, {
        filename: args.path,
        babelrc: false,
        configFile: false,
        parserOpts: { plugins: ["jsx", "typescript"] },
        presets: [["babel-preset-solid", { generate: "ssr", hydratable: false }]],
      });
      if (!out?.code) throw new Error(`could not compile ${args.path}`);
      return { contents: out.code, loader: "ts" };
    });
  },
});

/** The HTML a component renders; `app` provides the signed-in context the screens read. */
export function render(view: () => JSX.Element, app?: Partial<AppContextValue>): string {
  if (!app) return renderToString(view);
  return renderToString(() =>
    createComponent(AppContext.Provider, {
      value: app as AppContextValue,
      get children() {
        return view();
      },
    })
  );
}

/** The text of the element carrying `data-testid="<id>"` (tags stripped), or null. */
export function textOf(html: string, testId: string): string | null {
  const at = html.indexOf(`data-testid="${testId}"`);
  if (at < 0) return null;
  const start = html.indexOf(">", at) + 1;
  const tag = html.lastIndexOf("<", at);
  const name = /^<(\w+)/.exec(html.slice(tag))?.[1] ?? "";
  let depth = 1;
  let i = start;
  const open = new RegExp(`<${name}[\\s>]`, "g");
  const close = `</${name}>`;
  while (depth > 0) {
    const nextClose = html.indexOf(close, i);
    if (nextClose < 0) return null;
    open.lastIndex = i;
    const nextOpen = open.exec(html);
    if (nextOpen && nextOpen.index < nextClose) {
      depth++;
      i = nextOpen.index + 1;
    } else {
      depth--;
      i = nextClose + close.length;
    }
  }
  return html.slice(start, i - close.length).replace(/<[^>]*>/g, "").replace(/<!--.*?-->/g, "");
}
