// Debian's Chromium driven by playwright-core (which never downloads a browser of its own),
// and screenshots for test-results/ and, on request, for the docs.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/runtime';

// `npm test` sets CHROMIUM_PATH to the browser it found or installed.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The machine has no internet: without these, Chromium keeps trying to reach Google services.
const FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Headless; playwright gives every launch a fresh, empty profile (--user-data-dir in a temp folder). */
export function launchChromium(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS, timeout: 60_000 });
}

export const RESULTS_DIR = join(repoRoot, 'test-results', 'screenshots');
export const DOCS_DIR = join(repoRoot, 'docs', 'screenshots');

/**
 * Always to test-results/screenshots (git-ignored); also to docs/screenshots when
 * UPDATE_SCREENSHOTS=1 and the shot is meant for the README, so plain runs leave tracked files alone.
 */
export async function saveScreenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
	mkdirSync(RESULTS_DIR, { recursive: true });
	const image = await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
	if (options.docs && process.env.UPDATE_SCREENSHOTS === '1') {
		mkdirSync(DOCS_DIR, { recursive: true });
		// The same image, without the step number: docs names must not change when steps are added.
		writeFileSync(join(DOCS_DIR, `${name.replace(/^\d+-/, '')}.png`), image);
	}
}
