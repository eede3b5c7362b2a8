#!/usr/bin/env node
// Where n8n's CPU went, from V8 CPU profiles (node --cpu-prof): time by package and the
// functions that hold the most time, self and inclusive.
// Usage: node benchmarks/profile.mjs <folder with .cpuprofile files> [--requests N]
// (benchmarks/throughput.mjs --profile calls it for each n8n it starts.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** What a frame belongs to: an npm package, Node itself, or V8's own buckets. */
function packageOf(frame) {
	const { url, functionName } = frame;
	if (!url) return functionName.startsWith('(') ? functionName : '(native)';
	if (url.startsWith('node:')) return 'node internals';
	const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.split('node_modules/').length > 1 ? url.slice(url.lastIndexOf('node_modules/')) : url);
	return match ? match[1] : path.basename(url);
}

const frameKey = (frame) => `${frame.functionName || '(anonymous)'} ${packageOf(frame)}:${path.basename(frame.url || '')}:${frame.lineNumber + 1}`;

export function analyzeProfile(profile) {
	const byId = new Map(profile.nodes.map((node) => [node.id, { ...node, self: 0 }]));
	// timeDeltas[i] is the time before sample i: charge it to that sample's node.
	for (let i = 0; i < profile.samples.length; i++) byId.get(profile.samples[i]).self += (profile.timeDeltas[i] ?? 0) / 1000;
	const parent = new Map();
	for (const node of byId.values()) for (const child of node.children ?? []) parent.set(child, node.id);
	const total = [...byId.values()].reduce((sum, node) => sum + node.self, 0);
	const idle = [...byId.values()].filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + node.self, 0);
	const byPackage = new Map();
	const selfByFunction = new Map();
	const inclusive = new Map();
	for (const node of byId.values()) {
		if (node.self === 0) continue;
		const pkg = packageOf(node.callFrame);
		byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.self);
		const key = frameKey(node.callFrame);
		selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + node.self);
		// Every distinct function on the stack gets this time once (recursion counted once).
		const seen = new Set();
		for (let id = node.id; id !== undefined; id = parent.get(id)) {
			const k = frameKey(byId.get(id).callFrame);
			if (seen.has(k)) continue;
			seen.add(k);
			inclusive.set(k, (inclusive.get(k) ?? 0) + node.self);
		}
	}
	const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
	return { total, busy: total - idle, byPackage: sorted(byPackage), self: sorted(selfByFunction), inclusive: sorted(inclusive) };
}

/** Markdown for every profile in `dir`, the busiest (n8n's main thread) in detail. */
export function summarizeProfiles(dir, { requests, top = 12, inclusiveMatch = /isolat|bridge|acquire|getDecrypted|applyDefaults|executeWebhook|runNode|webhook|processRunExecutionData|saveExecution|Switch|getNodeParameter|evaluate|credentials-permission-checker|token-cache|AppDirectTrigger/i } = {}) {
	const files = fs.readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
	if (files.length === 0) return `(no .cpuprofile in ${dir})`;
	const analyzed = files.map((file) => ({ file, ...analyzeProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) })).sort((a, b) => b.busy - a.busy);
	const main = analyzed[0];
	const per = (ms) => (requests ? ` | ${(ms / requests).toFixed(2)}` : '');
	const perHead = requests ? ' | ms per request' : '';
	const perRule = requests ? ' | ---' : '';
	const rows = (list) => list.slice(0, top).map(([key, ms]) => `| ${key.replace(/\|/g, '\\|')} | ${ms.toFixed(0)}${per(ms)} |`);
	return [
		`Profiles (busy time, one per thread): ${analyzed.map((p) => `${p.file} ${(p.busy / 1000).toFixed(1)} s`).join(', ')}. Below: the busiest, ${main.file}${requests ? `, over ${requests} measured requests plus warm-up and start` : ''}.`,
		'',
		`| package | self ms${perHead} |`,
		`| --- | ---${perRule} |`,
		...rows(main.byPackage.filter(([pkg]) => pkg !== '(idle)')),
		'',
		`| function (self time) | ms${perHead} |`,
		`| --- | ---${perRule} |`,
		...rows(main.self.filter(([key]) => !key.startsWith('(idle)'))),
		'',
		`| function (inclusive time, selected) | ms${perHead} |`,
		`| --- | ---${perRule} |`,
		...rows(main.inclusive.filter(([key]) => inclusiveMatch.test(key))),
	].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string' }, top: { type: 'string', default: '12' } } });
	if (positionals.length !== 1) {
		console.error('usage: node benchmarks/profile.mjs <folder with .cpuprofile files> [--requests N] [--top N]');
		process.exit(2);
	}
	console.log(summarizeProfiles(positionals[0], { requests: values.requests ? Number(values.requests) : undefined, top: Number(values.top) }));
}
