// The documents a reader follows keep their promises: every relative link and #anchor leads
// somewhere, every command they show exists in this clone, and none of them names a machine path
// or a word only the people who wrote them could follow.
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const root = join(__dirname, '..', '..');
const DOCUMENTS = [
	'README.md',
	'CONTRIBUTING.md',
	'CHANGELOG.md',
	'examples/README.md',
	'benchmarks/README.md',
	...readdirSync(join(root, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`),
];

const scripts = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as object);

/**
 * What no document may say, because no reader of a clone can follow it: the machine the docs were
 * written on, the tracker behind them, tools and notes that are not in the repository.
 */
const FORBIDDEN: Array<[RegExp, string]> = [
	[/\/work\//, 'names a path on the machine the docs were written on'],
	[/\bissues? #?\d+/i, 'names an issue number'],
	[/heavy measure/i, 'names a benchmark wrapper that is not in the repository (use scripts/quiet/run.mjs)'],
	[/\b(project|team)(['’]s)? notes\b|\bshared\/n8n-/i, 'cites notes outside the repository'],
];

interface Line {
	number: number;
	text: string;
	/** The line as a reader sees prose: blank inside fenced code, without inline code spans. */
	prose: string;
}

function linesOf(text: string): Line[] {
	let fence: string | undefined;
	return text.split('\n').map((text, index) => {
		const marker = /^\s*(```|~~~)/.exec(text)?.[1];
		const inCode = fence !== undefined || marker !== undefined;
		if (marker && fence === undefined) fence = marker;
		else if (marker && marker === fence) fence = undefined;
		return { number: index + 1, text, prose: inCode ? '' : text.replace(/`[^`]*`/g, '') };
	});
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'. */
function slug(heading: string): string {
	return heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/[`*]/g, '')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
		.replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	for (const line of linesOf(readFileSync(file, 'utf8'))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line.prose === '' ? '' : line.text)?.[1];
		if (heading !== undefined) {
			const base = slug(heading);
			const count = seen.get(base) ?? 0;
			seen.set(base, count + 1);
			anchors.add(count === 0 ? base : `${base}-${count}`);
		}
		for (const match of line.text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1]);
	}
	return anchors;
}

function linkTargets(line: Line): string[] {
	const targets = [...line.prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]);
	const reference = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(line.prose)?.[1];
	const html = [...line.prose.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((match) => match[1]);
	return [...targets, ...(reference ? [reference] : []), ...html];
}

function problemsOf(document: string): string[] {
	const file = join(root, document);
	const problems: string[] = [];
	const say = (line: Line, problem: string) => problems.push(`${document}:${line.number}: ${problem}`);
	for (const line of linesOf(readFileSync(file, 'utf8'))) {
		for (const target of linkTargets(line)) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
			const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
			const linked = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
			if (!existsSync(linked)) {
				say(line, `link to a missing file: ${target}`);
				continue;
			}
			if (relative(root, linked).startsWith('..')) say(line, `link outside the repository: ${target}`);
			if (anchor !== undefined && linked.endsWith('.md') && statSync(linked).isFile() && !anchorsOf(linked).has(anchor)) {
				say(line, `no heading for the anchor: ${target}`);
			}
		}
		for (const match of line.text.matchAll(/\bnpm run ([\w:-]+)/g)) {
			if (!scripts.includes(match[1])) say(line, `no such npm script: npm run ${match[1]}`);
		}
		for (const match of line.text.matchAll(/\bexamples\/([\w.-]+\.json)/g)) {
			if (!existsSync(join(root, 'examples', match[1]))) say(line, `no such example workflow: examples/${match[1]}`);
		}
		for (const match of line.text.matchAll(/\bnode (?:--[\w=-]+ )*((?:scripts|benchmarks)\/[\w./-]*\w)/g)) {
			if (!existsSync(join(root, match[1]))) say(line, `no such file: node ${match[1]}`);
		}
		for (const [pattern, problem] of FORBIDDEN) if (pattern.test(line.text)) say(line, problem);
	}
	return problems;
}

describe('documents', () => {
	it('computes GitHub’s anchors', () => {
		expect(slug("The node's settings")).toBe('the-nodes-settings');
		expect(slug('Notes on n8n’s queue mode (checked against n8n 2.41.1)')).toBe('notes-on-n8ns-queue-mode-checked-against-n8n-2411');
		expect(slug('Memory: 20000 notifications of `(c)` — tuned')).toBe('memory-20000-notifications-of-c--tuned');
		expect(slug('[The AppDirect node](x.md): read the current state')).toBe('the-appdirect-node-read-the-current-state');
	});

	it('finds the problems it looks for', () => {
		const line = (text: string): Line => ({ number: 1, text, prose: text });
		expect(linkTargets(line('see [a](docs/x.md#y "t") and ![b](c.png) and <img src="e.png">'))).toEqual([
			'docs/x.md#y',
			'c.png',
			'e.png',
		]);
		expect(linesOf('```\n[a](b)\n```\n`[c](d)` [e](f)').map(linkTargets)).toEqual([[], [], [], ['f']]);
	});

	it.each(DOCUMENTS)('%s: links, anchors, commands and files resolve; no machine paths or internal words', (document) => {
		expect(existsSync(join(root, document))).toBe(true);
		expect(problemsOf(document)).toEqual([]);
	});
});
