#!/usr/bin/env node
// Writes the reference tables of docs/items.md from the node's catalog, so that the docs list
// exactly the events and item fields the node has. `npm run docs` rewrites them; a unit test fails
// when the page is out of date.
'use strict';
const fs = require('fs');
const path = require('path');

const ITEMS_PAGE = path.join(__dirname, '..', '..', 'docs', 'items.md');

function table(header, rows) {
	const line = (cells) => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const code = (text) => `\`${text}\``;

/** The generated sections, by marker name; `modules` are the node's catalog, parse and item modules. */
function renderSections({ catalog, parse, item, sampleNotification }) {
	const events = table(
		['Resource type (on the wire)', 'Events (values of the Events parameter)', 'Output names', 'Resource URL path'],
		catalog.RESOURCES.map((resource) => {
			const events = catalog.EVENTS.filter((event) => event.resource === resource);
			return [
				code(resource.type) + (resource.confirmedSpelling ? '' : ' *'),
				events.map((event) => code(event.name)).join(', '),
				events.map((event) => event.displayName).join(', '),
				resource.restPath ? code(resource.restPath) : '',
			];
		}),
	);
	const envelope = table(
		['Field', 'Type', 'Meaning'],
		[...catalog.ENVELOPE_FIELDS, { name: 'content', type: 'object or null', description: 'The resource exactly as AppDirect sent it, unknown fields included; null for removals' }].map(
			(field) => [code(field.name), field.type, field.description],
		),
	);
	const fields = catalog.RESOURCES.filter((resource) => resource.fields.length > 0)
		.map((resource) => {
			const rows = resource.fields.map((field) => [
				code(field.name),
				field.type,
				field.description,
				field.urlPattern ? 'resource URL' : field.paths.map((p) => code(`content.${p}`)).join(' or '),
			]);
			return `### ${catalog.titleOf(resource.type)} (${code(resource.type)})\n\n${table(['Field', 'Type', 'Meaning', 'Taken from'], rows)}`;
		})
		.join('\n\n');
	const parsed = parse.parseNotification(JSON.stringify(sampleNotification('subscription.added')));
	const example = `\`\`\`json\n${JSON.stringify(item.toItem(parsed.notification), null, 2)}\n\`\`\``;
	// The AppDirect node's items: these fields, then the same flat fields as above, then content.
	const fetched = table(
		['Field', 'Type', 'Meaning'],
		[...catalog.FETCHED_FIELDS, { name: 'content', type: 'object or null', description: 'The resource as AppDirect returned it; null when it does not exist' }].map(
			(field) => [code(field.name), field.type, field.description],
		),
	);
	return { events, envelope, fields, example, fetched };
}

/** The page's text with every `<!-- generated:NAME -->` … `<!-- /generated:NAME -->` block replaced. */
function renderPage(text, sections) {
	return text.replace(
		/(<!-- generated:(\w+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g,
		(match, open, name, close) => (name in sections ? `${open}\n${sections[name]}\n${close}` : match),
	);
}

function builtModules() {
	const dist = path.join(__dirname, '..', '..', 'dist', 'nodes', 'AppDirect');
	if (!fs.existsSync(dist)) throw new Error('Run `npm run build` first.');
	return {
		catalog: require(path.join(dist, 'shared', 'catalog.js')),
		parse: require(path.join(dist, 'trigger', 'parse.js')),
		item: require(path.join(dist, 'shared', 'item.js')),
		sampleNotification: require('../../samples/index.js').sampleNotification,
	};
}

if (require.main === module) {
	const before = fs.readFileSync(ITEMS_PAGE, 'utf8');
	const after = renderPage(before, renderSections(builtModules()));
	fs.writeFileSync(ITEMS_PAGE, after);
	console.log(before === after ? 'docs/items.md is up to date' : 'docs/items.md updated');
}

module.exports = { renderSections, renderPage, ITEMS_PAGE };
