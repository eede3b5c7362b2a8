#!/usr/bin/env node
// Cost of what the AppDirect Trigger does per notification (token check, parse, validate,
// build the item, route) next to a baseline that only JSON.parses the same body, in one run;
// for version 1 (token compared with the credential's) and version 2 (token remembered).
// Usage: npm run build && node benchmarks/node-logic.mjs
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = '../dist/nodes/AppDirect';
const { parseNotification } = require(`${dist}/trigger/parse.js`);
const { toItem } = require(`${dist}/shared/item.js`);
const { outputLayout, outputIndex } = require(`${dist}/trigger/outputs.js`);
const { checkToken, receivedToken } = require(`${dist}/trigger/verify.js`);
const { TokenCache } = require(`${dist}/trigger/token-cache.js`);
const { titleOf } = require(`${dist}/shared/catalog.js`);
const { sampleNotification, largeSubscription } = require('../samples/index.js');

const TOKEN = 'benchmark-token-0123456789abcdef';
const headers = { 'content-type': 'application/json', 'x-appdirect-webhook-token': TOKEN };
const settings = { events: ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'], splitBy: 'event', unmatched: 'otherOutput' };

function route(body) {
	const parsed = parseNotification(body);
	if (!parsed.ok) throw new Error(parsed.problem);
	const slots = outputLayout(settings, titleOf);
	return [outputIndex(slots, settings, parsed.notification.event), toItem(parsed.notification)];
}

/** Version 1: the token compared with the credential's, read for every request (the read is n8n's cost). */
function node(body) {
	if (checkToken(headers, TOKEN) !== 'valid') throw new Error('token');
	return route(body);
}

/** Version 2: the token checked against the remembered keyed hash (a cache hit, the usual case). */
const tokenCache = new TokenCache();
const readToken = async () => TOKEN;
async function nodeV2(body) {
	if ((await tokenCache.check('workflow/credential', receivedToken(headers), readToken)) !== 'valid') throw new Error('token');
	return route(body);
}

function baseline(body) {
	return JSON.parse(body);
}

function measure(fn, body, iterations) {
	for (let i = 0; i < Math.min(iterations, 200); i++) fn(body); // warm-up
	globalThis.gc?.();
	const heapBefore = process.memoryUsage().heapUsed;
	const start = process.hrtime.bigint();
	for (let i = 0; i < iterations; i++) fn(body);
	const ns = Number(process.hrtime.bigint() - start);
	const heapAfter = process.memoryUsage().heapUsed;
	return { perCallUs: ns / iterations / 1000, heapDeltaMiB: (heapAfter - heapBefore) / 2 ** 20 };
}

async function measureAsync(fn, body, iterations) {
	for (let i = 0; i < Math.min(iterations, 200); i++) await fn(body); // warm-up
	globalThis.gc?.();
	const start = process.hrtime.bigint();
	for (let i = 0; i < iterations; i++) await fn(body);
	return { perCallUs: Number(process.hrtime.bigint() - start) / iterations / 1000 };
}

const cases = [
	['user.added (1 KB)', JSON.stringify(sampleNotification('user.added')), 20000],
	['subscription.added (2 KB)', JSON.stringify(sampleNotification('subscription.added')), 20000],
	['subscription, 5,000 order lines (~1 MB)', JSON.stringify(largeSubscription(5000)), 40],
];

console.log(`node ${process.version}; µs per notification, median of 5 rounds\n`);
console.log('| body | baseline JSON.parse | AppDirect Trigger logic, version 1 | version 2 (remembered token) | overhead v1 / v2 |');
console.log('| --- | --- | --- | --- | --- |');
for (const [label, body, iterations] of cases) {
	const rounds = { base: [], node: [], v2: [] };
	for (let round = 0; round < 5; round++) {
		rounds.base.push(measure(baseline, body, iterations).perCallUs);
		rounds.node.push(measure(node, body, iterations).perCallUs);
		rounds.v2.push((await measureAsync(nodeV2, body, iterations)).perCallUs);
	}
	const median = (values) => values.sort((a, b) => a - b)[2];
	const [b, n, v2] = [median(rounds.base), median(rounds.node), median(rounds.v2)];
	console.log(`| ${label} | ${b.toFixed(1)} | ${n.toFixed(1)} | ${v2.toFixed(1)} | ${(n / b).toFixed(2)}× / ${(v2 / b).toFixed(2)}× |`);
}
