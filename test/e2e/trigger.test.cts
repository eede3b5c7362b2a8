// The AppDirect Trigger inside a real n8n (pinned runtime, SQLite), installed from the packed
// package like a user installs it. Every claim is checked against n8n's own execution records.
import { randomBytes, randomUUID } from 'crypto';
import { EVENTS } from '../../nodes/AppDirect/shared/catalog';
import { EXPECTED_SHAPE } from '../../nodes/AppDirect/trigger/parse';
import { TOKEN_MAX_AGE_MS, TOKEN_RECHECK_MS } from '../../nodes/AppDirect/trigger/token-cache';
import { largeSubscription, sampleNotification } from '../helpers/samples.cjs';
import {
	answerTexts,
	executionIds,
	expectedItem,
	landing,
	newExecutions,
	parseLog,
	request,
	startHarness,
	startLog,
	type Execution,
	type Harness,
	type Notification,
} from './harness.cjs';
import { branchNode, TRIGGER_NAME, workflowId, type TriggerWorkflow } from './workflows.cjs';

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Random per run, so finding it in a log or an answer can only mean a leak.
const TOKEN = `e2e-${randomBytes(18).toString('hex')}`;

// Selected in reverse catalog order: outputs follow the order of selection, not the catalog's.
const CATALOG_SELECTION = [...EVENTS].reverse();

// Everything not set here keeps the node's default: "Answer AppDirect" is "When the Workflow Has Finished".
const BASE_SPECS: TriggerWorkflow[] = [
	{
		key: 'catalog',
		parameters: { events: CATALOG_SELECTION.map((event) => event.name) },
		outputs: CATALOG_SELECTION.map((event) => event.displayName),
	},
	{
		// Defaults (All Events, token) plus both item options, to see what reaches the item.
		key: 'auth',
		parameters: { options: { includeHeaders: true, includeRawNotification: true } },
		outputs: ['All Events'],
	},
	{ key: 'ignore', parameters: { events: ['subscription.added', 'user.removed'] }, outputs: ['Subscription Added', 'User Removed'] },
	{
		key: 'other',
		parameters: { events: ['subscription.added', 'user.removed'], unmatched: 'otherOutput' },
		outputs: ['Other', 'Subscription Added', 'User Removed'],
	},
	{ key: 'star', parameters: { events: ['subscription.added', '*'] }, outputs: ['Subscription Added', 'All Other Events'] },
	{
		key: 'byResource',
		parameters: { events: ['subscription.added', 'subscription.removed', 'user.added'], splitBy: 'resource', unmatched: 'otherOutput' },
		outputs: ['Other', 'Subscription', 'User'],
	},
	{ key: 'single', parameters: { events: ['subscription.added', 'user.added'], splitBy: 'none', respond: 'immediately' }, outputs: ['Events'] },
	{ key: 'waitOk', parameters: { events: ['subscription.added'], respond: 'whenFinished' }, outputs: ['Subscription Added'] },
	{ key: 'waitFail', parameters: { respond: 'whenFinished' }, outputs: ['All Events'], downstream: 'stopAndError' },
	// Answered at once: 50 posts at the same moment, each waiting for its execution, can take longer
	// than AppDirect's 30 s on a busy machine. docs/reliability.md measures "When finished" under load.
	{ key: 'burst', parameters: { respond: 'immediately' }, outputs: ['All Events'] },
];

// The node remembers a token for TOKEN_MAX_AGE_MS: these workflows have credentials of their
// own, so that changing or deleting them disturbs nothing else.
const credentialFor = (id: string) => ({ id, name: `AppDirect token ${id}`, token: `e2e-${randomBytes(18).toString('hex')}` });
const CACHE_CREDENTIALS = {
	flood: credentialFor('e2eFloodToken001'),
	rotateOld: credentialFor('e2eRotateOldTok1'),
	rotateNew: credentialFor('e2eRotateNewTok1'),
	revoke: credentialFor('e2eRevokeToken01'),
};
const CACHE_SPECS: TriggerWorkflow[] = Object.entries(CACHE_CREDENTIALS).map(([key, credential]) => ({
	key,
	parameters: {},
	outputs: ['All Events'],
	credential,
}));

const SPECS: TriggerWorkflow[] = [...BASE_SPECS, ...CACHE_SPECS];

