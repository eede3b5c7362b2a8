// AppDirect's delivery system, as its documentation describes it, for tests, load runs and the
// demo. Each notification is one JSON POST with the token header. A 2xx answer within 30 seconds is
// success. Anything else is a failure: another status (4xx included), a connection error, or no
// complete answer in 30 seconds. Failures are retried after 5 min, 10 min, 20 min, 40 min, 1 h,
// 2 h… (11 attempts in all, over several days). `timeScale` shrinks those waits, not the 30-second
// timeout, so that a test sees a day of retries in seconds. With `oauth2` each notification carries
// a bearer token fetched from the receiver's token endpoint (scripts/send/oauth2.mjs); a token
// request that fails is a failed attempt, retried like any other.
//
//   const delivery = createDelivery({ urls: [url], token, timeScale: 0.001 });
//   const records = await delivery.deliverAll(notifications);
//   delivery.attempts   // every attempt, with its outcome
//   delivery.close();
import http from 'node:http';
import https from 'node:https';

import { createTokenClient } from './oauth2.mjs';

/** Waits before each retry, in minutes: 10 retries, so 11 attempts over about 2.7 days. */
export const RETRY_DELAYS_MINUTES = [5, 10, 20, 40, 60, 120, 240, 480, 960, 1920];

export const APPDIRECT_TIMEOUT_MS = 30_000;

/**
 * Outcome of one attempt: `delivered` (2xx); `refused` (4xx) and `failed` (5xx or another
 * status); `timeout` (no complete answer in time); `connection-error`; `dropped` (lost on the
 * way by the `drop` option, never sent: how a test makes one notification arrive late);
 * `token-failed` (OAuth2: no token could be fetched, so the notification was not sent).
 */
export const OUTCOMES = ['delivered', 'refused', 'failed', 'timeout', 'connection-error', 'dropped', 'token-failed'];

/** The headers AppDirect sends with a notification. */
export function appDirectHeaders({ token, legacy = false } = {}) {
	const headers = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'AppDirect-Webhook-Sender/1.0' };
	if (token) headers[legacy ? 'AppDirect-Webhook-Token' : 'x-appdirect-webhook-token'] = token;
	return headers;
}

export function eventOf(notification) {
	const type = notification?.resource?.type;
	const action = notification?.resourceAction;
	return typeof type === 'string' && typeof action === 'string' ? `${type.toLowerCase()}.${action.toLowerCase()}` : '?';
}

