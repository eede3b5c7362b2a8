// Debian's Chromium driven by playwright-core (which never downloads a browser of its own),
// and screenshots for test-results/ and, on request, for the docs.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot } from '../helpers/runtime.cjs';

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

/** Retries `read` until `check` passes (the editor renders asynchronously), then asserts once more. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		try {
			check(value);
			return value;
		} catch (error) {
			if (Date.now() > deadline) throw error;
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** The visible dropdown option whose headline is exactly `name` (options also hold a description). */
export function visibleOption(page: Page, name: string): Locator {
	return page.getByRole('option').filter({ visible: true }).filter({ has: page.getByText(name, { exact: true }) });
}

/** First-run dialogs (personalization, what's new…) would sit on top of the canvas. */
export async function dismissDialogs(page: Page): Promise<void> {
	const dialogs = page.getByRole('dialog').filter({ visible: true });
	for (let attempt = 0; attempt < 3 && (await dialogs.count()) > 0; attempt++) {
		const close = dialogs.first().getByRole('button', { name: /close|skip|dismiss|got it|not now/i });
		if ((await close.count()) > 0) await close.first().click();
		else await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

/**
 * Opens the editor signed out, which sends a person to the sign-in page, and signs in as the
 * owner; `beforeSubmit` runs with the form filled in (the editor test's screenshot).
 */
export async function signIn(
	page: Page,
	n8n: { baseUrl: string; owner: { email: string; password: string } },
	beforeSubmit?: () => Promise<void>,
): Promise<void> {
	await page.goto(`${n8n.baseUrl}/home/workflows`);
	await page.waitForURL((url) => url.pathname.startsWith('/signin'));
	await page.getByLabel('Email').fill(n8n.owner.email);
	await page.getByLabel('Password').fill(n8n.owner.password);
	await beforeSubmit?.();
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	await page.getByTestId('universal-add').waitFor({ state: 'visible' });
	await dismissDialogs(page);
}

/** A page the size the screenshots are taken at; `clipboardOrigin` lets the page's clipboard be read. */
export async function newEditorPage(browser: Browser, clipboardOrigin?: string): Promise<Page> {
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	if (clipboardOrigin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: clipboardOrigin });
	context.setDefaultTimeout(20_000);
	return context.newPage();
}

/**
 * Opens a new workflow and adds the AppDirect Trigger as a person does: search "AppDirect" in the
 * nodes panel (n8n shows a service's node and its trigger as one entry), then "On all events".
 * Leaves the node's panel open.
 */
export async function addTriggerToNewWorkflow(page: Page): Promise<void> {
	await page.getByTestId('universal-add').click();
	await page.getByRole('menuitem', { name: 'New workflow' }).click();
	await page.waitForURL(/\/workflow\//);
	await page.getByTestId('canvas-plus-button').waitFor({ state: 'visible' });
	await dismissDialogs(page);
	await page.getByTestId('canvas-plus-button').click();
	const creator = page.getByTestId('node-creator');
	await page.getByTestId('node-creator-search-bar').fill('AppDirect');
	// The list filters as you type: click only once it shows the one match.
	await eventually(
		() => creator.getByTestId('node-creator-item-name').allTextContents(),
		(names) => expect(names.map((name) => name.trim())).toEqual(['AppDirect']),
	);
	await creator.getByTestId('node-creator-item-name').first().click();
	await creator.getByText('On all events', { exact: true }).click();
	await page.getByTestId('ndv').waitFor({ state: 'visible' });
}

/** Output labels of a canvas node, in output order, as the DOM holds them (full text, even when CSS truncates). */
export async function outputLabels(page: Page, nodeName: string): Promise<string[]> {
	const node = page.getByTestId('canvas-node').and(page.locator(`[data-node-name="${nodeName}"]`));
	const rows = await node.getByTestId('canvas-node-output-handle').evaluateAll((elements) =>
		elements.map((element) => ({
			index: Number(element.getAttribute('data-index')),
			text: (element.textContent ?? '').trim(),
		})),
	);
	return rows.sort((a, b) => a.index - b.index).map((row) => row.text);
}