const outputsOf = (key: string) => SPECS.find((spec) => spec.key === key)!.outputs;
const RECEIVED = '{"received":true}';
/** The body of the 200 that accepts a notification: only "Immediately" sends one. */
const acceptedText = (key: string) => (SPECS.find((spec) => spec.key === key)!.parameters.respond === 'immediately' ? RECEIVED : '');

let h: Harness;

beforeAll(async () => {
	h = await startHarness(SPECS, TOKEN, Object.values(CACHE_CREDENTIALS));
}, 300_000);

afterAll(async () => {
	await h?.stop();
}, 60_000);

const fresh = (event: string) => sampleNotification(event, { fresh: true });

/** The execution whose trigger item carries this notification id. */
function executionFor(executions: Execution[], notificationId: string): Execution[] {
	return executions.filter((execution) => landing(h, execution).item?.notificationId === notificationId);
}

/** What an execution should look like when the item left on output `index` of workflow `key`. */
function expectLanded(key: string, execution: Execution, index: number) {
	const outputs = outputsOf(key);
	expect(execution.status).toBe('success');
	expect(execution.mode).toBe('webhook');
	const { outputCount, filled, ran } = landing(h, execution);
	expect({ outputCount, filled, ran }).toEqual({
		outputCount: outputs.length,
		filled: [{ index, items: 1 }],
		// The branch really ran, and only that one.
		ran: [TRIGGER_NAME, branchNode(index, outputs[index])].sort(),
	});
}

/** Posts each notification (expecting the immediate answer), then returns one execution per notification, in order. */
async function deliver(key: string, notifications: Notification[]): Promise<Execution[]> {
	const before = await executionIds(h.n8n, key);
	for (const notification of notifications) {
		const answer = await h.send(key, notification);
		expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: acceptedText(key) });
	}
	const executions = await newExecutions(h.n8n, key, before, notifications.length);
	expect(executions).toHaveLength(notifications.length);
	return notifications.map((notification) => {
		const matching = executionFor(executions, notification.uuid);
		expect(matching).toHaveLength(1);
		return matching[0];
	});
}

/**
 * Delivers each notification and proves it started one execution with the documented item on
 * output `index` only; returns the executions in the same order.
 */
async function expectRouted(key: string, cases: Array<[Notification, number]>): Promise<Execution[]> {
	const executions = await deliver(key, cases.map(([notification]) => notification));
	cases.forEach(([notification, index], position) => {
		expectLanded(key, executions[position], index);
		expect(landing(h, executions[position]).item).toEqual(expectedItem(notification));
	});
	return executions;
}

/**
 * Proves a request started nothing: n8n then serves a valid notification normally, and that is
 * the only new execution of the workflow.
 */
async function expectNothingStartedSince(key: string, before: Set<string>) {
	const sentinel = fresh('subscription.added');
	const answer = await h.send(key, sentinel);
	expect(answer.status).toBe(200);
	const executions = await newExecutions(h.n8n, key, before, 1);
	expect(executions.map((execution) => landing(h, execution).item?.notificationId)).toEqual([sentinel.uuid]);
}

function badRequest(problem: string) {
	return {
		error: 'Bad Request',
		message: `${problem}. This URL expects an AppDirect webhook notification: a JSON object like the one in "expected".`,
		expected: EXPECTED_SHAPE,
	};
}

