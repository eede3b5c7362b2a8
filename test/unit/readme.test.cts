import { readFileSync } from 'fs';
import * as catalog from '../../nodes/AppDirect/shared/catalog';
import * as item from '../../nodes/AppDirect/shared/item';
import * as parse from '../../nodes/AppDirect/trigger/parse';
import { sampleNotification } from '../helpers/samples.cjs';

const docs = require('../../scripts/docs/run.js') as {
	README: string;
	renderSections(modules: object): Record<string, string>;
	renderReadme(text: string, sections: Record<string, string>): string;
};

describe('README', () => {
	it('lists exactly the catalog’s events and item fields (run `npm run docs` after changing the catalog)', () => {
		const text = readFileSync(docs.README, 'utf8');
		const sections = docs.renderSections({ catalog, parse, item, sampleNotification });
		for (const name of Object.keys(sections)) expect(text).toContain(`<!-- generated:${name} -->`);
		expect(docs.renderReadme(text, sections)).toBe(text);
	});

	it('documents every event name', () => {
		const text = readFileSync(docs.README, 'utf8');
		for (const event of catalog.EVENTS) expect(text).toContain(`\`${event.name}\``);
	});
});
