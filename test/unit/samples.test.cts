// The sample notifications say where they come from: samples/README.md has a row for each file,
// and each sample has the envelope AppDirect documents.
import { readFileSync } from 'fs';
import { join } from 'path';
import { sampleNotification, sampleTypes } from '../helpers/samples.cjs';

const readme = readFileSync(join(__dirname, '..', '..', 'samples', 'README.md'), 'utf8');
const rows = readme.split('\n').filter((line) => line.startsWith('| `'));

describe('sample notifications', () => {
	it.each(sampleTypes())('%s has a row in samples/README.md that names its source', (type) => {
		const row = rows.find((line) => line.split('|')[1].includes(`\`${type}.json\``));
		expect(row).toBeDefined();
		expect(row).toMatch(/written for this project (after|without a source)/);
	});

	it('has no README row for a sample that does not exist', () => {
		const named = rows.flatMap((line) => [...line.split('|')[1].matchAll(/`([a-z_]+)\.json`/g)].map((match) => match[1]));
		expect(named.sort()).toEqual(sampleTypes());
	});

	it.each(sampleTypes())('%s has the documented envelope (epoch-millisecond timestamp, resource on the marketplace)', (type) => {
		const notification = sampleNotification(`${type}.added`);
		expect(Object.keys(notification).sort()).toEqual(['resource', 'resourceAction', 'timestamp', 'uuid']);
		expect(notification.timestamp).toBeGreaterThan(1e12);
		expect(notification.resource.type).toBe(type.toUpperCase());
		expect(notification.resource.url).toMatch(/^https:\/\/marketplace\.example\.com\/api\//);
		expect(typeof notification.resource.content).toBe('object');
	});
});