describe('the node in published workflows', () => {
	describe('every catalog event, posted to the production URL (one output per event)', () => {
		const sent = EVENTS.map((event) => fresh(event.name));
		const answers: Array<{ status: number; text: string }> = [];
		let executions: Execution[] = [];

		beforeAll(async () => {
			const before = await executionIds(h.n8n, 'catalog');
			for (const notification of sent) {
				const { status, text } = await h.send('catalog', notification);
				answers.push({ status, text });
			}
			executions = await newExecutions(h.n8n, 'catalog', before, sent.length, 120_000);
		}, 180_000);

		it(`answers 200 to all ${EVENTS.length} notifications once each workflow finished, and records exactly one execution for each`, () => {
			expect(answers).toEqual(sent.map(() => ({ status: 200, text: '' })));
			expect(executions).toHaveLength(sent.length);
			const ids = executions.map((execution) => landing(h, execution).item?.notificationId).sort();
			expect(ids).toEqual(sent.map((notification) => notification.uuid).sort());
		});

		it.each(EVENTS.map((event, index) => [event.name, index] as const))(
			'%s leaves on its own output with the documented item',
			(name, index) => {
				const notification = sent[index];
				const matching = executionFor(executions, notification.uuid);
				expect(matching).toHaveLength(1);
				expectLanded('catalog', matching[0], CATALOG_SELECTION.findIndex((event) => event.name === name));
				const { item } = landing(h, matching[0]);
				expect(item).toEqual(expectedItem(notification));
				if (notification.resourceAction === 'REMOVED') expect(item!.content).toBeNull();
			},
		);
	});

	describe('token', () => {
		const headersWith = (extra: Record<string, string>) => ({ 'Content-Type': 'application/json', ...extra });
		const MISSING = 'The x-appdirect-webhook-token header is missing';
		const MISMATCH = 'The webhook token does not match';
		const flipped = TOKEN.slice(0, -1) + (TOKEN.endsWith('a') ? 'b' : 'a');

		it.each([
			['no token header', {}, MISSING],
			['an empty token header', { 'x-appdirect-webhook-token': '' }, MISSING],
			['the token in Authorization instead', { Authorization: `Bearer ${TOKEN}` }, MISSING],
			['a wrong token of the same length', { 'x-appdirect-webhook-token': flipped }, MISMATCH],
			['the token plus one character', { 'x-appdirect-webhook-token': `${TOKEN}0` }, MISMATCH],
			['the token minus its last character', { 'x-appdirect-webhook-token': TOKEN.slice(0, -1) }, MISMATCH],
			['an 8 KB token', { 'x-appdirect-webhook-token': `${TOKEN}${'x'.repeat(8000)}` }, MISMATCH],
			['the token in upper case', { 'x-appdirect-webhook-token': TOKEN.toUpperCase() }, MISMATCH],
			['a wrong token in the legacy header', { 'AppDirect-Webhook-Token': flipped }, MISMATCH],
		])('%s: 401 with a JSON error, nothing started', async (_case, extra: Record<string, string>, message) => {
			const before = await executionIds(h.n8n, 'auth');
			const answer = await request(h.url('auth'), {
				headers: headersWith(extra),
				body: JSON.stringify(fresh('subscription.added')),
			});
			expect(answer.status).toBe(401);
			expect(answer.contentType).toMatch(/^application\/json/);
			expect(answer.json).toEqual({ error: 'Unauthorized', message });
			expect(answer.text).not.toContain(TOKEN);
			await expectNothingStartedSince('auth', before);
		});

		// Header names are case-insensitive in HTTP; these go out on the wire exactly as written.
		it.each([
			['the legacy AppDirect-Webhook-Token header', 'AppDirect-Webhook-Token'],
			['an upper-case header name', 'X-APPDIRECT-WEBHOOK-TOKEN'],
			['a mixed-case header name', 'X-AppDirect-Webhook-Token'],
		])('%s is accepted, and the token stays out of the item', async (_case, header) => {
			const before = await executionIds(h.n8n, 'auth');
			const notification = fresh('user.added');
			const answer = await request(h.url('auth'), { headers: headersWith({ [header]: TOKEN }), body: JSON.stringify(notification) });
			expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: acceptedText('auth') });
			const executions = await newExecutions(h.n8n, 'auth', before, 1);
			expect(executions).toHaveLength(1);
			expectLanded('auth', executions[0], 0);
			const { item } = landing(h, executions[0]);
			expect(item).toEqual({ ...expectedItem(notification), notification, headers: expect.any(Object) });
			expect(Object.keys(item!.headers).filter((name) => /token|authorization|cookie/i.test(name))).toEqual([]);
			expect(JSON.stringify(executions[0])).not.toContain(TOKEN);
		});

		it('a wrong token with a malformed JSON body gets n8n\'s 422: n8n parses the body before the node runs', async () => {
			const before = await executionIds(h.n8n, 'auth');
			const answer = await request(h.url('auth'), {
				headers: headersWith({ 'x-appdirect-webhook-token': flipped }),
				body: '{"resource":',
			});
			expect(answer.status).toBe(422);
			expect(answer.json).toMatchObject({ code: 422, message: 'Failed to parse request body' });
			expect(answer.text).not.toContain(TOKEN);
			await expectNothingStartedSince('auth', before);
		});
	});

	describe('bad bodies (valid token)', () => {
		const auth = { 'x-appdirect-webhook-token': TOKEN };
		const json = { 'Content-Type': 'application/json', ...auth };
		const text = { 'Content-Type': 'text/plain', ...auth };

		it.each([
			['an empty body', json, '', 'The request body is empty'],
			['text that is not JSON (sent as text/plain)', text, 'hello', 'The request body is not valid JSON'],
			['a JSON array', json, '[1,2]', 'The body must be a JSON object, got an array'],
			['a JSON string', json, '"hello"', 'The body must be a JSON object, got a string'],
			['a JSON number', json, '42', 'The body must be a JSON object, got a number'],
			['JSON null', json, 'null', 'The body must be a JSON object, got null'],
			['an object without resource', json, '{"uuid":"x","resourceAction":"ADDED"}', 'resource is missing: this is not an AppDirect webhook notification'],
			['a resource that is a string', json, '{"resource":"USER","resourceAction":"ADDED"}', 'resource must be an object, got a string'],
			['no resource.type', json, '{"resource":{"uuid":"x"},"resourceAction":"ADDED"}', 'resource.type is missing'],
			['no resourceAction', json, '{"resource":{"type":"USER"}}', 'resourceAction is missing'],
			['a numeric resource.type', json, '{"resource":{"type":7},"resourceAction":"ADDED"}', 'resource.type must be a string, got a number'],
			['a boolean resourceAction', json, '{"resource":{"type":"USER"},"resourceAction":true}', 'resourceAction must be a string, got a boolean'],
			['an empty resource.type', json, '{"resource":{"type":" "},"resourceAction":"ADDED"}', 'resource.type is empty'],
			['a resource.type without letters or digits', json, '{"resource":{"type":"---"},"resourceAction":"ADDED"}', 'resource.type has no letters or digits'],
			[
				'resource and action only under __proto__',
				json,
				'{"__proto__":{"resource":{"type":"USER"},"resourceAction":"ADDED"}}',
				'resource is missing: this is not an AppDirect webhook notification',
			],
		])('%s: 400 from the node, nothing started', async (_case, headers: Record<string, string>, body, problem) => {
			const before = await executionIds(h.n8n, 'auth');
			const answer = await request(h.url('auth'), { headers, body });
			expect(answer.status).toBe(400);
			expect(answer.contentType).toMatch(/^application\/json/);
			expect(answer.json).toEqual(badRequest(problem));
			await expectNothingStartedSince('auth', before);
		});

		// These never reach the node: n8n answers them itself (n8n 2.41).
		const tooLarge = JSON.stringify({
			...sampleNotification('user.added'),
			padding: 'x'.repeat(17 * 1024 * 1024),
		});
		it.each([
			[
				'text that is not JSON (sent as application/json): 422 from n8n',
				{ headers: json, body: 'hello' },
				422,
				{ code: 422, message: 'Failed to parse request body', hint: expect.any(String) },
			],
			[
				// raw-body refuses it with 413, but n8n's webhook handler turns every non-HTTP error into 500.
				'a 17 MiB body, over n8n\'s default 16 MiB limit: 500 from n8n',
				{ headers: json, body: tooLarge },
				500,
				{ code: 0, message: 'There was a problem executing the workflow' },
			],
			[
				'a GET: 404 from n8n',
				{ method: 'GET', headers: auth },
				404,
				{ code: 404, message: 'This webhook is not registered for GET requests. Did you mean to make a POST request?' },
			],
			[
				'a PUT with a valid notification: 404 from n8n',
				{ method: 'PUT', headers: json, body: JSON.stringify(sampleNotification('user.added')) },
				404,
				{ code: 404, message: 'This webhook is not registered for PUT requests. Did you mean to make a POST request?' },
			],
		])('%s, nothing started', async (_case, init: { method?: string; headers: Record<string, string>; body?: string }, status, body) => {
			const before = await executionIds(h.n8n, 'auth');
			const answer = await request(h.url('auth'), init);
			expect(answer.status).toBe(status);
			expect(answer.json).toEqual(body);
			await expectNothingStartedSince('auth', before);
		});

		// Decision: the node reads the bytes, not the Content-Type, so a valid notification is accepted
		// whatever type the sender declared (AppDirect itself always sends application/json).
		it.each([
			['text/plain', { 'Content-Type': 'text/plain', ...auth }],
			// n8n does not read these bodies for this node: the node reads them itself.
			['application/octet-stream', { 'Content-Type': 'application/octet-stream', ...auth }],
			['no Content-Type at all', auth],
		])('a valid notification sent as %s is accepted like JSON', async (_case, headers: Record<string, string>) => {
			const before = await executionIds(h.n8n, 'auth');
			const notification = fresh('company.changed');
			const answer = await request(h.url('auth'), { headers, body: JSON.stringify(notification) });
			expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: acceptedText('auth') });
			const executions = await newExecutions(h.n8n, 'auth', before, 1);
			expect(executions).toHaveLength(1);
			expectLanded('auth', executions[0], 0);
			expect(landing(h, executions[0]).item).toEqual({ ...expectedItem(notification), notification, headers: expect.any(Object) });
		});
	});

	describe('unselected and unknown events', () => {
		const unknownType = () => {
			const notification = fresh('user.added');
			notification.resource.type = 'SUPPORT_TICKET';
			return notification;
		};
		const unknownAction = () => {
			const notification = fresh('user.changed');
			notification.resourceAction = 'SUSPENDED';
			return notification;
		};

		describe('"Acknowledge and Ignore" answers 200 and starts nothing', () => {
			it.each([
				['an unselected catalog event', () => fresh('company.added'), 'company.added'],
				['an unknown resource type', unknownType, 'support_ticket.added'],
				['an unknown action', unknownAction, 'user.suspended'],
				[
					'a type spelled with punctuation',
					() => {
						const notification = unknownType();
						notification.resource.type = 'Support.Ticket';
						return notification;
					},
					'support_ticket.added',
				],
			])('%s', async (_case, make, event) => {
				const before = await executionIds(h.n8n, 'ignore');
				const answer = await h.send('ignore', make());
				expect(answer.status).toBe(200);
				expect(answer.json).toEqual({ received: true, ignored: true, event });
				await expectNothingStartedSince('ignore', before);
			});
		});

		it('"Send to an Other output" puts unselected, unknown-type and unknown-action notifications on the first output', async () => {
			const cases: Array<[Notification, number]> = [
				[fresh('company.added'), 0],
				[unknownType(), 0],
				[unknownAction(), 0],
				[fresh('user.removed'), 2],
				[fresh('subscription.added'), 1],
			];
			const executions = await expectRouted('other', cases);
			// Unknown things pass through as sent, in the documented envelope.
			expect(landing(h, executions[1]).item).toMatchObject({ event: 'support_ticket.added', resourceType: 'SUPPORT_TICKET', action: 'ADDED' });
			expect(landing(h, executions[2]).item).toMatchObject({ event: 'user.suspended', resourceType: 'USER', action: 'SUSPENDED' });
		});

		it('"*" with a single event: the event gets its output, everything else goes to "All Other Events"', async () => {
			const cases: Array<[Notification, number]> = [
				[fresh('subscription.added'), 0],
				[fresh('user.changed'), 1],
				[unknownType(), 1],
			];
			await expectRouted('star', cases);
		});

		it('"*" alone (the default): everything, unknown types included, leaves on the one "All Events" output', async () => {
			await expectRouted('burst', [
				[fresh('quote.removed'), 0],
				[unknownType(), 0],
				[unknownAction(), 0],
			]);
		});

		it('"One Output per Resource Type" groups the selected events by resource, the rest goes to "Other"', async () => {
			const cases: Array<[Notification, number]> = [
				[fresh('subscription.removed'), 1],
				[fresh('subscription.added'), 1],
				[fresh('user.added'), 2],
				[fresh('user.changed'), 0],
				[fresh('company.added'), 0],
			];
			await expectRouted('byResource', cases);
		});

		it('"A Single Output" sends every selected event to output 0 and still ignores the others', async () => {
			await expectRouted('single', [
				[fresh('subscription.added'), 0],
				[fresh('user.added'), 0],
			]);
			const before = await executionIds(h.n8n, 'single');
			const answer = await h.send('single', fresh('company.added'));
			expect(answer.json).toEqual({ received: true, ignored: true, event: 'company.added' });
			await expectNothingStartedSince('single', before);
		});
	});

	describe('answer modes', () => {
		it('"Immediately" answers 200 with the JSON body {"received":true}', async () => {
			const answer = await request(h.url('single'), {
				headers: { 'Content-Type': 'application/json', 'x-appdirect-webhook-token': TOKEN },
				body: JSON.stringify(fresh('user.added')),
			});
			expect(answer.status).toBe(200);
			expect(answer.contentType).toMatch(/^application\/json/);
			expect(answer.text).toBe(RECEIVED);
		});

		it('"When the workflow has finished" answers 200 once the workflow succeeded', async () => {
			const before = await executionIds(h.n8n, 'waitOk');
			const notification = fresh('subscription.added');
			const answer = await h.send('waitOk', notification);
			// responseData "noData": success is the status alone.
			expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: '' });
			const executions = await newExecutions(h.n8n, 'waitOk', before, 1);
			expect(executions).toHaveLength(1);
			expectLanded('waitOk', executions[0], 0);
			expect(landing(h, executions[0]).item).toEqual(expectedItem(notification));
		});

		it('"When the workflow has finished" still answers refusals and ignored events itself, starting nothing', async () => {
			const before = await executionIds(h.n8n, 'waitOk');
			const ignored = await h.send('waitOk', fresh('company.added'));
			expect({ status: ignored.status, json: ignored.json }).toEqual({
				status: 200,
				json: { received: true, ignored: true, event: 'company.added' },
			});
			const refused = await h.send('waitOk', fresh('subscription.added'), { token: 'wrong-token-0123456789' });
			expect({ status: refused.status, json: refused.json }).toEqual({
				status: 401,
				json: { error: 'Unauthorized', message: 'The webhook token does not match' },
			});
			await expectNothingStartedSince('waitOk', before);
		});

		it('"When the workflow has finished" answers 500 when a downstream node fails, and n8n records the execution as failed', async () => {
			const before = await executionIds(h.n8n, 'waitFail');
			const notification = fresh('order.changed');
			const answer = await h.send('waitFail', notification);
			expect({ status: answer.status, json: answer.json }).toEqual({ status: 500, json: { message: 'Error in workflow' } });
			const executions = await newExecutions(h.n8n, 'waitFail', before, 1);
			expect(executions).toHaveLength(1);
			const [execution] = executions;
			expect(execution.status).toBe('error');
			expect(execution.data.resultData.lastNodeExecuted).toBe(branchNode(0, 'All Events'));
			expect(execution.data.resultData.error.message).toBe('Downstream failed on purpose');
			const { outputCount, filled, item } = landing(h, execution);
			expect({ outputCount, filled }).toEqual({ outputCount: 1, filled: [{ index: 0, items: 1 }] });
			expect(item).toEqual(expectedItem(notification));
		});
	});

	describe('robustness', () => {
		it('a ~1 MB subscription (5,000 order lines) is accepted and its item is complete', async () => {
			const notification = largeSubscription(5000);
			notification.uuid = randomUUID();
			expect(JSON.stringify(notification).length).toBeGreaterThan(900_000);
			const [execution] = await deliver('catalog', [notification]);
			expectLanded('catalog', execution, CATALOG_SELECTION.findIndex((event) => event.name === 'subscription.added'));
			const { item } = landing(h, execution);
			expect(item!.content.order.orderLines).toHaveLength(5000);
			expect(item!.content.order.orderLines[4999].description).toMatch(/\(line 5000\)$/);
			expect(item).toEqual(expectedItem(notification));
		}, 180_000);

		it('50 concurrent notifications give exactly 50 executions: none lost, none duplicated', async () => {
			const before = await executionIds(h.n8n, 'burst');
			const notifications = Array.from({ length: 50 }, (_, index) => fresh(EVENTS[index % EVENTS.length].name));
			const answers = await Promise.all(notifications.map((notification) => h.send('burst', notification)));
			expect(answers.map(({ status, text }) => ({ status, text }))).toEqual(notifications.map(() => ({ status: 200, text: acceptedText('burst') })));
			const executions = await newExecutions(h.n8n, 'burst', before, 50, 120_000);
			expect(executions).toHaveLength(50);
			expect(executions.map((execution) => execution.status)).toEqual(notifications.map(() => 'success'));
			const items = executions.map((execution) => landing(h, execution).item!);
			expect(items.map((item) => item.notificationId).sort()).toEqual(notifications.map((notification) => notification.uuid).sort());
			for (const notification of notifications) {
				expect(items.find((item) => item.notificationId === notification.uuid)).toEqual(expectedItem(notification));
			}
		}, 180_000);

		it('DELETED and loosely spelled resource types are routed like REMOVED and the canonical type', async () => {
			const variant = (event: string, type: string, action: string) => {
				const notification = fresh(event);
				notification.resource.type = type;
				notification.resourceAction = action;
				return notification;
			};
			const cases: Array<[Notification, string, string, string]> = [
				[variant('subscription.removed', 'SUBSCRIPTION', 'DELETED'), 'subscription.removed', 'SUBSCRIPTION', 'REMOVED'],
				[variant('user.added', 'user', 'ADDED'), 'user.added', 'USER', 'ADDED'],
				[variant('catalog_product.changed', 'catalog-product', 'changed'), 'catalog_product.changed', 'CATALOG_PRODUCT', 'CHANGED'],
				[variant('sales_lead.removed', 'Sales Lead', 'deleted'), 'sales_lead.removed', 'SALES_LEAD', 'REMOVED'],
			];
			const executions = await deliver('catalog', cases.map(([notification]) => notification));
			cases.forEach(([notification, event, resourceType, action], position) => {
				expectLanded('catalog', executions[position], CATALOG_SELECTION.findIndex((spec) => spec.name === event));
				expect(landing(h, executions[position]).item).toEqual(expectedItem(notification, { resourceType, action }));
			});
		});

		it('prototype-pollution keys in the body change nothing', async () => {
			const clean = fresh('user.added');
			// Written as text: an object literal cannot hold an own "__proto__" key.
			const body = JSON.stringify(clean)
				.replace(/^\{/, '{"__proto__":{"resourceAction":"REMOVED","polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},')
				.replace('"resource":{', '"resource":{"__proto__":{"type":"COMPANY"},')
				.replace('"content":{', '"content":{"__proto__":{"email":"attacker@example.invalid","polluted":"yes"},');
			expect(body.match(/__proto__/g)).toHaveLength(3);
			const follower = fresh('company.changed');
			const before = await executionIds(h.n8n, 'catalog');
			expect((await h.send('catalog', clean, { body })).status).toBe(200);
			expect((await h.send('catalog', follower)).status).toBe(200);
			const executions = await newExecutions(h.n8n, 'catalog', before, 2);
			expect(executions).toHaveLength(2);
			const [polluted, next] = [clean, follower].map((notification) => executionFor(executions, notification.uuid)[0]);
			expectLanded('catalog', polluted, CATALOG_SELECTION.findIndex((event) => event.name === 'user.added'));
			expect(landing(h, polluted).item).toEqual(expectedItem(clean));
			expect(JSON.stringify(polluted.data)).not.toMatch(/polluted|attacker/);
			// The next notification is untouched too: nothing leaked into shared prototypes.
			expectLanded('catalog', next, CATALOG_SELECTION.findIndex((event) => event.name === 'company.changed'));
			expect(landing(h, next).item).toEqual(expectedItem(follower));
		});
	});
});

