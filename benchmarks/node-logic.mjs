#!/usr/bin/env node
// Cost of what the AppDirect Trigger does per notification (token check, parse, validate,
// build the item, route) next to a baseline that only JSON.parses the same body, in one run.
// Usage: npm run build && node benchmarks/node-logic.mjs
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = '../dist/nodes/AppDirect';
const { parseNotification } = require(`${dist}/trigger/parse.js`);
const { toItem } = require(`${dist}/shared/item.js`);
const { outputLayout, outputIndex } = require(`${dist}/trigger/outputs.js`);
const { checkToken } = require(`${dist}/trigger/verify.js`);
const { titleOf } = require(`${dist}/shared/catalog.js`);
const { sampleNotification, largeSubscription } = require('../samples/index.js');

const TOKEN = 'benchmark-token-0123456789abcdef';
const headers = { 'content-type': 'application/json', 'x-appdirect-webhook-token': TOKEN };
const settings = { events: ['subscription.added', 'subscription.removed', 'user.added', 'company.changed'], splitBy: 'event', unmatched: 'otherOutput' };

function node(body) {
	if (checkToken(headers, TOKEN) !== 'valid') throw new Error('token');
	const parsed = parseNotification(body);
	if (!parsed.ok) throw new Error(parsed.problem);
	const slots = outputLayout(settings, titleOf);
	return [outputIndex(slots, settings, parsed.notification.event), toItem(parsed.notification)];
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

const cases = [
	['user.added (1 KB)', JSON.stringify(sampleNotification('user.added')), 20000],
	['subscription.added (2 KB)', JSON.stringify(sampleNotification('subscription.added')), 20000],
	['subscription, 5,000 order lines (~1 MB)', JSON.stringify(largeSubscription(5000)), 40],
];

console.log(`node ${process.version}; µs per notification, median of 5 rounds\n`);
console.log('| body | baseline JSON.parse | AppDirect Trigger logic | overhead |');
console.log('| --- | --- | --- | --- |');
for (const [label, body, iterations] of cases) {
	const rounds = { base: [], node: [] };
	for (let round = 0; round < 5; round++) {
		rounds.base.push(measure(baseline, body, iterations).perCallUs);
		rounds.node.push(measure(node, body, iterations).perCallUs);
	}
	const median = (values) => values.sort((a, b) => a - b)[2];
	const [b, n] = [median(rounds.base), median(rounds.node)];
	console.log(`| ${label} | ${b.toFixed(1)} | ${n.toFixed(1)} | ${(n / b).toFixed(2)}× |`);
}
