// Debian's Chromium for browser tests and screenshots: never a downloaded browser, and no background
// traffic (this machine's only network is loopback).
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.PUENTE_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
