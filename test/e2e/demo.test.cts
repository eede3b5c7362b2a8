// `npm run demo` and the example workflows, in a real n8n: the demo command as a user runs it
// (its printed webhook URL, token, login and CRM tables), a clean stop, and both example files
// imported, published and fed with notifications.
import { spawn, spawnSync } from 'child_process';
import { readFileSync, readdirSync } from 'fs';
import { createServer, type IncomingMessage, type Server } from 'http';
import { createServer as createNetServer, connect } from 'net';
import { join } from 'path';
import { importScript, loadInstanceModule, packPackage, repoRoot, type N8nInstance } from '../helpers/runtime.cjs';

// The first run may install n8n (about 5 minutes) on top of building and starting it.
jest.setTimeout(20 * 60_000);

const script = (file: string) => importScript(`scripts/${file}`);

interface DemoRun {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createNetServer();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** Runs scripts/demo/run.mjs like `npm run demo -- <args>`; `until` lets the test act on the output. */
function runDemo(args: string[], until?: (stdout: string, child: ReturnType<typeof spawn>) => void): Promise<DemoRun> {
	return new Promise((resolve, reject) => {
		const env = { ...process.env };
		delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the demo
		const child = spawn(process.execPath, ['scripts/demo/run.mjs', ...args], { cwd: repoRoot, env });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => {
			stdout += d;
			until?.(stdout, child);
		});
		child.stderr.on('data', (d) => (stderr += d));
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
	});
}

function portAnswers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** Processes whose environment says they are an n8n on this port (n8n, its task runner). */
function n8nProcessesOnPort(port: number): string[] {
	const found: string[] = [];
	for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
		try {
			const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
			if (environ.includes(`N8N_PORT=${port}`)) {
				found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
			}
		} catch {
			// gone meanwhile, or not ours
		}
	}
	return found;
}

/** The lines of one printed table, from its title to the next blank line. */
function tableSection(stdout: string, title: string): string[] {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith(title));
	expect(start).toBeGreaterThanOrEqual(0);
	const end = lines.findIndex((line, index) => index > start && line.trim() === '');
	return lines.slice(start, end === -1 ? undefined : end);
}

const cells = (line: string) => line.trim().split(/\s{2,}/);

