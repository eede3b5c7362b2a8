// The AppDirect node in n8n's editor, used like a Marketplace Manager would: find it in the nodes
// panel after the trigger, see both operations, create the AppDirect API credential in its form
// (n8n's credential test gets a token from the local AppDirect API stand-in), then "Execute step"
// with a late test notification and see the resource's current state.
// Its own n8n (the packed package installed as a community package), stand-in and Chromium.
import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { join } from 'path';
import { selectors, type Browser, type Page } from 'playwright-core';
import { importScript, loadInstanceModule, packPackage, repoRoot, type N8nInstance } from '../helpers/runtime.cjs';
import { addTriggerToNewWorkflow, CHROMIUM, eventually, launchChromium, newEditorPage, saveScreenshot, signIn, visibleOption } from './browser.cjs';

jest.setTimeout(180_000);

const ACTION_TYPE = 'n8n-nodes-appdirect.appDirect';
const CLIENT = { clientId: 'n8n-editor-client', clientSecret: `secret-${randomBytes(12).toString('hex')}` };
const WEBHOOK_TOKEN = `token-${randomBytes(12).toString('hex')}`;

type Send = (url: string, notification: unknown, options?: { token?: string }) => Promise<{ status: number; text: string }>;

let api: any;
let sendNotification: Send;
let testUrl: string;
let n8n: N8nInstance | undefined;
let browser: Browser | undefined;
let page: Page;

const ndv = () => page.getByTestId('ndv');
const parameter = (name: string) => page.getByTestId(`parameter-input-${name}`);
const shot = (name: string, options: { docs?: boolean } = {}) => saveScreenshot(page, name, options);

async function chooseOption(name: string, option: string): Promise<void> {
	await parameter(name).click();
	await visibleOption(page, option).click();
	await eventually(
		() => parameter(name).locator('input').first().inputValue(),
		(value) => expect(value).toBe(option),
	);
}

/** Visible option labels of the open dropdown. */
async function visibleOptions(): Promise<string[]> {
	const options = page.getByRole('option').filter({ visible: true });
	const texts = await options.evaluateAll((elements) =>
		elements.map((element) => (element.firstElementChild?.firstElementChild?.textContent ?? element.textContent ?? '').trim()),
	);
	return texts.filter((text) => text.length > 0);
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
	}
	if (!existsSync(join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	selectors.setTestIdAttribute('data-test-id');
	const { startAppDirectApi } = await importScript('scripts/appdirect-api/server.mjs');
	api = await startAppDirectApi({ clients: [CLIENT] });
	const instance = await loadInstanceModule();
	const [started, launched, sender] = await Promise.all([
		instance.startN8n({ packages: [packPackage()] }),
		launchChromium(),
		importScript('scripts/send/run.mjs'),
	]);
	n8n = started;
	browser = launched;
	sendNotification = sender.sendNotification;
	// The trigger's token credential, the only one of its type: n8n selects it when the trigger is added.
	await n8n.api('POST', '/credentials', { name: 'AppDirect webhook token', type: 'appDirectWebhookTokenApi', data: { token: WEBHOOK_TOKEN } });
	page = await newEditorPage(browser);
}, 600_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	await api?.close();
}, 60_000);

