// What npm and n8n read from the package's own files, before anything is built or published.
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json'));

describe('package.json', () => {
	it('describes both nodes', () => {
		expect(pkg.description).toMatch(/trigger that receives AppDirect webhook notifications/);
		expect(pkg.description).toMatch(/node that reads .* through the AppDirect API/);
	});

	it('points nowhere into dist/ but at what n8n loads (no "types": workflows never import the package)', () => {
		expect(pkg.types).toBeUndefined();
		expect(pkg.typings).toBeUndefined();
		expect(pkg.main).toBe('index.js');
		expect(existsSync(join(root, pkg.main))).toBe(true);
	});
});

describe('tsconfig.json', () => {
	it('includes only what exists', () => {
		const { include } = JSON.parse(read('tsconfig.json')) as { include: string[] };
		for (const entry of include) expect(existsSync(join(root, entry.split('/*')[0]))).toBe(true);
	});
});

describe('docs/releasing.md', () => {
	it('lists the placeholders that block the first release, with their values today', () => {
		const releasing = read('docs/releasing.md');
		const blockers = releasing.slice(releasing.indexOf('## Before the first release'));
		expect(blockers.length).toBeLessThan(releasing.length);
		const section = blockers.slice(0, blockers.indexOf('\n## ', 1) === -1 ? undefined : blockers.indexOf('\n## ', 1));
		for (const value of [pkg.repository.url, pkg.homepage, pkg.author.name, pkg.author.email]) expect(section).toContain(value);
	});
});
