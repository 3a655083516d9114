/** Debian's Chromium for the end-to-end tests (headless; no browser download at run time). */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, TEST_OUTPUT } from './paths';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM}: apt-get install chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Saves a screenshot under .test-results; UPDATE_SCREENSHOTS=1 also refreshes it in docs/images when the
 * docs use it (a picture is there already: put a new one there by hand once).
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(TEST_OUTPUT, name) });
  const published = join(ROOT, 'docs', 'images', name);
  if (process.env.UPDATE_SCREENSHOTS === '1' && existsSync(published)) copyFileSync(join(TEST_OUTPUT, name), published);
}