describe('the AppDirect node in the editor (Chromium)', () => {
	test('after the AppDirect Trigger, the nodes panel offers both operations of the AppDirect node', async () => {
		await signIn(page, n8n!);

		await addTriggerToNewWorkflow(page);
		await eventually(
			() => ndv().getByTestId('node-credentials-select').locator('input').first().inputValue(),
			(value) => expect(value).toBe('AppDirect webhook token'),
		);
		// The Test URL, for the test notification at the end.
		await ndv().getByText('Webhook URLs', { exact: true }).click();
		await ndv().getByTestId('radio-button-test').click();
		testUrl = (
			await eventually(
				() => ndv().locator('.webhook-url').innerText(),
				(text) => expect(text.trim()).toMatch(/\/webhook-test\/[0-9a-f-]{36}\/appdirect$/),
			)
		).trim();
		await page.getByTestId('ndv-close-button').click();
		await ndv().waitFor({ state: 'hidden' });

		// The "+" at the end of the trigger's output, as a person adds the next step.
		await page.getByTestId('canvas-handle-plus').first().click();
		const creator = page.getByTestId('node-creator');
		await page.getByTestId('node-creator-search-bar').fill('AppDirect');
		await eventually(
			() => creator.getByTestId('node-creator-item-name').allTextContents(),
			(names) => expect(names.map((name) => name.trim())).toContain('AppDirect'),
		);
		await creator.getByTestId('node-creator-item-name').filter({ hasText: /^\s*AppDirect\s*$/ }).first().click();
		const currentState = creator.getByText('Get the current state of a notified resource', { exact: true });
		const byId = creator.getByText('Get a resource by ID', { exact: true });
		await currentState.waitFor({ state: 'visible' });
		await byId.waitFor({ state: 'visible' });
		await shot('20-node-creator-appdirect-actions', { docs: true });

		await currentState.click();
		await ndv().waitFor({ state: 'visible' });
		const node = page.locator(`[data-test-id="canvas-node"][data-node-type="${ACTION_TYPE}"]`);
		expect(await node.count()).toBe(1);
	});

	test('Get Current State reads {{ $json.resourceUrl }} by default and explains why', async () => {
		await eventually(
			() => parameter('operation').locator('input').first().inputValue(),
			(value) => expect(value).toBe('Get Current State'),
		);
		expect(await parameter('resourceUrl').innerText()).toContain('{{ $json.resourceUrl }}');
		expect(await ndv().getByText(/Notifications can arrive late, twice or out of order/).isVisible()).toBe(true);
		await shot('21-action-get-current-state');
	});

	test('Get offers the resource types with a REST path, and two ids for a membership', async () => {
		await chooseOption('operation', 'Get');
		await parameter('resourceType').click();
		await eventually(visibleOptions, (options) =>
			expect(options).toEqual(['Subscription', 'User', 'Company', 'Membership', 'Order', 'Invoice', 'App Assignment', 'Catalog Product']),
		);
		await visibleOption(page, 'Membership').click();
		await parameter('companyId').waitFor({ state: 'visible' });
		await parameter('userId').waitFor({ state: 'visible' });
		expect(await parameter('id').count()).toBe(0);
		await chooseOption('resourceType', 'Company');
		await parameter('id').waitFor({ state: 'visible' });
		expect(await parameter('companyId').count()).toBe(0);
	});

	test('the credential form: Client ID, Client Secret, Scope, Marketplace URL; saving it gets a token from the marketplace', async () => {
		// With no credential of its type yet, n8n shows one button in the node panel.
		await ndv().getByRole('button', { name: 'Connect to AppDirect' }).click();
		const modal = page.getByTestId('credential-edit-dialog');
		await modal.waitFor({ state: 'visible' });
		for (const name of ['clientId', 'clientSecret', 'scope', 'baseUrl']) {
			await modal.getByTestId(`parameter-input-${name}`).waitFor({ state: 'visible' });
		}
		// n8n's own OAuth fields are set by the credential, not asked for.
		for (const name of ['grantType', 'accessTokenUrl', 'authUrl', 'authentication']) {
			expect(await modal.getByTestId(`parameter-input-${name}`).count()).toBe(0);
		}
		expect(await modal.getByTestId('parameter-input-scope').locator('input').first().inputValue()).toBe(
			'Read All Marketplace Data (ROLE_PARTNER_READ)',
		);
		await modal.getByTestId('parameter-input-scope').click();
		await eventually(visibleOptions, (options) =>
			expect(options).toEqual(['Read All Marketplace Data (ROLE_PARTNER_READ)', 'Read and Write (ROLE_PARTNER)']),
		);
		await page.keyboard.press('Escape');

		await modal.getByTestId('parameter-input-clientId').locator('input').fill(CLIENT.clientId);
		await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(api.url);

		// A mistyped secret first (the picture shows dots either way): the form stays open and shows
		// what the token endpoint said.
		const secret = modal.getByTestId('parameter-input-clientSecret').locator('input');
		await secret.fill('mistyped-secret');
		await shot('22-api-credential-form', { docs: true });
		await page.getByTestId('credential-save-button').click();
		await modal.getByText(/Couldn.t connect with these settings/).waitFor({ state: 'visible', timeout: 30_000 });
		await modal.getByText('More details').click();
		await modal.getByText(/Client authentication failed|Bad client credentials/).first().waitFor({ state: 'visible' });
		await shot('22-api-credential-wrong-secret');
		expect(api.requests.map((entry: any) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual(['POST /oauth2/token 401']);

		await secret.fill(CLIENT.clientSecret);
		api.requests.length = 0;
		const tokensBefore = api.tokensIssued;
		await page.getByTestId('credential-save-button').click();
		// Saving runs n8n's credential test again; once it passes the form says so (or closes).
		await eventually(
			async () => (await modal.isHidden()) || (await modal.getByText(/Connection tested successfully/).isVisible()),
			(done) => expect(done).toBe(true),
			30_000,
		);
		await shot('23-api-credential-saved', { docs: true });
		if (await modal.isVisible()) {
			await page.keyboard.press('Escape');
			await modal.waitFor({ state: 'hidden' });
		}
		await eventually(
			() => ndv().getByTestId('node-credentials-select').locator('input').first().inputValue(),
			(value) => expect(value).toBe('AppDirect account'),
		);
		// The test got a real token from the marketplace (HTTP Basic) and read a company with it.
		expect(api.tokensIssued).toBe(tokensBefore + 1);
		expect(api.requests.map((entry: any) => `${entry.method} ${entry.path}${entry.query} ${entry.credentials} ${entry.status}`)).toEqual([
			'POST /oauth2/token basic 200',
			'GET /api/account/v2/companies?size=1 bearer 200',
		]);
	});

	test('"Execute step" with a late test notification shows the current state, not the notification\'s', async () => {
		// The subscription was suspended after this notification was sent: AppDirect now says SUSPENDED.
		const stale = api.notification('subscription.changed', { fresh: true });
		api.setResource(stale.resource.url, { ...stale.resource.content, status: 'SUSPENDED', maxUsers: 40 });
		expect(stale.resource.content).toMatchObject({ status: 'ACTIVE', maxUsers: 25 });

		await chooseOption('operation', 'Get Current State');
		expect(await parameter('resourceUrl').innerText()).toContain('{{ $json.resourceUrl }}');
		api.requests.length = 0;
		await ndv().getByTestId('node-execute-button').click();
		// n8n now waits for the trigger's test event; the Test URL answers once it is registered.
		await eventually(
			() => sendNotification(testUrl, stale, { token: WEBHOOK_TOKEN }),
			(answer) => expect(answer.status).toBe(200),
			30_000,
		);

		const output = page.getByTestId('output-panel');
		await output.getByTestId('radio-button-json').click();
		await output.getByText('"SUSPENDED"').first().waitFor({ state: 'visible', timeout: 30_000 });
		// The JSON view marks spaces with "·" and breaks lines: compare without either.
		const text = (await output.innerText()).replace(/[·\s]+/g, '');
		for (const expected of ['"resourceType":"SUBSCRIPTION"', '"exists":true', '"status":"SUSPENDED"', '"maxUsers":40', '"fetchedAt":"']) {
			expect(text).toContain(expected);
		}
		expect(api.requests.map((entry: any) => `${entry.method} ${entry.path} ${entry.credentials} ${entry.status}`)).toEqual([
			`GET ${new URL(stale.resource.url).pathname} bearer 200`,
		]);
		// n8n's toasts would cover the item in the picture.
		// They also close by themselves, so a close button may be gone by the time it is clicked.
		const toasts = page.locator('.el-notification').filter({ visible: true });
		for (let attempt = 0; attempt < 10 && (await toasts.count()) > 0; attempt++) {
			await toasts
				.first()
				.locator('.el-notification__closeBtn')
				.click({ timeout: 2_000 })
				.catch(() => undefined);
		}
		await eventually(() => toasts.count(), (count) => expect(count).toBe(0));
		await page.mouse.move(1100, 880);
		await shot('24-action-current-state-output', { docs: true });
	});
});
