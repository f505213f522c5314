// Headless Chromium as the repository runs it everywhere: Debian's (never a browser a test tool
// downloads), through playwright-core, with the flags a root container without a GPU needs.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
] as const;

/** $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
}

export async function launchChromium(executablePath: string = chromiumPath()): Promise<Browser> {
  return chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS] });
}