/** One POST; resolves (never rejects) with status, answer text and how long it took. */
function post(url, body, headers, { timeoutMs, agents }) {
	const started = performance.now();
	return new Promise((resolve) => {
		const target = new URL(url);
		const transport = target.protocol === 'https:' ? https : http;
		let settled = false;
		const finish = (result) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({ ...result, ms: performance.now() - started });
		};
		const request = transport.request(
			target,
			{
				method: 'POST',
				headers: { ...headers, 'content-length': String(body.length) },
				agent: target.protocol === 'https:' ? agents.https : agents.http,
			},
			(response) => {
				const chunks = [];
				response.on('data', (chunk) => chunks.push(chunk));
				response.on('end', () => finish({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
				response.on('error', (error) => finish({ error: error.message }));
			},
		);
		// AppDirect's limit covers the whole exchange, not only the wait for the first byte.
		const timer = setTimeout(() => {
			request.destroy();
			finish({ timedOut: true });
		}, timeoutMs);
		request.on('error', (error) => finish({ error: error.code ?? error.message }));
		request.end(body);
	});
}

function outcomeOf(result) {
	if (result.timedOut) return 'timeout';
	if (result.error !== undefined) return 'connection-error';
	if (result.status >= 200 && result.status <= 299) return 'delivered';
	if (result.status >= 400 && result.status <= 499) return 'refused';
	return 'failed';
}

/** A counting semaphore: at most `limit` requests in flight. */
function limiter(limit) {
	let active = 0;
	const waiting = [];
	return async (task) => {
		if (active >= limit) await new Promise((resolve) => waiting.push(resolve));
		active++;
		try {
			return await task();
		} finally {
			active--;
			waiting.shift()?.();
		}
	};
}

export function percentile(values, p) {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * options:
 *   urls           one URL or several; attempts go to them in turn (a load balancer's round robin)
 *   token, legacy  the webhook token, in x-appdirect-webhook-token (or the legacy AppDirect-Webhook-Token)
 *   timeoutMs      how long an attempt may take [30000]
 *   retryDelaysMs  waits before each retry [RETRY_DELAYS_MINUTES]; its length + 1 is the number of attempts
 *   timeScale      factor applied to those waits [1]; 0.001 turns 5 minutes into 300 ms
 *   concurrency    attempts in flight at once [16]
 *   drop(notification, attempt)  true: this attempt is lost before it reaches the receiver
 *   onAttempt(attempt)           called after every attempt (for a log file)
 *   oauth2         instead of `token`: { tokenUrl, clientId, clientSecret, grant, username, password,
 *                  scope, clientAuthentication } (see createTokenClient)
 */
export function createDelivery(options) {
	const urls = [options.urls].flat();
	if (urls.length === 0 || urls.some((url) => typeof url !== 'string')) throw new Error('createDelivery: give urls');
	const timeoutMs = options.timeoutMs ?? APPDIRECT_TIMEOUT_MS;
	const retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MINUTES.map((minutes) => minutes * 60_000);
	const timeScale = options.timeScale ?? 1;
	const maxAttempts = retryDelaysMs.length + 1;
	const agents = {
		http: new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 }),
		https: new https.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 }),
	};
	const run = limiter(options.concurrency ?? 16);
	const started = performance.now();
	const attempts = [];
	const records = [];
	const pending = new Set();
	let nextTarget = 0;
	let closed = false;

	const headers = appDirectHeaders(options);
	const send = (url, body, extra) => post(url, body, extra, { timeoutMs, agents });
	const tokens = options.oauth2 ? createTokenClient(options.oauth2, send) : null;

	/** One notification POST, preceded with OAuth2 by getting a token (an answer 401 drops it). */
	async function sendNotification(url, body, extra) {
		if (tokens === null) return await send(url, body, extra);
		const started = performance.now();
		const token = await tokens.token();
		if (!token.ok) {
			return { tokenFailed: true, status: token.status, error: token.problem, text: token.answer ?? undefined, ms: performance.now() - started };
		}
		const result = await send(url, body, { ...extra, authorization: `Bearer ${token.token}` });
		if (result.status === 401) tokens.discard(token.token);
		return result;
	}

	function wait(ms) {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				pending.delete(entry);
				resolve(true);
			}, ms);
			const entry = { timer, resolve };
			pending.add(entry);
		});
	}

	async function attempt(record, notification, body, number) {
		const url = urls[nextTarget++ % urls.length];
		const sentAt = performance.now() - started;
		let result;
		if (options.drop?.(notification, number)) {
			result = { dropped: true, ms: 0 };
		} else {
			result = await run(() => sendNotification(url, body, { ...headers, ...record.headers }));
		}
		const entry = {
			id: record.id,
			event: record.event,
			attempt: number,
			url,
			sentAt: Math.round(sentAt),
			ms: Math.round(result.ms * 10) / 10,
			outcome: result.dropped ? 'dropped' : result.tokenFailed ? 'token-failed' : outcomeOf(result),
			status: result.status ?? null,
			...(result.error !== undefined ? { error: result.error } : {}),
			answer: result.text === undefined ? null : result.text.slice(0, 300),
		};
		attempts.push(entry);
		record.attempts.push(entry);
		options.onAttempt?.(entry);
		return entry;
	}

	/**
	 * Delivers one notification like AppDirect: resolves once it is delivered or AppDirect gives up.
	 * `body` sends these exact bytes instead of the notification's JSON; `headers` adds or overrides.
	 */
	async function deliver(notification, { body, headers: extra } = {}) {
		const record = {
			id: typeof notification?.uuid === 'string' ? notification.uuid : null,
			event: eventOf(notification),
			headers: extra ?? {},
			attempts: [],
			delivered: false,
			gaveUp: false,
			cancelled: false,
		};
		records.push(record);
		const bytes = Buffer.from(body ?? JSON.stringify(notification));
		for (let number = 1; number <= maxAttempts; number++) {
			if (closed) {
				record.cancelled = true;
				return record;
			}
			const entry = await attempt(record, notification, bytes, number);
			if (entry.outcome === 'delivered') {
				record.delivered = true;
				record.deliveredAt = entry.sentAt + entry.ms;
				return record;
			}
			if (number < maxAttempts && !(await wait(retryDelaysMs[number - 1] * timeScale))) {
				record.cancelled = true;
				return record;
			}
		}
		record.gaveUp = true;
		return record;
	}

	return {
		deliver,
		deliverAll: (notifications) => Promise.all(notifications.map((notification) => deliver(notification))),
		attempts,
		records,
		/** OAuth2 only: every token request, with its status (never the token). */
		tokenRequests: tokens?.requests ?? [],
		/** Counts and answer latency (delivered attempts only), for reports. */
		summary() {
			const byOutcome = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0]));
			for (const entry of attempts) byOutcome[entry.outcome]++;
			const latencies = attempts.filter((entry) => entry.outcome === 'delivered').map((entry) => entry.ms);
			return {
				notifications: records.length,
				delivered: records.filter((record) => record.delivered).length,
				gaveUp: records.filter((record) => record.gaveUp).length,
				cancelled: records.filter((record) => record.cancelled).length,
				attempts: attempts.length,
				byOutcome,
				tokenRequests: tokens?.requests.length ?? 0,
				p50Ms: percentile(latencies, 50),
				p99Ms: percentile(latencies, 99),
			};
		},
		/** Stops waiting retries (their notifications end as cancelled) and frees the sockets. */
		close() {
			closed = true;
			for (const entry of pending) {
				clearTimeout(entry.timer);
				entry.resolve(false);
			}
			pending.clear();
			agents.http.destroy();
			agents.https.destroy();
		},
	};
}
