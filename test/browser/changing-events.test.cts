// What happens to a workflow's wiring when the user changes the trigger's Events in n8n's real
// editor (Chromium). n8n stores a connection by output position, and its editor moves connections
// along with their output for its own Switch node only: for any other node a connection stays at
// its position, and the editor drops it only when that position no longer exists.
import { existsSync } from 'fs';
import { join } from 'path';
import { selectors, type Browser, type Page } from 'playwright-core';
import { loadInstanceModule, packPackage, repoRoot, TRIGGER_TYPE, type N8nInstance } from '../helpers/runtime.cjs';
import { addTriggerToNewWorkflow, CHROMIUM, eventually, launchChromium, newEditorPage, outputLabels, saveScreenshot, signIn, visibleOption } from './browser.cjs';

jest.setTimeout(180_000);

const TRIGGER = 'AppDirect Trigger';
const [FIRST, SECOND, THIRD, ADDED] = ['Subscription Added', 'Subscription Changed', 'Subscription Removed', 'User Added'];
/** What the panel says next to Events: the only warning n8n lets a node give before the change. */
const NOTICE = /outputs are connected by position/i;

let n8n: N8nInstance | undefined;
let browser: Browser | undefined;
let page: Page;
let workflowId = '';

const ndv = () => page.getByTestId('ndv');
const canvasNode = (name: string) => page.getByTestId('canvas-node').and(page.locator(`[data-node-name="${name}"]`));
const outputHandles = () => canvasNode(TRIGGER).getByTestId('canvas-node-output-handle');
const events = () => page.getByTestId('parameter-input-events');

const triggerOutputs = () => outputLabels(page, TRIGGER);

/** The trigger's connections as saved, as [output position, node name] pairs. */
async function savedConnections(): Promise<Array<[number, string]>> {
	const workflow = await n8n!.api('GET', `/workflows/${workflowId}`);
	const main = (workflow.connections?.[TRIGGER]?.main ?? []) as Array<Array<{ node: string }> | null>;
	return main.flatMap((targets, index) => (targets ?? []).map((target) => [index, target.node] as [number, string])).sort();
}

/** The trigger's connections the canvas draws, in the same form. */
async function drawnConnections(): Promise<Array<[number, string]>> {
	const edges = page.getByTestId('edge').and(page.locator(`[data-source-node-name="${TRIGGER}"]`));
	const pairs = await edges.evaluateAll((elements) =>
		elements.map((element) => {
			// vue-flow names each edge [<source id>/outputs/main/<index>][<target id>/inputs/…].
			const id = element.closest('.vue-flow__edge')?.getAttribute('data-id') ?? '';
			return [Number(/\/outputs\/main\/(\d+)\]/.exec(id)?.[1] ?? -1), element.getAttribute('data-target-node-name') ?? ''] as [number, string];
		}),
	);
	return pairs.sort();
}

async function openPanel(): Promise<void> {
	await canvasNode(TRIGGER).dblclick();
	await ndv().waitFor({ state: 'visible' });
	await page.getByTestId('node-parameters').waitFor({ state: 'visible' });
}

async function closePanel(): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await ndv().waitFor({ state: 'hidden' });
}

async function selectEvent(name: string): Promise<void> {
	await events().click();
	await events().locator('input.el-select__input').fill(name);
	await visibleOption(page, name).click();
	await events().locator('input.el-select__input').fill('');
	await page.getByTestId('node-parameters').getByText('Events', { exact: true }).click();
}

/** Adds a No Operation node to output `index` with the "+" at its end, as a person wires a branch; returns its name. */
async function wireNewNode(index: number): Promise<string> {
	const before = await page.getByTestId('canvas-node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-node-name')));
	await outputHandles().and(page.locator(`[data-index="${index}"]`)).getByTestId('canvas-handle-plus').click();
	await page.getByTestId('node-creator-search-bar').fill('No Operation');
	await page.getByTestId('node-creator').getByTestId('node-creator-item-name').filter({ hasText: 'No Operation' }).first().click();
	const added = await eventually(
		() => page.getByTestId('canvas-node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-node-name'))),
		(names) => expect(names.length).toBe(before.length + 1),
	);
	if (await ndv().isVisible()) await closePanel();
	return added.find((name) => !before.includes(name))!;
}