describe('the node remembers its token for at most 10 seconds', () => {
	const { flood, rotateOld, rotateNew, revoke } = CACHE_CREDENTIALS;
	/** How often n8n's log says the node read this credential (debug level). */
	const reads = async (id: string) => {
		await sleep(300);
		return startLog(h.n8n).filter((line) => line.message === `AppDirect Trigger: reading the token credential ${h.credentialId(id)}`).length;
	};
	const post = (key: string, token: string) =>
		request(h.url(key), {
			headers: { 'Content-Type': 'application/json', 'x-appdirect-webhook-token': token },
			body: JSON.stringify(fresh('user.added')),
		});
	/** Sends `token` every `everyMs` until the answer is no longer `status`; returns the answers and when each came. */
	async function pollWhile(key: string, token: string, status: number, everyMs: number, since: number) {
		const seen: Array<{ status: number; atMs: number }> = [];
		for (;;) {
			const answer = await post(key, token);
			seen.push({ status: answer.status, atMs: Date.now() - since });
			if (answer.status !== status || Date.now() - since > TOKEN_MAX_AGE_MS + 5_000) return seen;
			await sleep(everyMs);
		}
	}

	it('a flood of wrong tokens reads the credential at most about once a second, and starts nothing', async () => {
		expect((await post('flood', flood.token)).status).toBe(200);
		expect(await reads(flood.id)).toBe(1);
		const before = await executionIds(h.n8n, 'flood');
		const started = Date.now();
		const statuses: number[] = [];
		await Promise.all(
			Array.from({ length: 8 }, async (_, worker) => {
				for (let i = worker; i < 120; i += 8) statuses.push((await post('flood', `wrong-${i}-${flood.token}`)).status);
			}),
		);
		const seconds = (Date.now() - started) / 1000;
		expect(statuses).toEqual(statuses.map(() => 401));
		expect(statuses).toHaveLength(120);
		expect(await reads(flood.id)).toBeLessThanOrEqual(1 + Math.ceil(seconds) + 1);
		// Nothing started: the one valid notification after the flood is the only new execution.
		expect((await post('flood', flood.token)).status).toBe(200);
		expect(await newExecutions(h.n8n, 'flood', before, 1)).toHaveLength(1);
	});

	it('a changed token counts within 10 s (the new one within about a second), a deleted credential within 10 s', async () => {
		for (const [key, credential] of [['rotateOld', rotateOld], ['rotateNew', rotateNew], ['revoke', revoke]] as const) {
			expect({ key, status: (await post(key, credential.token)).status }).toEqual({ key, status: 200 });
		}
		const changed = (credential: { id: string }) => `${credential.id}-changed-${randomBytes(8).toString('hex')}`;
		const [oldNext, newNext] = [changed(rotateOld), changed(rotateNew)];
		const since = Date.now();
		await h.changeToken(rotateOld.id, oldNext);
		await h.changeToken(rotateNew.id, newNext);
		await h.n8n.api('DELETE', `/credentials/${h.credentialId(revoke.id)}`);

		const [oldToken, newToken, deleted] = await Promise.all([
			pollWhile('rotateOld', rotateOld.token, 200, 500, since),
			pollWhile('rotateNew', newNext, 401, 200, since),
			pollWhile('revoke', revoke.token, 200, 500, since),
		]);
		// Right after the change the remembered old token still works: the documented trade-off.
		expect(oldToken[0].status).toBe(200);
		expect(oldToken.at(-1)!.status).toBe(401);
		expect(oldToken.at(-1)!.atMs).toBeLessThanOrEqual(TOKEN_MAX_AGE_MS + 1_500);
		expect(newToken.at(-1)).toMatchObject({ status: 200 });
		expect(newToken.at(-1)!.atMs).toBeLessThanOrEqual(TOKEN_RECHECK_MS + 1_500);
		expect(deleted.at(-1)!.status).toBe(500);
		expect(deleted.at(-1)!.atMs).toBeLessThanOrEqual(TOKEN_MAX_AGE_MS + 1_500);
		// The new token replaced the old one everywhere.
		expect((await post('rotateOld', oldNext)).status).toBe(200);

		// A deleted credential is not read again for every request either.
		const readsBefore = await reads(revoke.id);
		const started = Date.now();
		const answers = await Promise.all(Array.from({ length: 20 }, () => post('revoke', revoke.token)));
		expect(answers.map((answer) => answer.json)).toEqual(
			answers.map(() => ({ error: 'Internal Server Error', message: 'The AppDirect Trigger cannot read its token credential' })),
		);
		expect((await reads(revoke.id)) - readsBefore).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
	}, 60_000);
});

