import { readFileSync } from 'fs';
import { join } from 'path';
import * as catalog from '../../nodes/AppDirect/shared/catalog';
import * as item from '../../nodes/AppDirect/shared/item';
import * as parse from '../../nodes/AppDirect/trigger/parse';
import { sampleNotification } from '../helpers/samples.cjs';

const docs = require('../../scripts/docs/run.js') as {
	ITEMS_PAGE: string;
	renderSections(modules: object): Record<string, string>;
	renderPage(text: string, sections: Record<string, string>): string;
};

describe('docs/items.md', () => {
	it('lists exactly the catalog’s events and item fields (run `npm run docs` after changing the catalog)', () => {
		const text = readFileSync(docs.ITEMS_PAGE, 'utf8');
		const sections = docs.renderSections({ catalog, parse, item, sampleNotification });
		for (const name of Object.keys(sections)) expect(text).toContain(`<!-- generated:${name} -->`);
		expect(docs.renderPage(text, sections)).toBe(text);
	});

	it('documents every event name', () => {
		const text = readFileSync(docs.ITEMS_PAGE, 'utf8');
		for (const event of catalog.EVENTS) expect(text).toContain(`\`${event.name}\``);
	});
});

describe('README', () => {
	const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
	const trigger = require('../../nodes/AppDirect/trigger/description') as typeof import('../../nodes/AppDirect/trigger/description');
	const answer = trigger.properties.find((property) => property.name === 'respond')!;

	it('says what the node panel says about answering AppDirect, word for word', () => {
		expect(readme).toContain(answer.hint);
		for (const option of answer.options as Array<{ name: string }>) expect(readme).toContain(`**${option.name}**`);
	});

	it('gives the setup steps of the node panel: the same menu path and URL endings', () => {
		const help = String(trigger.properties.find((property) => property.name === 'setupHelp')!.displayName);
		for (const fact of ['Manage > Marketplace > Settings > Integration > Webhooks', '/appdirect/token', 'ending in /appdirect)']) {
			expect(help).toContain(fact);
			expect(readme.replace(/`/g, '')).toContain(fact.replace(')', ''));
		}
	});
});
