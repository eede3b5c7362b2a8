#!/usr/bin/env node
// Posts AppDirect webhook notifications to a URL the way AppDirect does: one JSON POST each,
// with the token header. For trying a workflow before AppDirect is set up, and for the demo.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { sampleNotification, sampleTypes } = require('../samples/index.js');

const USAGE = `Usage: npm run send -- --url <webhook URL> [--token <token>] <event or file>...

  <event>   a sample notification by event name, e.g. subscription.added, user.removed,
            company.changed (samples exist for: ${sampleTypes().join(', ')})
  <file>    a JSON file holding one notification, or an array of notifications
  --url     the AppDirect Trigger's Test or Production URL (or env APPDIRECT_WEBHOOK_URL)
  --token   the webhook token (or env APPDIRECT_WEBHOOK_TOKEN); omit for authentication None
  --legacy  send the token in the legacy AppDirect-Webhook-Token header
  --fresh   give each sample a new notification uuid (default: the sample's fixed uuid)

Example:
  npm run send -- --url http://localhost:5678/webhook-test/<id>/appdirect --token s3cret subscription.added user.added`;

/** Posts one notification; resolves to the HTTP status and the answer's text. */
export async function sendNotification(url, notification, { token, legacy = false, body } = {}) {
	const headers = { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'AppDirect-Webhook-Sender/1.0' };
	if (token) headers[legacy ? 'AppDirect-Webhook-Token' : 'x-appdirect-webhook-token'] = token;
	const response = await fetch(url, {
		method: 'POST',
		headers,
		body: body ?? JSON.stringify(notification),
		// AppDirect gives up after 30 seconds; so do we.
		signal: AbortSignal.timeout(30_000),
	});
	return { status: response.status, text: await response.text() };
}

async function notificationsFor(argument, fresh) {
	if (argument.endsWith('.json')) {
		const parsed = JSON.parse(await readFile(argument, 'utf8'));
		return Array.isArray(parsed) ? parsed : [parsed];
	}
	return [sampleNotification(argument, { fresh })];
}

async function main() {
	const { values, positionals } = parseArgs({
		allowPositionals: true,
		options: {
			url: { type: 'string', default: process.env.APPDIRECT_WEBHOOK_URL },
			token: { type: 'string', default: process.env.APPDIRECT_WEBHOOK_TOKEN },
			legacy: { type: 'boolean', default: false },
			fresh: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help || !values.url || positionals.length === 0) {
		console.log(USAGE);
		process.exit(values.help ? 0 : 2);
	}
	let failures = 0;
	for (const argument of positionals) {
		for (const notification of await notificationsFor(argument, values.fresh)) {
			const label = `${String(notification?.resource?.type ?? '?').toLowerCase()}.${String(notification?.resourceAction ?? '?').toLowerCase()}`;
			try {
				const { status, text } = await sendNotification(values.url, notification, values);
				if (status < 200 || status > 299) failures++;
				console.log(`${label} -> ${status} ${text}`);
			} catch (error) {
				failures++;
				console.log(`${label} -> failed: ${error.message}`);
			}
		}
	}
	process.exit(failures === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}
