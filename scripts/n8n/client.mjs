// Talking to a running n8n over HTTP, as its owner: the internal REST API (/rest, logged in with
// the owner's cookie), the public API (/api/v1, with an API key made on first use), executions,
// webhook URLs, and waiting until published workflows and their webhooks are live. Works across
// the n8n versions in scripts/n8n/versions.json, each difference handled where it shows.
import crypto from 'node:crypto';

import { waitFor } from '../services/processes.mjs';

/**
 * Reads the items each output of a node emitted in an execution (with data).
 * Returns one array of `json` objects per output, e.g. [[{...}], []].
 */
export function nodeOutputs(execution, nodeName, runIndex = 0) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs) return undefined;
	const main = runs[runIndex]?.data?.main ?? [];
	return main.map((items) => (items ?? []).map((item) => item.json));
}

// n8n before the owner-from-environment settings (N8N_INSTANCE_OWNER_*, ignored there) starts
// with the set-up screen: create the same owner through it.
export async function setUpOwner(baseUrl, owner) {
	const res = await fetch(`${baseUrl}/rest/settings`);
	const settings = (await res.json().catch(() => ({})))?.data ?? {};
	if (settings.userManagement?.showSetupOnFirstLoad !== true) return;
	const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!setup.ok) throw new Error(`owner set-up failed: ${setup.status} ${await setup.text()}`);
}

/** A socket the server closed just as a kept-alive connection was reused (seen while n8n was busy). */
const isConnectionReset = (error) => ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(error?.cause?.code);

