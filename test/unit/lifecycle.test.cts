import { trigger } from '../helpers/n8n.cjs';

const URL = 'https://n8n.example.com/webhook/5f1c/appdirect';

/** The part of n8n's hook context the lifecycle methods use, with real static-data semantics. */
function hookContext(mode: 'trigger' | 'manual', staticData: Record<string, unknown>, url = URL) {
	const logs: string[] = [];
	const context = {
		getMode: () => mode,
		getNodeWebhookUrl: () => url,
		getWorkflowStaticData: () => staticData,
		logger: { info: (message: string) => logs.push(message), debug: () => undefined },
	};
	return { context: context as never, logs };
}

const hooks = trigger.webhookMethods.default;

describe('webhook lifecycle (AppDirect has no registration API)', () => {
	it('on publish: tells the user once which URL AppDirect must call, and remembers it', async () => {
		const staticData: Record<string, unknown> = {};
		const first = hookContext('trigger', staticData);
		expect(await hooks.checkExists.call(first.context)).toBe(false);
		expect(await hooks.create.call(first.context)).toBe(true);
		expect(first.logs).toEqual([
			`AppDirect Trigger: make sure AppDirect's webhooks (Manage > Marketplace > Settings > Integration > Webhooks, one per resource type) point at ${URL}`,
		]);
		// The next start of n8n finds it announced and says nothing again.
		expect(await hooks.checkExists.call(hookContext('trigger', staticData).context)).toBe(true);
		// A new URL (another host name) must be announced again.
		expect(await hooks.checkExists.call(hookContext('trigger', staticData, `${URL}2`).context)).toBe(false);
	});

	it('on unpublish: says the URL stopped receiving events and forgets it', async () => {
		const staticData: Record<string, unknown> = { announcedUrl: URL };
		const { context, logs } = hookContext('trigger', staticData);
		expect(await hooks.delete.call(context)).toBe(true);
		expect(logs).toEqual([
			`AppDirect Trigger: ${URL} stopped receiving events; if the workflow stays unpublished, delete its webhooks in AppDirect`,
		]);
		expect(staticData).toEqual({});
	});

	it('while the editor listens for a test event: no instructions, nothing remembered', async () => {
		const staticData: Record<string, unknown> = {};
		const { context, logs } = hookContext('manual', staticData, 'https://n8n.example.com/webhook-test/5f1c/appdirect');
		expect(await hooks.create.call(context)).toBe(true);
		expect(await hooks.delete.call(context)).toBe(true);
		expect(logs).toEqual([]);
		expect(staticData).toEqual({});
	});
});

describe('credential test', () => {
	const test = (token: unknown) =>
		trigger.methods.credentialTest.appDirectWebhookToken.call({} as never, {
			id: '1',
			name: 'AppDirect webhook token',
			type: 'appDirectWebhookTokenApi',
			data: { token } as never,
		});

	it.each([
		['', 'The token is empty'],
		['   ', 'The token is empty'],
		[' a-long-random-token-0123 ', 'The token starts or ends with a space or line break; AppDirect would not send it'],
		['a-long-random-token-0123\n', 'The token starts or ends with a space or line break; AppDirect would not send it'],
		['short', 'Use a token of at least 16 characters: it is the only thing protecting the URL'],
		[undefined, 'The token is empty'],
	])('refuses %j', async (token, message) => {
		expect(await test(token)).toEqual({ status: 'Error', message });
	});

	it('accepts a long token', async () => {
		expect(await test('a-long-random-token-0123')).toEqual({
			status: 'OK',
			message: 'Token saved. Notifications are accepted only when they carry it.',
		});
	});
});