describe('npm run demo', () => {
	let demo: DemoRun;
	let port: number;
	let examples: any;

	beforeAll(async () => {
		examples = await script('demo/examples.mjs');
		port = await freePort();
		demo = await runDemo(['--once', '--port', String(port)]);
	});

	it('exits 0 after building, starting n8n and printing the tables', () => {
		if (demo.code !== 0) console.log(demo.stdout, demo.stderr);
		expect(demo.code).toBe(0);
		expect(demo.stdout).toMatch(/^Building the node \(npm run build\)… done/m);
		expect(demo.stdout).toMatch(/^Packed the node as n8n-nodes-appdirect-[\d.]+\.tgz$/m);
		expect(demo.stdout).toMatch(/^Done in \d+ s\. Stopping n8n \(--once\)\.$/m);
	});

	it('prints the webhook URL, the token and how to log in', () => {
		const webhookId = examples.CRM_SYNC.webhookId;
		expect(demo.stdout).toMatch(
			new RegExp(`^Webhook URL: http://localhost:${port}/webhook/${webhookId}/appdirect$`, 'm'),
		);
		expect(demo.stdout).toMatch(/^Token: [0-9a-f]{32}$/m);
		expect(demo.stdout).toContain(`n8n is running: http://localhost:${port}`);
		expect(demo.stdout).toContain('Log in with email demo@example.com and password AppDirectDemo1');
	});

	it('gets 200 from n8n for every notification it sends', () => {
		const sent = demo.stdout.split('\n').filter((line) => /^ {2}[a-z_]+\.(added|changed|removed) /.test(line));
		expect(sent.map((line) => cells(line).slice(0, 2))).toEqual([
			['company.added', '200'],
			['user.added', '200'],
			['user.added', '200'],
			['subscription.added', '200'],
			['subscription.changed', '200'],
			['user.removed', '200'],
			// The 40-seat upgrade, delivered after the newer 60-seat one.
			['subscription.changed', '200'],
		]);
	});

	it('imports the marketplace\'s existing customers before any notification', () => {
		expect(demo.stdout).toMatch(/^Importing the marketplace's existing customers \(appdirect-crm-import\.json\)… done in \d+ s: 3 companies, 15 contacts, 6 subscriptions$/m);
		const lines = demo.stdout.split('\n');
		expect(lines.findIndex((line) => line.startsWith('Importing'))).toBeLessThan(lines.findIndex((line) => line.startsWith('Sending')));
	});

	/** The data lines of a printed table whose first cell starts with `id`. */
	const rowOf = (section: string[], id: string) => section.slice(2).filter((line) => line.trim().startsWith(id)).map(cells);

	it('shows the imported customers, the company, the contacts (one marked removed) and the upgraded subscription', () => {
		const companies = tableSection(demo.stdout, 'AppDirect companies');
		expect(companies[0]).toBe('AppDirect companies (4 rows)');
		expect(companies.slice(2).filter((line) => line.includes('company.listed'))).toHaveLength(3);
		expect(rowOf(companies, '3a9e1c7b')).toEqual([['3a9e1c7b…', 'Acme Corp', 'yes', 'San Francisco', 'US', 'no', 'company.added']]);

		const contacts = tableSection(demo.stdout, 'AppDirect contacts');
		expect(contacts[0]).toBe('AppDirect contacts (17 rows)');
		expect(rowOf(contacts, '0d3f6b2a')).toEqual([['0d3f6b2a…', 'maria.lopez@acme-corp.example', 'Maria Lopez', 'ACTIVE', 'no', 'user.added']]);
		expect(rowOf(contacts, '5c8e2a71')).toEqual([['5c8e2a71…', 'james.chen@acme-corp.example', 'James Chen', 'INACTIVE', 'yes', 'user.removed']]);

		const subscriptions = tableSection(demo.stdout, 'AppDirect subscriptions');
		expect(subscriptions[0]).toBe('AppDirect subscriptions (7 rows)');
		expect(rowOf(subscriptions, 'b7d2f0a4')).toEqual([['b7d2f0a4…', 'ACTIVE', '60', '359.40 USD', 'MONTHLY', 'no', 'subscription.changed']]);
	});

	it('reads the API stand-in and keeps the current state when a stale notification arrives last', () => {
		expect(demo.stdout).toMatch(/^AppDirect API stand-in \(not AppDirect, see scripts\/appdirect-api\/README\.md\): http:\/\/127\.0\.0\.1:\d+$/m);
		expect(demo.stdout).toMatch(/^ {2}subscription\.changed {2}200 {2}Acme Corp upgrades to 40 seats \(late: a stale notification, retried by AppDirect\)$/m);
		const lines = demo.stdout.split('\n');
		const stale = lines.findIndex((line) => line.startsWith('The stale notification'));
		expect(lines[stale]).toBe("The stale notification (40 seats) arrived last. AppDirect's API says 60 seats now; the CRM row holds 60 seats:");
		expect(lines[stale + 1]).toMatch(/^ {2}the current state, not the stale one/);
	});

	it('never shows the token anywhere but on its own line', () => {
		const token = /^Token: (\S+)$/m.exec(demo.stdout)![1];
		const mentions = demo.stdout.split('\n').filter((line) => line.includes(token));
		expect(mentions).toEqual([`Token: ${token}`]);
	});

	it('leaves no n8n running', async () => {
		expect(await portAnswers(port)).toBe(false);
		expect(n8nProcessesOnPort(port)).toEqual([]);
	});

	it('runs again, keeps n8n up until Ctrl-C and then stops it cleanly', async () => {
		// A second run on the same port also proves that re-running works.
		let interrupted = false;
		let upAfterTables: boolean | undefined;
		const second = await runDemo(['--port', String(port), '--no-build'], (stdout, child) => {
			if (!interrupted && stdout.includes('Press Ctrl-C to stop n8n')) {
				interrupted = true;
				// Still serving after the tables were printed, then Ctrl-C.
				void portAnswers(port).then((up) => {
					upAfterTables = up;
					child.kill('SIGINT');
				});
			}
		});
		if (second.code !== 0) console.log(second.stdout, second.stderr);
		expect(interrupted).toBe(true);
		expect(upAfterTables).toBe(true);
		expect(second.code).toBe(0);
		expect(second.stdout).toMatch(/^Stopping n8n…\nStopped\.$/m);
		expect(await portAnswers(port)).toBe(false);
		expect(n8nProcessesOnPort(port)).toEqual([]);
	});

	it('refuses to start when the port is taken, and says what to do', async () => {
		const blocker = createNetServer();
		await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
		try {
			const blocked = await runDemo(['--once', '--port', String(port), '--no-build']);
			expect(blocked.code).toBe(1);
			expect(blocked.stderr).toContain(`Port ${port} is already in use`);
			expect(blocked.stderr).toContain(`npm run demo -- --port ${port + 1}`);
		} finally {
			await new Promise((resolve) => blocker.close(resolve));
		}
	});
});

/** A stand-in for the CRM's HTTP API that records what it was sent. */
interface Received {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: any;
}

function startCrm(): Promise<{ server: Server; base: string; received: Received[] }> {
	const received: Received[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (d) => (body += d));
		req.on('end', () => {
			received.push({ method: req.method!, url: req.url!, headers: req.headers, body: body ? JSON.parse(body) : undefined });
			res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			resolve({ server, base: `http://127.0.0.1:${port}/api`, received });
		});
	});
}