async function request(url, { method = 'GET', headers = {}, body } = {}) {
	const send = () =>
		fetch(url, {
			method,
			headers: {
				...(body !== undefined && { 'content-type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
	let res;
	try {
		res = await send();
	} catch (error) {
		// A GET changes nothing, so it is sent once more on a fresh connection; anything else is not.
		if (method !== 'GET' || !isConnectionReset(error)) throw error;
		res = await send();
	}
	const text = await res.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	if (!res.ok) {
		const err = new Error(`${method} ${url} -> ${res.status}: ${text.slice(0, 500)}`);
		err.status = res.status;
		throw err;
	}
	return { status: res.status, headers: res.headers, json, text };
}

/**
 * The HTTP side of one n8n. `baseUrl` is a function: the instance may move to other ports
 * before it is ready. `owner` is { email, password }.
 */
export function n8nClient({ baseUrl, owner }) {
	const browserId = crypto.randomUUID();
	let cookie;
	let apiKey;

	async function login() {
		const res = await fetch(`${baseUrl()}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': browserId },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
		});
		if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
		const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!setCookie) throw new Error('login answered without an n8n-auth cookie');
		cookie = setCookie.split(';')[0];
	}

	/** Internal REST API (/rest/...) as the logged-in owner; returns the `data` field. */
	async function rest(method, urlPath, body) {
		if (!cookie) await login();
		const { json } = await request(`${baseUrl()}/rest${urlPath}`, {
			method,
			body,
			headers: { cookie, 'browser-id': browserId },
		});
		return json?.data ?? json;
	}

	/** Public API (/api/v1/...) with an API key created on first use. */
	async function api(method, urlPath, body) {
		if (!apiKey) {
			const scopes = await rest('GET', '/api-keys/scopes');
			const created = await rest('POST', '/api-keys', {
				label: `e2e-${crypto.randomUUID().slice(0, 6)}`,
				expiresAt: null,
				scopes,
			});
			apiKey = created.rawApiKey;
		}
		const { json } = await request(`${baseUrl()}/api/v1${urlPath}`, {
			method,
			body,
			headers: { 'X-N8N-API-KEY': apiKey },
		});
		return json;
	}

	async function listPaged(urlPath, query) {
		const items = [];
		let cursor;
		do {
			const params = new URLSearchParams({ ...query, limit: '250', ...(cursor && { cursor }) });
			const page = await api('GET', `${urlPath}?${params}`);
			items.push(...(page.data ?? []));
			cursor = page.nextCursor;
		} while (cursor);
		return items;
	}

	// n8n versions without a size limit on execution data (1.x) refuse its ignoreDataSizeLimit parameter.
	let sizeLimitParam = true;
	async function withSizeLimitParam(call) {
		try {
			return await call(sizeLimitParam);
		} catch (err) {
			if (!(sizeLimitParam && err.status === 400 && /ignoreDataSizeLimit/.test(err.message))) throw err;
			sizeLimitParam = false;
			return call(false);
		}
	}

	/** Executions (newest first) with their full data unless includeData is false. */
	async function getExecutions({ workflowId, status, includeData = true } = {}) {
		return withSizeLimitParam((sizeLimit) =>
			listPaged('/executions', {
				includeData: String(includeData),
				...(includeData && sizeLimit && { ignoreDataSizeLimit: 'true' }),
				...(workflowId && { workflowId }),
				...(status && { status }),
			}),
		);
	}

	async function getExecution(id, { includeData = true } = {}) {
		return withSizeLimitParam((sizeLimit) =>
			api('GET', `/executions/${id}?includeData=${includeData}${includeData && sizeLimit ? '&ignoreDataSizeLimit=true' : ''}`),
		);
	}

	/**
	 * Waits until at least `count` finished executions exist, then returns them (oldest first).
	 * Polls without the execution data, which n8n would otherwise load and send for every
	 * execution of the workflow three times a second; with `includeData: false` the last poll is the answer.
	 */
	async function waitForExecutions({ workflowId, count = 1, timeoutMs = 30_000, includeData = true } = {}) {
		const finished = (all) => all.filter((e) => e.status !== 'running' && e.status !== 'new' && e.stoppedAt).reverse();
		const polled = await waitFor(
			`${count} execution(s)${workflowId ? ` of workflow ${workflowId}` : ''}`,
			async () => {
				const done = finished(await getExecutions({ workflowId, includeData: false }));
				return done.length >= count ? done : undefined;
			},
			{ timeoutMs, intervalMs: 300 },
		);
		return includeData ? finished(await getExecutions({ workflowId, includeData: true })) : polled;
	}

	async function listWorkflows({ active } = {}) {
		return listPaged('/workflows', active === undefined ? {} : { active: String(active) });
	}

	const productionWebhookUrl = (webhookId, webhookPath = '') =>
		`${baseUrl()}/webhook/${webhookId}${webhookPath ? `/${webhookPath.replace(/^\//, '')}` : ''}`;
	const testWebhookUrl = (webhookId, webhookPath = '') =>
		`${baseUrl()}/webhook-test/${webhookId}${webhookPath ? `/${webhookPath.replace(/^\//, '')}` : ''}`;

	// A CORS preflight lists the methods registered for a production path and
	// starts no execution, so it can be polled safely.
	async function isWebhookRegistered({ webhookId, path: webhookPath, method = 'POST' }) {
		const res = await fetch(productionWebhookUrl(webhookId, webhookPath), {
			method: 'OPTIONS',
			headers: { origin: baseUrl(), 'access-control-request-method': method },
		});
		const allowed = (res.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
		return allowed.includes(method.toUpperCase());
	}

	async function waitForWebhook(webhook, { timeoutMs = 30_000 } = {}) {
		await waitFor(
			`webhook ${webhook.method ?? 'POST'} ${productionWebhookUrl(webhook.webhookId, webhook.path)}`,
			() => isWebhookRegistered(webhook),
			{ timeoutMs },
		);
	}

	// n8n 2.41 activates published workflows asynchronously (publication
	// outbox), so "started" does not mean "triggers registered": ask n8n.
	async function waitForPublished(workflowId, { timeoutMs = 60_000 } = {}) {
		let last;
		await waitFor(
			`workflow ${workflowId} to be published`,
			async () => {
				try {
					last = await rest('GET', `/workflows/${workflowId}/publication-status`);
				} catch (err) {
					// Without the publication service (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false)
					// activation happened synchronously before "Editor is now accessible".
					if (err.status === 404 && /not available/.test(err.message)) return true;
					// n8n before the publication service (1.x, early 2.x): ask which workflows run.
					if (err.status === 404) return isActivated(workflowId);
					throw err;
				}
				if (last.status === 'failed' || last.status === 'partial') {
					const why = last.triggers
						.filter((t) => t.status === 'failed')
						.map((t) => `node ${t.nodeId}: ${t.errorMessage}`)
						.join('; ');
					throw Object.assign(new Error(`workflow ${workflowId} failed to publish (${last.status}): ${why}`), {
						fatal: true,
					});
				}
				return last.status === 'published';
			},
			{ timeoutMs, intervalMs: 250 },
		).catch((err) => {
			if (!err.fatal && last) err.message += ` (last status: ${JSON.stringify(last)})`;
			throw err;
		});
	}

	// n8n without a publication-status endpoint: a workflow runs when it is listed as active and
	// has no activation error (n8n records one when a trigger fails to start).
	async function isActivated(workflowId) {
		// The activation error is a string, or null when there is none.
		const error = await rest('GET', `/active-workflows/error/${workflowId}`);
		if (typeof error === 'string' && error) {
			throw Object.assign(new Error(`workflow ${workflowId} failed to activate: ${error}`), { fatal: true });
		}
		const active = await rest('GET', '/active-workflows');
		return Array.isArray(active) && active.includes(workflowId);
	}

	/** Publishes (n8n 1.x: activates) an imported workflow through the public API. */
	async function publishWorkflow(workflowId) {
		try {
			return await api('POST', `/workflows/${workflowId}/publish`, {});
		} catch (err) {
			// Before POST /publish (n8n 1.x, early 2.x) the same action was POST /activate; there
			// the path matches GET /workflows/{id}/{versionId} (405) or nothing (404).
			if (err.status !== 404 && err.status !== 405) throw err;
			return api('POST', `/workflows/${workflowId}/activate`, {});
		}
	}

	return {
		productionWebhookUrl,
		testWebhookUrl,
		rest,
		api,
		getExecutions,
		getExecution,
		waitForExecutions,
		listWorkflows,
		isWebhookRegistered,
		waitForWebhook,
		waitForPublished,
		publishWorkflow,
	};
}
