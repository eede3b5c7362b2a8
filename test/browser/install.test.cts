// The package installed and updated through n8n's own page, Settings > Community Nodes, in Chromium,
// from a local registry stand-in answering for registry.npmjs.org behind the test proxy
// (scripts/vendors/registry.mjs); then removed, and the workflow that used it opened in the editor.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';
import { importScript, loadInstanceModule, packPackage, type N8nInstance } from '../helpers/runtime.cjs';
import { buildWorkflow } from '../e2e/workflows.cjs';
import { eventually, launchChromium, newEditorPage, saveScreenshot } from './browser.cjs';

jest.setTimeout(240_000);

const NAME = 'n8n-nodes-appdirect';

let n8n: N8nInstance;
let setup: any;
let browser: Browser;
let page: Page;
let versions: { versionA: string; tarballA: string; versionB: string; tarballB: string };
const folder = mkdtempSync(join(tmpdir(), 'install-browser-'));

beforeAll(async () => {
	const registryModule = await importScript('scripts/vendors/registry.mjs');
	versions = registryModule.packedWithNextPatch(packPackage(), folder);
	setup = await registryModule.startRegistryBehindProxy({ tarballs: [versions.tarballA] });
	const { startN8n } = await loadInstanceModule();
	[n8n, browser] = await Promise.all([startN8n({ env: setup.env }), launchChromium()]);
	page = await newEditorPage(browser);
	// An instance without workflows greets the owner with "Let's build your first automation",
	// which the shared sign-in does not wait for: signing in ends when the sign-in page is left.
	await page.goto(`${n8n.baseUrl}/signin`);
	await page.getByLabel('Email').fill(n8n.owner.email);
	await page.getByLabel('Password').fill(n8n.owner.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
});

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	await setup?.stop();
	rmSync(folder, { recursive: true, force: true });
});

const packageCard = () => page.locator('[data-test-id="community-package-card"]').filter({ hasText: NAME });

describe('Settings > Community Nodes in Chromium', () => {
	it('installs the package by name after the risk checkbox, and lists it with its version', async () => {
		await page.goto(`${n8n.baseUrl}/settings/community-nodes`);
		await page.getByRole('button', { name: 'Install a community node' }).click();
		const dialog = page.getByRole('dialog').filter({ hasText: 'Install community nodes' });
		await dialog.getByPlaceholder('e.g. n8n-nodes-chatwork').fill(NAME);
		const install = dialog.getByRole('button', { name: 'Install', exact: true });
		// The button waits for the risk checkbox.
		await expectDisabled(install, true);
		await dialog.getByText('I understand the risks of installing unverified code from a public source.').click();
		await expectDisabled(install, false);
		await saveScreenshot(page, 'install-1-dialog');
		await install.click();
		await page.getByText('Package installed').first().waitFor({ state: 'visible', timeout: 120_000 });
		await eventually(() => packageCard().innerText(), (text) => expect(text).toContain(versions.versionA));
		await saveScreenshot(page, 'install-2-installed');
		const listed = await n8n.rest('GET', '/community-packages');
		expect(listed.map((entry: { packageName: string; installedVersion: string }) => [entry.packageName, entry.installedVersion])).toEqual([[NAME, versions.versionA]]);
	});

	it('offers the newer version once the registry has it, and updates from the page', async () => {
		setup.registry.publish(versions.tarballB);
		await page.reload();
		const card = packageCard();
		await card.waitFor({ state: 'visible' });
		await card.getByRole('button', { name: /update/i }).click();
		const confirm = page.getByRole('dialog').filter({ hasText: 'Update node package' });
		await confirm.waitFor({ state: 'visible' });
		await confirm.getByRole('button', { name: 'Confirm update' }).click();
		await page.getByText('Package updated').first().waitFor({ state: 'visible', timeout: 120_000 });
		await eventually(() => packageCard().innerText(), (text) => expect(text).toContain(versions.versionB));
		await saveScreenshot(page, 'install-3-updated');
		const listed = await n8n.rest('GET', '/community-packages');
		expect(listed[0].installedVersion).toBe(versions.versionB);
	});

	it('after uninstalling, the editor shows a workflow that uses the trigger with "Install this node to use it"', async () => {
		const { name, nodes, connections, settings } = buildWorkflow({ key: 'removed', parameters: { authentication: 'none' }, outputs: ['All Events'] }) as any;
		const created = await n8n.rest('POST', '/workflows', { name, nodes, connections, settings });
		await n8n.rest('DELETE', `/community-packages?name=${NAME}`);
		await page.goto(`${n8n.baseUrl}/workflow/${created.id}`);
		await page.locator('[data-test-id="canvas-node"]').first().dblclick({ timeout: 60_000 });
		await page.getByText('Install this node to use it').waitFor({ state: 'visible' });
		await expect(page.getByText(`This node is not currently installed. It's part of the ${NAME} community package.`).count()).resolves.toBeGreaterThan(0);
		await saveScreenshot(page, 'install-4-node-not-installed', { docs: true });
	});
});

async function expectDisabled(locator: ReturnType<Page['locator']>, disabled: boolean): Promise<void> {
	await eventually(() => locator.isDisabled(), (value) => expect(value).toBe(disabled));
}
