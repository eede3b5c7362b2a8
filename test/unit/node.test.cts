import { EVENTS } from '../../nodes/AppDirect/shared/catalog';
import { callWebhook, description, outputNames, webhookSetting, type WebhookOutcome } from '../helpers/n8n.cjs';
import { sampleNotification } from '../helpers/samples.cjs';

const TOKEN = 'a-long-random-token-0123456789';
const auth = { 'content-type': 'application/json', 'x-appdirect-webhook-token': TOKEN };
const READ_LOG = 'reading the token credential';
/** What the node logged, without its debug line about reading its credential. */
const nodeLogs = (outcome: WebhookOutcome) => outcome.logs.filter((line) => !line.includes(READ_LOG));

/** Which output the single item left on, or -1. */
function landedOn(outcome: WebhookOutcome): number {
	const outputs = outcome.result.workflowData;
	if (!outputs) return -1;
	const filled = outputs.map((items, index) => (items.length > 0 ? index : -1)).filter((index) => index !== -1);
	expect(filled).toHaveLength(1);
	expect(outputs[filled[0]]).toHaveLength(1);
	return filled[0];
}

describe('AppDirect Trigger node description', () => {
	// Chosen for a CRM sync; docs/reliability.md has the measurements behind "When Finished".
	it('starts a new node with the defaults a CRM sync needs', () => {
		const defaults = Object.fromEntries(
			description.properties.filter((property) => !['callout', 'notice'].includes(property.type)).map((property) => [property.name, property.default]),
		);
		expect(defaults).toEqual({
			authentication: 'token',
			events: ['*'],
			splitBy: 'event',
			unmatched: 'ignore',
			respond: 'whenFinished',
			options: {},
		});
		const options = description.properties.find((property) => property.name === 'options')!.options as Array<{ name: string; default: unknown }>;
		expect(Object.fromEntries(options.map((option) => [option.name, option.default]))).toEqual({ includeRawNotification: false, includeHeaders: false });
	});

	it('has one version, 2: n8n runs an extra expression for every request to a version-1 node', () => {
		expect(description.version).toBe(2);
		expect(description.defaultVersion).toBeUndefined();
	});
});

