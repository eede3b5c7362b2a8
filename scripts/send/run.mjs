#!/usr/bin/env node
// Posts AppDirect webhook notifications to a URL the way AppDirect does: one JSON POST each,
// with the token header, and with --retry AppDirect's retries (scripts/send/delivery.mjs).
// For trying a workflow before AppDirect is set up, for the demo and for the tests.
import { appendFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { APPDIRECT_TIMEOUT_MS, RETRY_DELAYS_MINUTES, appDirectHeaders, createDelivery } from './delivery.mjs';
import { uiAction } from './traffic.mjs';

const require = createRequire(import.meta.url);
const { sampleNotification, sampleTypes } = require('../../samples/index.js');

const USAGE = `Usage: npm run send -- --url <webhook URL> [--token <token>] [options] <event, UI action or file>...

  <event>       a sample notification by event name, e.g. subscription.added, user.removed,
                company.changed (samples exist for: ${sampleTypes().join(', ')})
  ui:<action>   the notifications one click in AppDirect sends: ui:createCompany, ui:purchase,
                ui:cancelSubscription
  <file>        a JSON file holding one notification, or an array of notifications
  --url         the AppDirect Trigger's Test or Production URL (or env APPDIRECT_WEBHOOK_URL);
                give it several times to spread the notifications over several URLs in turn
  --token       the webhook token (or env APPDIRECT_WEBHOOK_TOKEN); omit for authentication None
  --legacy      send the token in the legacy AppDirect-Webhook-Token header
  --token-url   OAuth2 instead of --token: the trigger's Access Token URI; a token is fetched from it
                and sent as Authorization: Bearer (with --client-id, --client-secret, --scope; add
                --username and --password for the Resource Owner Password type; or env
                APPDIRECT_CLIENT_SECRET and APPDIRECT_PASSWORD, kept out of the shell history)
  --client-auth how the client ID and secret go to the token URL: basic or form [basic]
  --fresh       give each sample a new notification uuid (default: the sample's fixed uuid)
  --retry       retry failures as AppDirect does: after ${RETRY_DELAYS_MINUTES.slice(0, 4).join(', ')} minutes…, ${RETRY_DELAYS_MINUTES.length + 1} attempts in all
  --time-scale  multiply the waits between retries, e.g. 0.001 turns 5 minutes into 300 ms [1]
  --timeout     seconds an attempt may take [${APPDIRECT_TIMEOUT_MS / 1000}, as AppDirect]
  --concurrency notifications in flight at once [1: one after the other]
  --log         append every attempt to this file, one JSON object per line
  --marketplace put this address in the notifications' URLs instead of https://marketplace.example.com
                (e.g. the AppDirect API stand-in that \`npm run demo\` prints)

Example:
  npm run send -- --url http://localhost:5678/webhook-test/<id>/appdirect --token s3cret subscription.added user.added
  npm run send -- --url <production URL> --token s3cret --retry --time-scale 0.01 ui:purchase`;

/** Posts one notification once; resolves to the HTTP status and the answer's text. */
export async function sendNotification(url, notification, { token, legacy = false, body } = {}) {
	const response = await fetch(url, {
		method: 'POST',
		headers: appDirectHeaders({ token, legacy }),
		body: body ?? JSON.stringify(notification),
		// AppDirect gives up after 30 seconds; so do we.
		signal: AbortSignal.timeout(APPDIRECT_TIMEOUT_MS),
	});
	return { status: response.status, text: await response.text() };
}

async function notificationsFor(argument, fresh) {
	if (argument.endsWith('.json')) {
		const parsed = JSON.parse(await readFile(argument, 'utf8'));
		return Array.isArray(parsed) ? parsed : [parsed];
	}
	if (argument.startsWith('ui:')) return uiAction(argument.slice(3));
	return [sampleNotification(argument, { fresh })];
}

function positiveNumber(name, text) {
	const value = Number(text);
	if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
	return value;
}

async function main() {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: {
			url: { type: 'string', multiple: true, default: process.env.APPDIRECT_WEBHOOK_URL ? [process.env.APPDIRECT_WEBHOOK_URL] : [] },
			token: { type: 'string', default: process.env.APPDIRECT_WEBHOOK_TOKEN },
			legacy: { type: 'boolean', default: false },
			'token-url': { type: 'string' },
			'client-id': { type: 'string' },
			'client-secret': { type: 'string', default: process.env.APPDIRECT_CLIENT_SECRET },
			username: { type: 'string' },
			password: { type: 'string', default: process.env.APPDIRECT_PASSWORD },
			scope: { type: 'string' },
			'client-auth': { type: 'string', default: 'basic' },
			fresh: { type: 'boolean', default: false },
			retry: { type: 'boolean', default: false },
			'time-scale': { type: 'string', default: '1' },
			timeout: { type: 'string', default: String(APPDIRECT_TIMEOUT_MS / 1000) },
			concurrency: { type: 'string', default: '1' },
			log: { type: 'string' },
			marketplace: { type: 'string' },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help || values.url.length === 0 || positionals.length === 0) {
		console.log(USAGE);
		process.exit(values.help ? 0 : 2);
	}
	const notifications = [];
	for (const argument of positionals) notifications.push(...(await notificationsFor(argument, values.fresh)));
	if (values.marketplace) {
		const origin = new URL(values.marketplace).origin;
		notifications.splice(0, notifications.length, ...notifications.map((n) => JSON.parse(JSON.stringify(n).split('https://marketplace.example.com').join(origin))));
	}
	if (values.log) writeFileSync(values.log, '', { flag: 'a' });
	const delivery = createDelivery({
		urls: values.url,
		token: values.token,
		legacy: values.legacy,
		oauth2: values['token-url'] && {
			tokenUrl: values['token-url'],
			clientId: values['client-id'],
			clientSecret: values['client-secret'],
			grant: values.username === undefined ? 'clientCredentials' : 'password',
			username: values.username,
			password: values.password,
			scope: values.scope,
			clientAuthentication: values['client-auth'],
		},
		timeoutMs: positiveNumber('timeout', values.timeout) * 1000,
		timeScale: positiveNumber('time-scale', values['time-scale']),
		concurrency: positiveNumber('concurrency', values.concurrency),
		...(values.retry ? {} : { retryDelaysMs: [] }),
		onAttempt: (attempt) => {
			if (values.log) appendFileSync(values.log, `${JSON.stringify(attempt)}\n`);
			if (attempt.outcome !== 'delivered' && values.retry) {
				console.log(`${attempt.event} attempt ${attempt.attempt} -> ${attempt.status ?? attempt.outcome}, retrying later`);
			}
		},
	});
	let failures = 0;
	const report = (record) => {
		const last = record.attempts.at(-1);
		let answer = last.status === null ? `failed: ${last.error ?? last.outcome}` : `${last.status} ${last.answer}`;
		if (last.outcome === 'token-failed') answer = `no access token (${last.error}): ${last.answer ?? ''}`;
		const tries = record.attempts.length > 1 ? ` (after ${record.attempts.length} attempts)` : '';
		console.log(`${record.event} -> ${answer}${tries}`);
		if (!record.delivered) failures++;
	};
	// One after the other unless --concurrency says otherwise, so that the order on screen is the order sent.
	await Promise.all(notifications.map((notification) => delivery.deliver(notification).then(report)));
	delivery.close();
	process.exit(failures === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}