describe('loading, logs and secrets (after all the traffic above)', () => {
	it('n8n loaded the package, with no warning or error about it anywhere in its log', () => {
		expect(startLog(h.n8n).map((line) => line.message)).toContain('Loaded all credentials and nodes from n8n-nodes-appdirect');
		const aboutUs = parseLog(h.n8n.readLog()).filter(
			(line) =>
				['warn', 'error', 'raw'].includes(line.level) &&
				/n8n-nodes-appdirect|appDirectTrigger/i.test(line.raw) &&
				// The credential deleted on purpose above is reported, as it should be.
				!line.message.includes(`Credential with ID "${h.credentialId(CACHE_CREDENTIALS.revoke.id)}" does not exist`),
		);
		expect(aboutUs.map((line) => line.raw)).toEqual([]);
	});

	it('publishing logged, once per workflow, which URL to enter in AppDirect', () => {
		const hookLines = startLog(h.n8n).filter(
			(line) => line.level === 'info' && line.message.startsWith("AppDirect Trigger: make sure AppDirect's webhooks"),
		);
		expect(hookLines.map((line) => line.message.replace(/^.* point at /, '')).sort()).toEqual(
			SPECS.map((spec) => h.url(spec.key)).sort(),
		);
	});

	it('the token is in no answer, no log line and no execution record', async () => {
		expect(answerTexts.length).toBeGreaterThan(100);
		expect(answerTexts.filter((text) => text.includes(TOKEN))).toEqual([]);
		expect(h.n8n.readLog()).not.toContain(TOKEN);
		expect(h.n8n.readLog()).not.toContain('the token credential is empty');
		for (const spec of SPECS) {
			const executions = await h.n8n.getExecutions({ workflowId: workflowId(spec.key) });
			expect(executions.length).toBeGreaterThan(0);
			expect(JSON.stringify(executions)).not.toContain(TOKEN);
		}
	});

	it('n8n is still healthy after everything', async () => {
		const answer = await request(`${h.n8n.baseUrl}/healthz`, { method: 'GET' });
		expect(answer.status).toBe(200);
	});
});