/** Saves with Ctrl+S (n8n also saves by itself) and returns the saved connections once they are what the canvas draws. */
async function save(): Promise<Array<[number, string]>> {
	await page.keyboard.press('Control+s');
	workflowId = await eventually(async () => /\/workflow\/([^/?#]+)/.exec(page.url())?.[1] ?? '', (id) => expect(id).toMatch(/^(?!new$)\w+/));
	const drawn = await drawnConnections();
	await eventually(savedConnections, (saved) => expect(saved).toEqual(drawn), 30_000);
	return drawn;
}

beforeAll(async () => {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium)`);
	if (!existsSync(join(repoRoot, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first');
	selectors.setTestIdAttribute('data-test-id');
	const { startN8n } = await loadInstanceModule();
	const [started, launched] = await Promise.all([startN8n({ packages: [packPackage()] }), launchChromium()]);
	n8n = started;
	browser = launched;
	page = await newEditorPage(browser);
	await signIn(page, n8n);
}, 600_000);

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
}, 60_000);

describe('changing the Events of a wired AppDirect Trigger (Chromium)', () => {
	/** Which event each downstream node was wired for, by node name. */
	const wiredFor = new Map<string, string>();

	test('three events wired to three nodes in the editor, then saved', async () => {
		await addTriggerToNewWorkflow(page);
		expect(await page.locator(`[data-test-id="canvas-node"][data-node-type="${TRIGGER_TYPE}"]`).count()).toBe(1);

		for (const name of [FIRST, SECOND, THIRD]) await selectEvent(name);
		await events().click();
		await visibleOption(page, 'All Events (*)').click();
		await page.getByTestId('node-parameters').getByText('Events', { exact: true }).click();
		await eventually(() => events().locator('.el-select__tags-text').allTextContents(), (tags) => expect(tags).toEqual([FIRST, SECOND, THIRD]));
		await closePanel();
		await eventually(triggerOutputs, (labels) => expect(labels).toEqual([FIRST, SECOND, THIRD]));

		for (const [index, event] of [FIRST, SECOND, THIRD].entries()) wiredFor.set(await wireNewNode(index), event);
		expect(await save()).toEqual([...wiredFor.keys()].map((name, index) => [index, name]));
	});

	test('removing the second event: no item can reach a node wired for another event without the user having been told', async () => {
		await openPanel();
		// What the user sees before touching the field.
		const notice = ndv().getByText(NOTICE);
		const told = (await notice.count()) > 0 && (await notice.first().isVisible());
		await saveScreenshot(page, '20-events-notice');

		await events().locator('.el-tag').filter({ hasText: SECOND }).locator('.el-tag__close').click();
		await eventually(() => events().locator('.el-select__tags-text').allTextContents(), (tags) => expect(tags).toEqual([FIRST, THIRD]));
		await closePanel();
		const labels = await eventually(triggerOutputs, (found) => expect(found).toEqual([FIRST, THIRD]));

		// Every saved connection whose output now carries another event than the one it was wired for.
		const misrouted = (await save())
			.filter(([index, name]) => wiredFor.get(name) !== labels[index])
			.map(([index, name]) => `${labels[index] ?? `(no output ${index})`} -> ${name} (wired for ${wiredFor.get(name)})`);
		// Items may reach another event's node only if the user was told beforehand.
		expect({ misrouted, toldBeforehand: misrouted.length === 0 || told }).toEqual({ misrouted, toldBeforehand: true });
		// The editor dropped the connection of the output that no longer exists (the third); what
		// remains misrouted is the second position, which now carries the third event.
		expect(misrouted.every((line) => line.startsWith(`${THIRD} -> `))).toBe(true);
	});

	test('with an "Other" output, adding an event moves no output: every connection stays on its event', async () => {
		await openPanel();
		await page.getByTestId('parameter-input-unmatched').click();
		await visibleOption(page, 'Send to an "Other" Output').click();
		await closePanel();
		const before = await eventually(triggerOutputs, (labels) => expect(labels).toContain('Other'));
		// Wire every output afresh to its own node.
		const wired = new Map<string, string>();
		for (const name of [...wiredFor.keys()]) {
			await canvasNode(name).click();
			await page.keyboard.press('Delete');
		}
		for (const [index, label] of before.entries()) wired.set(await wireNewNode(index), label);
		await save();

		await openPanel();
		await selectEvent(ADDED);
		await closePanel();
		const after = await eventually(triggerOutputs, (labels) => expect(labels).toHaveLength(before.length + 1));
		expect(after.slice(0, before.length)).toEqual(before);
		await saveScreenshot(page, '21-canvas-outputs-other-first');
		const moved = (await save())
			.filter(([index, name]) => wired.get(name) !== after[index])
			.map(([index, name]) => `${after[index]} -> ${name} (wired for ${wired.get(name)})`);
		expect(moved).toEqual([]);
	});
});