describe('AppDirect Trigger node', () => {
	const send = (event: string, parameters = {}, headers: Record<string, unknown> = auth) =>
		callWebhook({ parameters, headers, token: TOKEN, body: JSON.stringify(sampleNotification(event)) });

	it('follows the trigger conventions n8n checks', () => {
		expect(description.name).toBe('appDirectTrigger');
		expect(description.displayName).toBe('AppDirect Trigger');
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		// The notifications, and the OAuth2 token endpoint.
		expect(description.webhooks?.map((webhook) => webhook.name)).toEqual(['default', 'setup']);
		expect(description.webhooks![0].httpMethod).toBe('POST');
		expect(description.properties.find((p) => p.name === 'events')?.options).toHaveLength(EVENTS.length + 1);
	});

	describe('authentication', () => {
		it.each([
			['missing', { 'content-type': 'application/json' }, 'The x-appdirect-webhook-token header is missing'],
			['wrong', { 'x-appdirect-webhook-token': 'guess' }, 'The webhook token does not match'],
			['wrong legacy', { 'appdirect-webhook-token': `${TOKEN}0` }, 'The webhook token does not match'],
		])('answers 401 and starts nothing for a %s token', async (_case, headers, message) => {
			const outcome = await send('user.added', {}, headers);
			expect(outcome.status).toBe(401);
			expect(outcome.json).toEqual({ error: 'Unauthorized', message });
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			expect(JSON.stringify(outcome.json)).not.toContain(TOKEN);
		});

		it('checks the token before reading the body', async () => {
			const outcome = await callWebhook({ headers: { 'x-appdirect-webhook-token': 'x' }, token: TOKEN, body: 'not json' });
			expect(outcome.status).toBe(401);
		});

		it('accepts the legacy header', async () => {
			const outcome = await send('user.added', {}, { 'AppDirect-Webhook-Token': TOKEN });
			expect(landedOn(outcome)).toBe(0);
		});

		it('refuses everything, and says why in the log, when the credential is empty', async () => {
			const outcome = await callWebhook({ headers: { 'x-appdirect-webhook-token': '' }, token: '', body: '{}' });
			expect(outcome.status).toBe(401);
			expect(outcome.logs.join('\n')).toContain('the token credential is empty');
		});

		it('answers 500, without throwing, when the credential cannot be read', async () => {
			const outcome = await callWebhook({
				headers: auth,
				credentialError: new Error('Credential with ID "x" does not exist'),
				body: JSON.stringify(sampleNotification('user.added')),
			});
			expect(outcome.status).toBe(500);
			expect(outcome.json).toEqual({ error: 'Internal Server Error', message: 'The AppDirect Trigger cannot read its token credential' });
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			expect(outcome.logs.join('\n')).toContain('does not exist');
		});

		it('accepts anyone with authentication None', async () => {
			const outcome = await send('user.added', { authentication: 'none' }, {});
			expect(landedOn(outcome)).toBe(0);
		});
	});

	describe('bad bodies', () => {
		it.each([
			['not JSON', 'hello', 'The request body is not valid JSON'],
			['empty', '', 'The request body is empty'],
			['not an object', '[1,2]', 'The body must be a JSON object, got an array'],
			['not a notification', '{"event":"x"}', 'resource is missing'],
			['missing an action', '{"resource":{"type":"USER"}}', 'resourceAction is missing'],
			['a wrong type', '{"resource":{"type":1},"resourceAction":"ADDED"}', 'resource.type must be a string'],
		])('answers 400 for a body that is %s', async (_case, body, problem) => {
			const outcome = await callWebhook({ headers: auth, token: TOKEN, body });
			expect(outcome.status).toBe(400);
			expect(outcome.result).toEqual({ noWebhookResponse: true });
			const json = outcome.json as { error: string; message: string; expected: unknown };
			expect(json.error).toBe('Bad Request');
			expect(json.message).toContain(problem);
			expect(json.expected).toMatchObject({ resource: { type: 'SUBSCRIPTION' }, resourceAction: 'ADDED' });
		});
	});

	describe('routing', () => {
		const selected = { events: ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'] };

		it.each([
			['subscription.added', 0],
			['subscription.removed', 1],
			['user.added', 2],
			['company.changed', 3],
		])('%s leaves on output %i', async (event, index) => {
			const outcome = await send(event, selected);
			expect(landedOn(outcome)).toBe(index);
			expect(outcome.result.workflowData).toHaveLength(4);
			expect(outcome.result.workflowData![index][0].json.event).toBe(event);
		});

		it('acknowledges unselected and unknown events with 200 by default, starting nothing', async () => {
			for (const event of ['subscription.changed', 'quote.added']) {
				const outcome = await send(event, selected);
				expect(outcome.status).toBe(200);
				expect(outcome.json).toEqual({ received: true, ignored: true, event });
				expect(outcome.result.workflowData).toBeUndefined();
			}
			const unknown = sampleNotification('user.added');
			unknown.resource.type = 'SUPPORT_TICKET';
			const outcome = await callWebhook({ parameters: selected, headers: auth, token: TOKEN, body: JSON.stringify(unknown) });
			expect(outcome.json).toEqual({ received: true, ignored: true, event: 'support_ticket.added' });
		});

		it('logs unknown types at info level, so that a new AppDirect spelling is noticed', async () => {
			const unknown = sampleNotification('user.added');
			unknown.resource.type = 'USERS';
			const outcome = await callWebhook({ parameters: selected, headers: auth, token: TOKEN, body: JSON.stringify(unknown) });
			expect(nodeLogs(outcome)).toEqual(['info: AppDirect Trigger: ignored an unknown event users.added (notification 0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f)']);
			const unselected = await send('subscription.changed', selected);
			expect(nodeLogs(unselected)).toEqual([
				'debug: AppDirect Trigger: ignored an unselected event subscription.changed (notification 6f0c0c4e-2b0e-4a57-9a53-1f3a1e2b9c10)',
			]);
			expect(JSON.stringify([outcome.logs, unselected.logs])).not.toContain(TOKEN);
		});

		it('reads what n8n parsed when there is no raw body', async () => {
			const outcome = await callWebhook({ headers: auth, token: TOKEN, parsedBody: sampleNotification('company.removed') });
			expect(landedOn(outcome)).toBe(0);
			expect(outcome.result.workflowData![0][0].json).toMatchObject({ event: 'company.removed', content: null });
		});

		it('sends them to the first output, "Other", when asked', async () => {
			const parameters = { ...selected, unmatched: 'otherOutput' };
			expect(outputNames(parameters)).toHaveLength(5);
			expect(landedOn(await send('subscription.changed', parameters))).toBe(0);
			expect(landedOn(await send('company.changed', parameters))).toBe(4);
			const unknown = sampleNotification('user.added');
			unknown.resource.type = 'SUPPORT_TICKET';
			const outcome = await callWebhook({ parameters, headers: auth, token: TOKEN, body: JSON.stringify(unknown) });
			expect(landedOn(outcome)).toBe(0);
			expect(outcome.result.workflowData![0][0].json.event).toBe('support_ticket.added');
		});

		it('routes by resource type and to a single output', async () => {
			expect(landedOn(await send('company.changed', { ...selected, splitBy: 'resource' }))).toBe(2);
			expect(landedOn(await send('company.changed', { ...selected, splitBy: 'none' }))).toBe(0);
		});

		it.each(EVENTS.map((event) => [event.name]))('with the defaults, %s leaves on "All Events"', async (event) => {
			const outcome = await send(event);
			expect(landedOn(outcome)).toBe(0);
			expect(outcome.result.workflowData).toHaveLength(1);
			expect(outcome.result.workflowData![0][0].json).toMatchObject({ event });
		});

		it('honours the item options and never leaks the token', async () => {
			const outcome = await send('user.added', { options: { includeHeaders: true, includeRawNotification: true } });
			const item = outcome.result.workflowData![0][0].json;
			expect(item.headers).toEqual({ 'content-type': 'application/json' });
			expect(item.notification).toEqual(sampleNotification('user.added'));
			expect(JSON.stringify(item)).not.toContain(TOKEN);
		});
	});

	describe('request bodies n8n did not read', () => {
		const notification = sampleNotification('user.added');
		it('reads the bytes itself when n8n skipped them (it skips Content-Types it does not parse)', async () => {
			const request: Record<string, unknown> = {};
			request.readRawBody = async () => {
				request.rawBody = Buffer.from(JSON.stringify(notification));
			};
			const outcome = await callWebhook({ headers: { 'x-appdirect-webhook-token': TOKEN }, token: TOKEN, request });
			expect(landedOn(outcome)).toBe(0);
			expect(outcome.result.workflowData![0][0].json).toMatchObject({ event: 'user.added', notificationId: notification.uuid });
		});

		it('leaves a multipart body to n8n, which has already consumed the stream', async () => {
			const request = {
				readRawBody: async () => {
					throw new Error('stream already read');
				},
			};
			const outcome = await callWebhook({
				headers: { 'content-type': 'multipart/form-data; boundary=x', 'x-appdirect-webhook-token': TOKEN },
				token: TOKEN,
				request,
				parsedBody: { field: 'value' },
			});
			expect(outcome.status).toBe(400);
			expect((outcome.json as { message: string }).message).toContain('resource is missing');
		});
	});

	describe('reading the token credential', () => {
		const credentialId = 'shared';
		const sendWith = (token: string, headerToken: string) =>
			callWebhook({
				credentialId,
				token,
				headers: { 'x-appdirect-webhook-token': headerToken },
				body: JSON.stringify(sampleNotification('user.added')),
			});

		it('reads it once, then remembers it for the next requests', async () => {
			const outcomes = [await sendWith(TOKEN, TOKEN), await sendWith(TOKEN, TOKEN), await sendWith(TOKEN, 'wrong')];
			expect(outcomes.map((outcome) => outcome.credentialReads)).toEqual([1, 0, 0]);
			expect(outcomes.map((outcome) => outcome.status ?? 200)).toEqual([200, 200, 401]);
			expect(outcomes[0].logs).toEqual([`debug: AppDirect Trigger: ${READ_LOG} ${credentialId}`]);
			expect(JSON.stringify(outcomes.map((outcome) => outcome.logs))).not.toContain(TOKEN);
		});
	});

	describe('when to answer', () => {
		it('by default waits for the last node and sends no body, so a failed workflow is retried by AppDirect', () => {
			expect(webhookSetting({}, 'responseMode')).toBe('lastNode');
			expect(webhookSetting({}, 'responseData')).toBe('noData');
		});

		it('answers {"received": true} at once when asked to answer immediately', () => {
			expect(webhookSetting({ respond: 'immediately' }, 'responseMode')).toBe('onReceived');
			expect(webhookSetting({ respond: 'immediately' }, 'responseData')).toEqual({ received: true });
		});
	});
});
