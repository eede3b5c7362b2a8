// The supported n8n versions are declared in three places that must agree: scripts/n8n/versions.json
// (what the tests install), the committed lockfiles (what gets installed) and the compatibility
// table in docs/compatibility.md (what users are told). Checked here in milliseconds, rather than after a
// 4-minute install in CI.
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(root, ...parts), 'utf8'));
const versions = readJson('scripts', 'n8n', 'versions.json') as { n8n: string; compat: string[]; bcryptjs: string };
const everyVersion = [versions.n8n, ...versions.compat];

describe('supported n8n versions', () => {
	it.each(everyVersion)('n8n %s has a committed lockfile that installs exactly that n8n', (version) => {
		const dir = ['scripts', 'n8n', 'lockfiles', `n8n-${version}`];
		expect(existsSync(join(root, ...dir, 'package-lock.json'))).toBe(true);
		const manifest = readJson(...dir, 'package.json');
		const lock = readJson(...dir, 'package-lock.json');
		expect(manifest.dependencies).toEqual({ n8n: version, bcryptjs: versions.bcryptjs });
		// npm ci refuses a lockfile whose root does not match package.json.
		expect(lock.packages[''].dependencies).toEqual(manifest.dependencies);
		expect(lock.packages['node_modules/n8n'].version).toBe(version);
	});

	it('the compatibility table names the pinned and every compat version, and the README the range', () => {
		const page = readFileSync(join(root, 'docs', 'compatibility.md'), 'utf8');
		const table = page.slice(page.indexOf('| n8n | Tested on'), page.indexOf('\n\n', page.indexOf('| n8n | Tested on')));
		for (const version of everyVersion) expect(table).toContain(version);
		const readme = readFileSync(join(root, 'README.md'), 'utf8');
		expect(readme).toContain(`n8n ${versions.compat[0].split('.').slice(0, 2).join('.')} or any 2.x`);
	});

	it('the package declares node API level 1, the level n8n 1.x and 2.x load', () => {
		// n8n 2.x refuses a package whose n8n.n8nNodesApiVersion is above its N8N_NODES_API_VERSION (1).
		expect(readJson('package.json').n8n.n8nNodesApiVersion).toBe(1);
	});
});