describe('example workflows', () => {
	let examples: any;
	let notifications: any;
	let readRows: (n8n: N8nInstance, tableId: string) => Promise<any[]>;
	let sendNotification: (url: string, notification: unknown, options: { token: string }) => Promise<{ status: number; text: string }>;
	let n8n: N8nInstance;
	let crm: Awaited<ReturnType<typeof startCrm>>;
	let api: any;
	let tables: Record<string, { id: string }>;
	const token = 'example-token-0123456789abcdef';
	const apiClient = { clientId: 'n8n-examples', clientSecret: 'examples-secret-0123456789' };

	beforeAll(async () => {
		examples = await script('demo/examples.mjs');
		notifications = await script('demo/notifications.mjs');
		({ readRows } = await script('demo/tables.mjs'));
		({ sendNotification } = await script('send/run.mjs'));
		crm = await startCrm();
		// The CRM sync's "Get current …" steps read AppDirect's API: the stand-in plays it.
		api = await (await script('appdirect-api/server.mjs')).startAppDirectApi({ clients: [apiClient] });

		// The subscriptions example as a user sets it up: the placeholder CRM URL replaced.
		const subscriptions = JSON.parse(
			readFileSync(join(repoRoot, 'examples', examples.SUBSCRIPTIONS_TO_CRM.file), 'utf8').split(examples.SUBSCRIPTIONS_TO_CRM.crmBaseUrl).join(crm.base),
		);
		const { startN8n } = await loadInstanceModule();
		n8n = await startN8n({
			packages: [packPackage()],
			workflows: [join(repoRoot, 'examples', examples.CRM_UPSERT.file), join(repoRoot, 'examples', examples.CRM_SYNC.file), subscriptions],
			webhooks: [examples.CRM_SYNC, examples.SUBSCRIPTIONS_TO_CRM].map((example) => ({
				webhookId: example.webhookId,
				path: examples.WEBHOOK_PATH,
			})),
		});
		const { CREDENTIAL, TABLES, tableColumns } = examples;
		await n8n.api('POST', '/credentials', { id: CREDENTIAL.id, name: CREDENTIAL.name, type: CREDENTIAL.type, data: { token } });
		await n8n.api('POST', '/credentials', {
			...examples.API_CREDENTIAL,
			data: { baseUrl: api.url, ...apiClient, scope: 'ROLE_PARTNER_READ' },
		});
		tables = {};
		for (const [key, table] of Object.entries<any>(TABLES)) {
			tables[key] = await n8n.api('POST', '/data-tables', { name: table.name, columns: tableColumns(table) });
		}
	});

	afterAll(async () => {
		await n8n?.stop();
		await new Promise((resolve) => crm?.server.close(resolve));
		await api?.close();
	});

	const send = async (example: any, notification: unknown) => {
		const url = n8n.productionWebhookUrl(example.webhookId, examples.WEBHOOK_PATH);
		const answer = await sendNotification(url, notification, { token });
		expect(answer.status).toBe(200);
	};

	it('are what scripts/demo/examples.mjs writes (pinned data = what the built node emits)', () => {
		const check = spawnSync(process.execPath, ['scripts/demo/examples.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
		expect(check.stderr).toBe('');
		expect(check.status).toBe(0);
	});

	it('pin one sample item per trigger output, in output order', () => {
		for (const example of [examples.CRM_SYNC, examples.SUBSCRIPTIONS_TO_CRM]) {
			const workflow = JSON.parse(readFileSync(join(repoRoot, 'examples', example.file), 'utf8'));
			const trigger = workflow.nodes.find((node: any) => node.type === examples.TRIGGER_TYPE);
			expect(trigger.parameters.events).toEqual(example.events);
			expect(workflow.pinData[trigger.name].map((item: any) => item.json.event)).toEqual(example.events);
			// Every output is connected.
			expect(workflow.connections[trigger.name].main).toHaveLength(example.events.length);
		}
	});

	it('are published by n8n', async () => {
		const published = (await n8n.api('GET', '/workflows?active=true')).data.map((workflow: any) => workflow.id);
		expect(published).toEqual(expect.arrayContaining([examples.CRM_UPSERT.id, examples.CRM_SYNC.id, examples.SUBSCRIPTIONS_TO_CRM.id]));
	});

	/** As AppDirect: from the event on, the API shows the resource as the notification does. */
	const happen = async (notification: any) => {
		const local = api.localise(notification);
		if (local.resourceAction === 'REMOVED') api.removeResource(local.resource.url);
		else api.setResource(local.resource.url, local.resource.content);
		await send(examples.CRM_SYNC, local);
	};

	it('CRM sync: every event upserts or marks its row, keyed on the AppDirect id', async () => {
		const pins = notifications.pinnedNotifications();
		for (const event of examples.CRM_SYNC.events) await happen(pins[event]);

		const companies = await readRows(n8n, tables.companies.id);
		expect(companies).toHaveLength(1);
		// The removal keeps the last known values and marks the row.
		expect(companies[0]).toMatchObject({
			appdirectId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			name: 'Acme Corp',
			phone: '+1 415 555 0199',
			removed: true,
			lastEvent: 'company.removed',
			lastNotificationId: pins['company.removed'].uuid,
		});

		const contacts = await readRows(n8n, tables.contacts.id);
		expect(contacts.map((row) => [row.appdirectId, row.email, row.removed, row.lastEvent])).toEqual([
			['0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21', 'maria.lopez@acme-corp.example', false, 'user.changed'],
			// Removed before CRM ever saw it: still recorded, as removed.
			['5c8e2a71-9d4b-4f3e-8a6c-2b1d7e9f0a34', null, true, 'user.removed'],
		]);

		const subscriptions = await readRows(n8n, tables.subscriptions.id);
		expect(subscriptions).toHaveLength(1);
		expect(subscriptions[0]).toMatchObject({
			appdirectId: 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00',
			status: 'ACTIVE',
			seats: 40,
			totalPrice: 239.6,
			currency: 'USD',
			removed: true,
			lastEvent: 'subscription.removed',
		});
		expect(new Date(subscriptions[0].lastEventAt).getTime()).toBe(pins['subscription.removed'].timestamp);
	});

	it('CRM sync: a late notification writes what the API shows now; one for a resource removed since marks the row removed and keeps its values', async () => {
		const pins = notifications.pinnedNotifications();
		/** A company sample as another company (`n` tells its notifications apart). */
		const asCompany = (event: string, id: string, n: number) => {
			const copy = JSON.parse(JSON.stringify(pins[event]).split(pins[event].resource.uuid).join(id));
			copy.uuid = `${id.slice(0, 30)}00000${n}`;
			return api.localise(copy);
		};
		const renamed = asCompany('company.changed', '4b0f2d8c-6e3a-4c9f-b7d2-0a1e3f5b7c94', 0);
		api.setResource(renamed.resource.url, { ...renamed.resource.content, name: 'Acme Corporation' });
		await send(examples.CRM_SYNC, renamed);
		// Added while it existed, then a "changed" that arrives after AppDirect removed it.
		const added = asCompany('company.added', '5c1a3e9d-7f4b-4d0a-8e3f-1b2c4d6e8f05', 1);
		api.setResource(added.resource.url, added.resource.content);
		await send(examples.CRM_SYNC, added);
		const gone = asCompany('company.changed', added.resource.uuid, 2);
		api.removeResource(gone.resource.url);
		await send(examples.CRM_SYNC, gone);

		const rows = await readRows(n8n, tables.companies.id);
		const row = (id: string) => rows.find((candidate) => candidate.appdirectId === id);
		// The notification said "Acme Corp"; the row holds the current name.
		expect(row(renamed.resource.uuid)).toMatchObject({ name: 'Acme Corporation', removed: false, lastEvent: 'company.changed' });
		expect(added.resource.content.name).toBeTruthy();
		expect(row(gone.resource.uuid)).toMatchObject({
			removed: true,
			lastEvent: 'company.changed',
			lastNotificationId: gone.uuid,
			name: added.resource.content.name,
		});
		expect(rows.filter((candidate) => candidate.appdirectId === gone.resource.uuid)).toHaveLength(1);
	});

	it('subscriptions to CRM: creates new subscriptions and cancels cancelled or removed ones', async () => {
		const pins = notifications.pinnedSubscriptionNotifications();
		const upgrade = notifications.pinnedNotifications()['subscription.changed']; // still ACTIVE: not a cancellation
		for (const notification of [pins['subscription.added'], upgrade, pins['subscription.changed'], pins['subscription.removed']]) {
			await send(examples.SUBSCRIPTIONS_TO_CRM, notification);
		}
		const id = 'b7d2f0a4-6c1e-4b8f-9d3a-2e5f7a9c1d00';
		expect(crm.received.map((request) => `${request.method} ${request.url}`)).toEqual([
			'POST /api/subscriptions',
			`POST /api/subscriptions/${id}/cancel`,
			`POST /api/subscriptions/${id}/cancel`,
		]);
		const [created, cancelled, removed] = crm.received;
		expect(created.headers['idempotency-key']).toBe(pins['subscription.added'].uuid);
		expect(created.body).toEqual({
			appdirectSubscriptionId: id,
			companyId: '3a9e1c7b-5d2f-4b8e-a6c1-9f0d2e4b6a83',
			userId: '0d3f6b2a-8c4e-4f1a-b2d7-5e9a1c3b7f21',
			status: 'ACTIVE',
			productId: '2381',
			editionId: '5190',
			seats: 25,
			amount: 149.75,
			currency: 'USD',
			frequency: 'MONTHLY',
			startedAt: '2025-11-27T07:59:55.000Z',
			nextBillingDate: '2025-12-28T08:00:00.000Z',
			marketplace: 'https://marketplace.example.com',
		});
		expect(cancelled.headers['idempotency-key']).toBe(pins['subscription.changed'].uuid);
		expect(cancelled.body).toEqual({
			appdirectSubscriptionId: id,
			reason: 'cancelled in AppDirect',
			cancelledAt: new Date(pins['subscription.changed'].resource.content.endDate).toISOString(),
			event: 'subscription.changed',
		});
		expect(removed.body).toMatchObject({ reason: 'removed in AppDirect', event: 'subscription.removed' });
	});
});
