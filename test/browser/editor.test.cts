// n8n's editor in a real browser, used like a person would: sign in, find the node, set it up,
// read what the canvas draws. One n8n (the packed package installed as a community package)
// and one Debian Chromium for the whole file.
import { existsSync, readdirSync, readFileSync } from 'fs';
import { basename, join } from 'path';
import { selectors, type Browser, type Page } from 'playwright-core';
import { titleOf } from '../../nodes/AppDirect/shared/catalog';
import { outputLayout } from '../../nodes/AppDirect/trigger/outputs';
import { loadInstanceModule, packPackage, repoRoot, TRIGGER_TYPE, type N8nInstance } from '../helpers/runtime.cjs';
import {
	CHROMIUM,
	dismissDialogs as dismissDialogsOn,
	eventually,
	launchChromium,
	newEditorPage,
	outputLabels as outputLabelsOf,
	saveScreenshot,
	signIn,
	visibleOption,
} from './browser.cjs';

jest.setTimeout(180_000);

const TRIGGER = 'AppDirect Trigger';
const SELECTED = ['Subscription Added', 'Subscription Removed', 'User Added'];
const EXAMPLES_DIR = join(repoRoot, 'examples');
const REQUIRED_EXAMPLE = 'appdirect-crm-sync.json';

interface ExampleWorkflow {
	id: string;
	name: string;
	nodes: Array<{ id: string; name: string; type: string; typeVersion: number; parameters: Record<string, unknown> }>;
	connections: Record<string, { main?: Array<Array<{ node: string }> | null> }>;
}

const examples: Array<{ file: string; workflow: ExampleWorkflow }> = existsSync(EXAMPLES_DIR)
	? readdirSync(EXAMPLES_DIR)
			.filter((file) => file.endsWith('.json'))
			.sort()
			.map((file) => ({ file, workflow: JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow }))
	: [];

let n8n: N8nInstance | undefined;
let browser: Browser | undefined;
let page: Page;

const shot = (name: string, options: { docs?: boolean } = {}) => saveScreenshot(page, name, options);

const ndv = () => page.getByTestId('ndv');
const canvasNode = (name: string) => page.getByTestId('canvas-node').and(page.locator(`[data-node-name="${name}"]`));

const outputLabels = (nodeName: string) => outputLabelsOf(page, nodeName);

/** Each label element must be rendered, not merely present. */
async function expectLabelsVisible(nodeName: string, labels: string[]): Promise<void> {
	const handles = canvasNode(nodeName).getByTestId('canvas-node-output-handle');
	for (const label of labels) {
		expect(await handles.getByText(label, { exact: true }).isVisible()).toBe(true);
	}
}

async function openNodePanel(nodeName: string): Promise<void> {
	// A test that failed with the panel open must not make the next one fail too.
	if (await ndv().isVisible()) await closeNodePanel();
	await canvasNode(nodeName).dblclick();
	await ndv().waitFor({ state: 'visible' });
	await page.getByTestId('node-parameters').waitFor({ state: 'visible' });
}

async function closeNodePanel(): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await ndv().waitFor({ state: 'hidden' });
	// Off the node: hovering it adds an "Execute workflow" button to the canvas screenshots.
	await page.mouse.move(1100, 200);
}

const option = (name: string) => visibleOption(page, name);

async function chooseOption(parameter: string, name: string): Promise<void> {
	await page.getByTestId(`parameter-input-${parameter}`).click();
	await option(name).click();
	await eventually(
		() => page.getByTestId(`parameter-input-${parameter}`).locator('input').first().inputValue(),
		(value) => expect(value).toBe(name),
	);
}

/** Selected values of the open Events dropdown, read from the options' aria-selected state. */
async function selectedEvents(): Promise<string[]> {
	const selected = page.getByRole('option', { selected: true }).filter({ visible: true });
	const texts = await selected.evaluateAll((elements) =>
		elements.map((element) => (element.firstElementChild?.firstElementChild?.textContent ?? '').trim()),
	);
	return texts.sort();
}

/** Every edge the canvas draws, as `<source> <output index> -> <target>`, equals `wanted`. */
async function expectEdgesDrawn(wanted: string[]): Promise<void> {
	const drawn = await eventually(
		() =>
			page.getByTestId('edge').evaluateAll((elements) =>
				elements.map((element) => {
					// vue-flow names each edge [<source id>/outputs/main/<index>][<target id>/inputs/…].
					const id = element.closest('.vue-flow__edge')?.getAttribute('data-id') ?? '';
					const index = /\/outputs\/main\/(\d+)\]/.exec(id)?.[1] ?? '?';
					return `${element.getAttribute('data-source-node-name')} ${index} -> ${element.getAttribute('data-target-node-name')}`;
				}),
			),
		(list) => expect([...list].sort()).toEqual([...wanted].sort()),
	);
	expect(drawn).toHaveLength(wanted.length);
}

