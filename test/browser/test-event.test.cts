// The README's "Before AppDirect is set up" flow, done in the editor like a person does it:
// pick the token credential and the events in the node panel, start listening, copy the Test URL,
// post a sample notification to it, and read the item in the node's output panel.
// Its own n8n (the packed package installed as a community package) and its own Chromium.
import { randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { join } from 'path';
import { selectors, type Browser, type Page } from 'playwright-core';
import {
	importScript,
	loadInstanceModule,
	packPackage,
	repoRoot,
	TRIGGER_TYPE,
	type InstanceModule,
	type N8nInstance,
} from '../helpers/runtime.cjs';
import { sampleNotification } from '../helpers/samples.cjs';
import { addTriggerToNewWorkflow, CHROMIUM, eventually, launchChromium, newEditorPage, saveScreenshot, signIn, visibleOption } from './browser.cjs';

jest.setTimeout(180_000);

const TRIGGER = 'AppDirect Trigger';
const EVENTS = ['Subscription Added', 'User Added'];
// Two credentials of the node's type, so the panel cannot just pick the only one: the test chooses.
const CREDENTIAL = { name: 'AppDirect test token', token: `test-${randomBytes(16).toString('hex')}` };
const OTHER_CREDENTIAL = { name: 'AppDirect production token', token: `prod-${randomBytes(16).toString('hex')}` };

type Send = (
	url: string,
	notification: unknown,
	options?: { token?: string },
) => Promise<{ status: number; text: string }>;

let n8n: N8nInstance | undefined;
let instance: InstanceModule;
let browser: Browser | undefined;
let page: Page;
let sendNotification: Send;
let testUrl: string;

const notification = sampleNotification('subscription.added');
const ndv = () => page.getByTestId('ndv');
const outputPanel = () => page.getByTestId('output-panel');
const shot = (name: string, options: { docs?: boolean } = {}) => saveScreenshot(page, name, options);

/** The output panel's table as a person reads it: column header -> text of the first row's cell. */
async function firstRowByColumn(): Promise<Record<string, string>> {
	return outputPanel()
		.getByTestId('ndv-data-container')
		.locator('table')
		.first()
		.evaluate((table) => {
			// Rendered text (innerText); the test's TypeScript has no DOM types.
			const text = (cell: unknown) => (cell as { innerText: string }).innerText.trim();
			const headers = [...table.querySelectorAll('thead th')].map(text);
			const cells = [...table.querySelectorAll('tbody > tr:first-child > td')].map(text);
			return Object.fromEntries(headers.map((header, index) => [header, cells[index]]).filter(([header]) => header));
		});
}

/** Output tabs of the node panel, in output order, with which one is selected. */
async function outputTabs(): Promise<Array<{ text: string; selected: boolean }>> {
	return outputPanel()
		.getByTestId('branches')
		.getByRole('tab')
		.evaluateAll((tabs) =>
			tabs.map((tab) => ({
				text: (tab.textContent ?? '').replace(/\s+/g, ' ').trim(),
				selected: tab.getAttribute('aria-selected') === 'true',
			})),
		);
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
	}
	if (!existsSync(join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	selectors.setTestIdAttribute('data-test-id');

	instance = await loadInstanceModule();
	const [started, launched, sender] = await Promise.all([
		instance.startN8n({ packages: [packPackage()] }),
		launchChromium(),
		importScript('scripts/send/run.mjs'),
	]);
	n8n = started;
	browser = launched;
	sendNotification = sender.sendNotification;
	// Created through the public API: what the test knows is the token, as a user who typed it.
	for (const credential of [CREDENTIAL, OTHER_CREDENTIAL]) {
		await n8n.api('POST', '/credentials', {
			name: credential.name,
			type: 'appDirectWebhookTokenApi',
			data: { token: credential.token },
		});
	}
	// The Test URL is copied by clicking it; the test reads it back from the clipboard.
	page = await newEditorPage(browser, n8n.baseUrl);
}, 600_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
}, 60_000);