const dismissDialogs = () => dismissDialogsOn(page);

beforeAll(async () => {
	// A machine without Chromium must fail here, loudly, not skip.
	if (!existsSync(CHROMIUM)) {
		throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
	}
	if (!existsSync(join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	selectors.setTestIdAttribute('data-test-id');

	const { startN8n } = await loadInstanceModule();
	const [started, launched] = await Promise.all([
		startN8n({
			packages: [packPackage()],
			workflows: examples.map((example) => example.workflow),
			// Opened in the editor only: publishing would need the examples' credentials.
			publish: false,
		}),
		launchChromium(),
	]);
	n8n = started;
	browser = launched;
	page = await newEditorPage(browser);
}, 600_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
}, 60_000);

describe('n8n editor with the AppDirect Trigger (Chromium)', () => {
	test('signs in with the owner email and password', async () => {
		await signIn(page, n8n!, () => shot('01-sign-in'));
		await shot('02-home');
	});

	test('finds the node by searching "AppDirect" and adds the AppDirect Trigger to a new workflow', async () => {
		await page.getByTestId('universal-add').click();
		await page.getByRole('menuitem', { name: 'New workflow' }).click();
		await page.waitForURL(/\/workflow\//);
		await page.getByTestId('canvas-plus-button').waitFor({ state: 'visible' });
		await dismissDialogs();
		expect(await page.getByTestId('canvas-node').count()).toBe(0);

		await page.getByTestId('canvas-plus-button').click();
		const creator = page.getByTestId('node-creator');
		await page.getByTestId('node-creator-search-bar').fill('AppDirect');
		// n8n lists triggers without the " Trigger" suffix; the description is the node's own.
		const result = creator
			.getByTestId('node-creator-action-item')
			.or(creator.getByTestId('node-creator-node-item'))
			.filter({ hasText: 'Starts the workflow when your AppDirect marketplace sends a webhook notification' });
		await eventually(
			() => creator.getByTestId('node-creator-item-name').allTextContents(),
			(names) => expect(names.map((name) => name.trim())).toEqual(['AppDirect']),
		);
		await result.waitFor({ state: 'visible' });
		await shot('03-node-creator-search', { docs: true });

		// The node's detail view lists one trigger action per option of its Events parameter (and,
		// since the package also has the AppDirect node, its actions: the view is titled "AppDirect").
		await result.click();
		await creator.getByText('On all events', { exact: true }).click();

		// Adding a trigger puts it on the canvas and opens its panel.
		await ndv().waitFor({ state: 'visible' });
		const node = page.locator(`[data-test-id="canvas-node"][data-node-type="${TRIGGER_TYPE}"]`);
		expect(await node.count()).toBe(1);
		expect(await node.getAttribute('data-node-name')).toBe(TRIGGER);
		expect(await page.getByTestId('parameter-input-events').locator('.el-select__tags-text').allTextContents()).toEqual([
			'All Events (*)',
		]);
	});

	test('selecting events in the panel gives the canvas node one named output per event', async () => {
		const events = page.getByTestId('parameter-input-events');
		await events.click();
		for (const name of SELECTED) {
			// The multi-select filters as you type, like a person searching a long list.
			await events.locator('input.el-select__input').fill(name);
			await option(name).click();
		}
		await events.locator('input.el-select__input').fill('');
		// Clicking the selected default again removes it.
		await option('All Events (*)').click();
		expect(await selectedEvents()).toEqual([...SELECTED].sort());
		// Tags show the choice in selection order.
		await page.getByTestId('node-parameters').getByText('Events', { exact: true }).click();
		await eventually(
			() => events.locator('.el-select__tags-text').allTextContents(),
			(tags) => expect(tags).toEqual(SELECTED),
		);
		await shot('04-node-panel-events');

		await closeNodePanel();
		await eventually(() => outputLabels(TRIGGER), (labels) => expect(labels).toEqual(SELECTED));
		await expectLabelsVisible(TRIGGER, SELECTED);
		await shot('05-canvas-outputs-per-event', { docs: true });
	});

	test('the panel shows the setup help, the webhook URLs ending in /appdirect, and a warning only without authentication', async () => {
		await openNodePanel(TRIGGER);
		const panel = ndv();
		const help = panel.getByRole('alert').filter({ hasText: 'Connect AppDirect to this node' });
		expect(await help.isVisible()).toBe(true);
		expect(await help.innerText()).toContain('Manage > Marketplace > Settings > Integration > Webhooks');
		const warning = panel.getByText(/anyone who knows this URL/);
		// Token is the default: no warning then, so the notice is tied to the setting.
		expect(await warning.count()).toBe(0);

		await panel.getByText('Webhook URLs', { exact: true }).click();
		const url = panel.locator('.webhook-url');
		const base = n8n!.baseUrl.replace(/[.]/g, '\\.');
		await eventually(
			() => url.innerText(),
			(text) => expect(text.trim()).toMatch(new RegExp(`^${base}/webhook-test/[0-9a-f-]{36}/appdirect$`)),
		);
		await page.getByTestId('radio-button-production').click();
		await eventually(
			() => url.innerText(),
			(text) => expect(text.trim()).toMatch(new RegExp(`^${base}/webhook/[0-9a-f-]{36}/appdirect$`)),
		);
		await shot('06-node-panel-setup-help', { docs: true });

		await chooseOption('authentication', 'None');
		await warning.waitFor({ state: 'visible' });
		expect(await warning.innerText()).toContain(
			'Warning: with no authentication, anyone who knows this URL can post events into this workflow.',
		);
		// With nothing left to configure, n8n shows the node's own trigger panel beside the settings.
		await panel.getByText('Waiting for an AppDirect notification', { exact: true }).waitFor({ state: 'visible' });
		await shot('06-node-panel-no-auth-warning', { docs: true });

		await chooseOption('authentication', 'Token');
		await warning.waitFor({ state: 'detached' });
		await closeNodePanel();
	});

	test('with an OAuth2 type, Webhook URLs lists the notification URL and the Access Token URI', async () => {
		await openNodePanel(TRIGGER);
		const panel = ndv();
		await chooseOption('authentication', 'OAuth2 With Client Credentials');
		const webhookUrls = panel.getByText('Webhook URLs', { exact: true });
		// Opened by the earlier test; a click would close it again.
		if ((await panel.locator('.webhook-url').count()) === 0) await webhookUrls.click();
		await page.getByTestId('radio-button-production').click();
		const base = n8n!.baseUrl.replace(/[.]/g, '\\.');
		await eventually(
			() => panel.locator('.webhook-url').allInnerTexts(),
			(texts) =>
				expect(texts.map((text) => text.trim()).sort()).toEqual([
					expect.stringMatching(new RegExp(`^${base}/webhook/[0-9a-f-]{36}/appdirect$`)),
					expect.stringMatching(new RegExp(`^${base}/webhook/[0-9a-f-]{36}/appdirect/token$`)),
				]),
		);
		await shot('07-node-panel-oauth2-urls', { docs: true });
		await chooseOption('authentication', 'Token');
		await eventually(() => panel.locator('.webhook-url').count(), (count) => expect(count).toBe(1));
		await closeNodePanel();
	});

	test('other output layouts: one output per resource type, and an "Other" output', async () => {
		await openNodePanel(TRIGGER);
		await chooseOption('splitBy', 'One Output per Resource Type');
		await closeNodePanel();
		await eventually(() => outputLabels(TRIGGER), (labels) => expect(labels).toEqual(['Subscription', 'User']));
		await shot('08-canvas-outputs-per-resource');

		await openNodePanel(TRIGGER);
		await chooseOption('unmatched', 'Send to an "Other" Output');
		await closeNodePanel();
		await eventually(() => outputLabels(TRIGGER), (labels) => expect(labels).toEqual(['Other', 'Subscription', 'User']));
		await expectLabelsVisible(TRIGGER, ['Other', 'Subscription', 'User']);
		await shot('09-canvas-outputs-other', { docs: true });
	});

	test(`the examples folder holds ${REQUIRED_EXAMPLE}`, () => {
		expect(examples.map((example) => example.file)).toContain(REQUIRED_EXAMPLE);
	});

	test.each(examples.map((example) => [example.file, example] as const))(
		'example %s opens in the editor with every node, the trigger\'s outputs and every connection drawn',
		async (file, { workflow }) => {
			const nodes = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
			// Imports, reconciliations and shared steps start with another trigger than the AppDirect one.
			const trigger = workflow.nodes.find((node) => node.type === TRIGGER_TYPE);
			await page.goto(`${n8n!.baseUrl}/workflow/${workflow.id}`);
			await canvasNode(nodes[0].name).waitFor({ state: 'visible' });
			await dismissDialogs();
			for (const node of nodes) expect(await canvasNode(node.name).count()).toBe(1);

			if (trigger) {
				// What the node computes from the example's parameters; the editor must draw exactly that.
				const expected = outputLayout(trigger.parameters, titleOf).map((slot) => slot.displayName);
				expect(expected.length).toBeGreaterThan(1);
				await eventually(() => outputLabels(trigger.name), (labels) => expect(labels).toEqual(expected));
				await expectLabelsVisible(trigger.name, expected);
			}

			// Each connection is drawn from the right output to the right node.
			const wanted = Object.entries(workflow.connections).flatMap(([source, { main }]) =>
				(main ?? []).flatMap((targets, index) => (targets ?? []).map((target) => `${source} ${index} -> ${target.node}`)),
			);
			if (trigger) expect(wanted.filter((edge) => edge.startsWith(`${trigger.name} `)).length).toBeGreaterThan(0);
			await expectEdgesDrawn(wanted);
			await shot(`10-example-${basename(file, '.json')}`, { docs: true });
		},
	);
});