describe('trying the AppDirect Trigger with a test event before AppDirect is set up (Chromium)', () => {
	test('a new workflow with the AppDirect Trigger, its credential and two events chosen in the panel', async () => {
		await signIn(page, n8n!);

		await addTriggerToNewWorkflow(page);
		const node = page.locator(`[data-test-id="canvas-node"][data-node-type="${TRIGGER_TYPE}"]`);
		expect(await node.count()).toBe(1);
		expect(await node.getAttribute('data-node-name')).toBe(TRIGGER);

		// The credential holding the token the test will send.
		const credentialInput = page.getByTestId('node-credentials-select').locator('input');
		await page.getByTestId('node-credentials-select').click();
		await visibleOption(page, CREDENTIAL.name).click();
		await eventually(() => credentialInput.inputValue(), (value) => expect(value).toBe(CREDENTIAL.name));

		const events = page.getByTestId('parameter-input-events');
		await events.click();
		for (const name of EVENTS) {
			await events.locator('input.el-select__input').fill(name);
			await visibleOption(page, name).click();
		}
		await events.locator('input.el-select__input').fill('');
		await visibleOption(page, 'All Events (*)').click();
		await page.getByTestId('node-parameters').getByText('Events', { exact: true }).click();
		await eventually(
			() => events.locator('.el-select__tags-text').allTextContents(),
			(tags) => expect(tags).toEqual(EVENTS),
		);
		expect(await credentialInput.inputValue()).toBe(CREDENTIAL.name);
	});

	test('the Test URL copied from the panel, then "Execute step" listens; a wrong or missing token gets 401 and it keeps listening', async () => {
		const panel = ndv();
		// Copied first: while listening, n8n lays a blocker over the parameters, Webhook URLs included.
		await panel.getByText('Webhook URLs', { exact: true }).click();
		await panel.getByTestId('radio-button-test').click();
		const shown = panel.locator('.webhook-url');
		const base = n8n!.baseUrl.replace(/[.]/g, '\\.');
		await eventually(
			() => shown.innerText(),
			(text) => expect(text.trim()).toMatch(new RegExp(`^${base}/webhook-test/[0-9a-f-]{36}/appdirect$`)),
		);
		// Clicking the URL copies it, as a person would before pasting it into curl.
		await shown.click();
		const copied = page.locator('.el-notification').filter({ hasText: 'URL copied' });
		await copied.waitFor({ state: 'visible' });
		// A string, as there are no DOM types here.
		testUrl = String(await page.evaluate('navigator.clipboard.readText()'));
		expect(testUrl).toBe((await shown.innerText()).trim());
		await copied.locator('.el-notification__closeBtn').click();
		await copied.waitFor({ state: 'hidden' });

		// n8n 2.41 labels the button "Execute step" for this node; "Listening for test event" once clicked.
		const listen = panel.getByTestId('trigger-execute-button');
		expect((await listen.innerText()).trim()).toBe('Execute step');
		await listen.click();
		const listening = panel.getByTestId('trigger-listening');
		await listening.waitFor({ state: 'visible' });
		expect(await listening.getByText('Listening for test event', { exact: true }).isVisible()).toBe(true);
		expect((await shown.innerText()).trim()).toBe(testUrl);
		await shot('11-test-event-listening');

		// The production credential's token: the mistake a user is most likely to make.
		const wrong = await sendNotification(testUrl, notification, { token: OTHER_CREDENTIAL.token });
		expect(wrong.status).toBe(401);
		expect(JSON.parse(wrong.text)).toEqual({ error: 'Unauthorized', message: 'The webhook token does not match' });
		const missing = await sendNotification(testUrl, notification);
		expect(missing.status).toBe(401);
		expect(JSON.parse(missing.text)).toEqual({
			error: 'Unauthorized',
			message: 'The x-appdirect-webhook-token header is missing',
		});

		// A refused call starts no execution, so n8n keeps the test webhook open.
		expect(await listening.isVisible()).toBe(true);
		expect(await outputPanel().getByTestId('branches').count()).toBe(0);
	});

	test('a sample subscription.added with the token answers 200 and appears in the output panel under "Subscription Added"', async () => {
		const accepted = await sendNotification(testUrl, notification, { token: CREDENTIAL.token });
		// The default answer: once the workflow has finished, with no body.
		expect({ status: accepted.status, text: accepted.text }).toEqual({ status: 200, text: '' });

		// One tab per output; n8n names them "<output> Branch" and counts the items.
		await eventually(
			() => outputTabs(),
			(tabs) =>
				expect(tabs).toEqual([
					{ text: 'Subscription Added Branch (1 item)', selected: true },
					{ text: 'User Added Branch', selected: false },
				]),
		);
		await outputPanel().getByTestId('radio-button-table').click();
		const row = await eventually(
			() => firstRowByColumn(),
			(cells) => expect(cells.event).toBe('subscription.added'),
		);
		expect(row).toMatchObject({
			event: 'subscription.added',
			resourceType: 'SUBSCRIPTION',
			action: 'ADDED',
			notificationId: notification.uuid,
			currency: 'USD',
			totalPrice: '149.75',
		});
		// One event was all the test webhook takes.
		await ndv().getByTestId('trigger-listening').waitFor({ state: 'hidden' });

		// JSON view for the picture: the item's fields, totalPrice included, in the first screen.
		await outputPanel().getByTestId('radio-button-json').click();
		await outputPanel().getByText('"totalPrice":', { exact: true }).waitFor({ state: 'visible' });
		// n8n's own confirmation; closed so that it does not cover the item in the picture.
		const done = page.locator('.el-notification').filter({ hasText: 'Node executed successfully' });
		await done.waitFor({ state: 'visible' });
		await done.locator('.el-notification__closeBtn').click();
		await done.waitFor({ state: 'hidden' });
		await page.mouse.move(1100, 880);
		await shot('12-test-event-received', { docs: true });
	});

	test('after that one event the Test URL no longer answers (404), and exactly one execution was recorded', async () => {
		for (const token of [CREDENTIAL.token, OTHER_CREDENTIAL.token]) {
			const late = await sendNotification(testUrl, notification, { token });
			expect(late.status).toBe(404);
			expect(JSON.parse(late.text).message).toContain('is not registered');
		}

		const workflowId = /\/workflow\/([^/?#]+)/.exec(page.url())?.[1];
		expect(workflowId).toMatch(/^[A-Za-z0-9]{16}$/);
		const executions = await n8n!.getExecutions({ workflowId });
		expect(executions.map((execution) => [execution.mode, execution.status])).toEqual([['manual', 'success']]);
		const outputs = instance.nodeOutputs(executions[0], TRIGGER);
		expect(outputs?.map((items) => items.map((item) => item.event))).toEqual([['subscription.added'], []]);
		// The editor gives a new node the node's latest version.
		const { workflowData } = await n8n!.api('GET', `/executions/${executions[0].id}?includeData=true`);
		const trigger = workflowData.nodes.find((node: { type: string }) => node.type === TRIGGER_TYPE);
		expect(trigger.typeVersion).toBe(2);
	});
});
