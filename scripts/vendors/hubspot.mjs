// A STAND-IN for HubSpot's API, not HubSpot: it answers the calls n8n's HubSpot node (version 2.x,
// private-app token) makes for companies, contacts and deals, and the CRM v3 objects, search and
// properties calls, as HubSpot documents them. See README.md beside this file for the list.
//
//   const hubspot = await startHubSpotStandIn({ token: 'pat-test', properties: { companies: [{ name: 'appdirect_id', hasUniqueValue: true }] } });
//   hubspot.url        // http://127.0.0.1:<port>; the proxy sends api.hubapi.com here
//   hubspot.calls      // every call: method, path, query, body, status
//   hubspot.records('companies')   // the stored records, v3 shape
//   await hubspot.stop();
import { randomUUID } from 'node:crypto';
import http from 'node:http';

import { listenOnLoopback } from './loopback.mjs';

export const PORTAL_ID = 62515;

/** Object types and the properties HubSpot has by default (the ones the node can write). */
const DEFAULT_PROPERTIES = {
	companies: [
		'name', 'domain', 'description', 'phone', 'city', 'state', 'zip', 'country', 'address', 'address2',
		'industry', 'website', 'numberofemployees', 'annualrevenue', 'type', 'lifecyclestage', 'timezone',
		'about_us', 'founded_year', 'web_technologies', 'hubspot_owner_id', 'linkedin_company_page',
		'facebook_company_page', 'twitterhandle', 'is_public', 'total_money_raised', 'closedate',
		'createdate', 'hs_lastmodifieddate', 'hs_object_id',
	],
	contacts: [
		'email', 'firstname', 'lastname', 'company', 'phone', 'mobilephone', 'city', 'state', 'zip', 'country',
		'address', 'jobtitle', 'website', 'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id', 'message',
		'annualrevenue', 'industry', 'numemployees', 'salutation', 'fax', 'associatedcompanyid',
		'createdate', 'lastmodifieddate', 'hs_object_id',
	],
	deals: [
		'dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'dealtype', 'description',
		'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate', 'hs_object_id',
	],
};

/** What a v3 read or search returns when no properties are asked for (HubSpot's documented defaults). */
const V3_DEFAULT_READ = {
	companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
	contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
	deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
};

const SINGULAR = { companies: 'company', contacts: 'contact', deals: 'deal' };
const MODIFIED = { companies: 'hs_lastmodifieddate', contacts: 'lastmodifieddate', deals: 'hs_lastmodifieddate' };
const FIRST_ID = { companies: 10001, contacts: 501, deals: 9001 };

/** HubSpot's association definition ids (v1 "HUBSPOT_DEFINED" category) for the pairs we keep. */
export const ASSOCIATION_DEFINITIONS = {
	1: ['contacts', 'companies'],
	2: ['companies', 'contacts'],
	3: ['deals', 'contacts'],
	4: ['contacts', 'deals'],
	5: ['deals', 'companies'],
	6: ['companies', 'deals'],
};

const SEARCH_OPERATORS = new Set(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN', 'IN', 'NOT_IN']);

class HubSpotError extends Error {
	constructor(status, body) {
		super(body.message);
		this.status = status;
		this.body = body;
	}
}

/** HubSpot's error envelope: status, message, correlationId, category (and details where given). */
function failure(status, category, message, extra = {}) {
	return new HubSpotError(status, { status: 'error', message, correlationId: randomUUID(), category, ...extra });
}

const notFound = (type, id) => failure(404, 'OBJECT_NOT_FOUND', `resource not found`, { context: { id: [String(id)], type: [SINGULAR[type]] } });

/** Property values are strings in HubSpot; numbers and booleans arrive as their text. */
function asText(value) {
	if (value === null || value === undefined) return '';
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export async function startHubSpotStandIn({ token, properties = {}, port = 0 } = {}) {
	if (!token) throw new Error('startHubSpotStandIn needs the private-app token it accepts');
	const calls = [];
	const store = { companies: new Map(), contacts: new Map(), deals: new Map() };
	const nextId = { ...FIRST_ID };
	const associations = [];
	/** Property definitions by object type: name → { name, type, hasUniqueValue, … }. */
	const definitions = {};
	for (const type of Object.keys(store)) {
		definitions[type] = new Map(DEFAULT_PROPERTIES[type].map((name) => [name, { name, type: 'string', hasUniqueValue: false, hubspotDefined: true }]));
		for (const custom of properties[type] ?? []) defineProperty(type, custom);
	}

	function defineProperty(type, { name, label, type: dataType = 'string', fieldType = 'text', groupName = `${SINGULAR[type]}information`, hasUniqueValue = false }) {
		if (!/^[a-z][a-z0-9_]*$/.test(String(name ?? ''))) throw failure(400, 'VALIDATION_ERROR', `Property name "${name}" is not valid: lower-case letters, digits and underscores, starting with a letter`);
		if (definitions[type].has(name)) throw failure(409, 'OBJECT_ALREADY_EXISTS', `Object already exists: a property named ${name} exists for ${type}`);
		const definition = { name, label: label ?? name, type: dataType, fieldType, groupName, hasUniqueValue: Boolean(hasUniqueValue), hubspotDefined: false };
		definitions[type].set(name, definition);
		return definition;
	}

	const objectType = (raw) => {
		const type = String(raw).toLowerCase();
		if (!store[type]) throw failure(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${raw}`);
		return type;
	};

	/** Refuses unknown properties and values another record holds for a unique property. */
	function checkValues(type, values, ownId) {
		const invalid = Object.keys(values).filter((name) => !definitions[type].has(name));
		if (invalid.length) {
			const results = invalid.map((name) => ({ isValid: false, message: `Property "${name}" does not exist`, error: 'PROPERTY_DOESNT_EXIST', name }));
			throw failure(400, 'VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(results)}`, { validationResults: results });
		}
		for (const [name, value] of Object.entries(values)) {
			if (!definitions[type].get(name).hasUniqueValue || value === '') continue;
			for (const record of store[type].values()) {
				if (record.id === ownId || record.properties[name]?.value !== value) continue;
				throw failure(409, 'CONFLICT', `A ${SINGULAR[type]} with ${name} "${value}" already exists. Existing ID: ${record.id}`, {
					errors: [{ message: `${name} must be unique: ${SINGULAR[type]} ${record.id} already has the value "${value}"`, in: name }],
				});
			}
		}
	}

	function create(type, values) {
		const clean = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, asText(value)]));
		checkValues(type, clean);
		const id = String(nextId[type]++);
		const now = Date.now();
		const record = { id, createdAt: now, updatedAt: now, properties: {} };
		write(record, { ...clean, createdate: String(now), hs_object_id: id, [MODIFIED[type]]: String(now) }, now);
		store[type].set(id, record);
		return record;
	}

	function update(type, id, values) {
		const record = find(type, id);
		const clean = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, asText(value)]));
		checkValues(type, clean, record.id);
		const now = Math.max(Date.now(), record.updatedAt + 1);
		write(record, { ...clean, [MODIFIED[type]]: String(now) }, now);
		record.updatedAt = now;
		return record;
	}

	function write(record, values, timestamp) {
		for (const [name, value] of Object.entries(values)) {
			const versions = [{ name, value, timestamp, source: 'API', sourceVid: [] }, ...(record.properties[name]?.versions ?? [])];
			record.properties[name] = { value, timestamp, source: 'API', sourceId: null, versions };
		}
	}

	function find(type, id, idProperty) {
		let record;
		if (idProperty && idProperty !== 'hs_object_id') {
			const definition = definitions[type].get(idProperty);
			if (!definition?.hasUniqueValue) throw failure(400, 'VALIDATION_ERROR', `${idProperty} is not a unique identifier property of ${type}`);
			record = [...store[type].values()].find((entry) => entry.properties[idProperty]?.value === String(id));
		} else {
			record = store[type].get(String(id));
		}
		if (!record) throw notFound(type, id);
		return record;
	}

	function associate(fromType, fromId, toType, toId) {
		find(fromType, fromId);
		find(toType, toId);
		for (const [a, aId, b, bId] of [[fromType, fromId, toType, toId], [toType, toId, fromType, fromId]]) {
			if (!associations.some((x) => x.fromType === a && x.fromId === String(aId) && x.toType === b && x.toId === String(bId))) {
				associations.push({ fromType: a, fromId: String(aId), toType: b, toId: String(bId) });
			}
		}
	}

	const associated = (fromType, fromId, toType) =>
		associations.filter((x) => x.fromType === fromType && x.fromId === String(fromId) && x.toType === toType).map((x) => x.toId);

	// --- shapes of the legacy (v1/v2) answers the node reads ---
	const v2Company = (record) => ({
		portalId: PORTAL_ID,
		companyId: Number(record.id),
		isDeleted: false,
		properties: record.properties,
		additionalDomains: [],
		stateChanges: [],
		mergeAudits: [],
	});

	const v1Deal = (record) => ({
		portalId: PORTAL_ID,
		dealId: Number(record.id),
		isDeleted: false,
		associations: {
			associatedVids: associated('deals', record.id, 'contacts').map(Number),
			associatedCompanyIds: associated('deals', record.id, 'companies').map(Number),
			associatedDealIds: [],
			associatedTicketIds: [],
		},
		properties: record.properties,
		imports: [],
		stateChanges: [],
	});

	const v1Contact = (record) => {
		const [companyId] = associated('contacts', record.id, 'companies');
		return {
			vid: Number(record.id),
			'canonical-vid': Number(record.id),
			'merged-vids': [],
			'portal-id': PORTAL_ID,
			'is-contact': true,
			properties: Object.fromEntries(Object.entries(record.properties).map(([name, p]) => [name, { value: p.value, versions: p.versions }])),
			'form-submissions': [],
			'list-memberships': [],
			'identity-profiles': [
				{ vid: Number(record.id), identities: [{ type: 'EMAIL', value: record.properties.email?.value, timestamp: record.createdAt, 'is-primary': true }] },
			],
			'merge-audits': [],
			...(companyId && { 'associated-company': { 'company-id': Number(companyId), 'portal-id': PORTAL_ID, properties: store.companies.get(companyId)?.properties ?? {} } }),
		};
	};

	const v3Object = (type, record, wanted) => {
		const names = wanted?.length ? wanted : V3_DEFAULT_READ[type];
		return {
			id: record.id,
			properties: Object.fromEntries(names.map((name) => [name, record.properties[name]?.value ?? null])),
			createdAt: new Date(record.createdAt).toISOString(),
			updatedAt: new Date(record.updatedAt).toISOString(),
			archived: false,
		};
	};

	/** `[{ name|property, value }]` (legacy bodies) → `{ name: value }`. */
	function legacyValues(list, key) {
		if (!Array.isArray(list)) throw failure(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be a list of { name, value }');
		const values = {};
		for (const entry of list) {
			const name = entry?.[key];
			if (typeof name !== 'string' || !name) throw failure(400, 'VALIDATION_ERROR', `Invalid input JSON: every property needs a "${key}"`);
			values[name] = entry.value;
		}
		return values;
	}

	const listParam = (value) => (value === undefined ? [] : [value].flat().flatMap((v) => String(v).split(',')).filter(Boolean));

	// --- v3 search ---
	function matches(record, filter) {
		const actual = record.properties[filter.propertyName]?.value;
		const has = actual !== undefined && actual !== '';
		const expected = filter.value === undefined ? undefined : String(filter.value);
		const number = (v) => (v !== undefined && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
		switch (filter.operator) {
			case 'EQ': return has && actual.toLowerCase() === expected?.toLowerCase();
			case 'NEQ': return !has || actual.toLowerCase() !== expected?.toLowerCase();
			case 'LT': return has && number(actual) < number(expected);
			case 'LTE': return has && number(actual) <= number(expected);
			case 'GT': return has && number(actual) > number(expected);
			case 'GTE': return has && number(actual) >= number(expected);
			case 'HAS_PROPERTY': return has;
			case 'NOT_HAS_PROPERTY': return !has;
			case 'CONTAINS_TOKEN': return has && actual.toLowerCase().split(/[^a-z0-9@._*-]+/).some((token) => token === expected?.toLowerCase() || (expected?.includes('*') && new RegExp(`^${expected.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(token)));
			case 'NOT_CONTAINS_TOKEN': return !matches(record, { ...filter, operator: 'CONTAINS_TOKEN' });
			case 'IN': return has && (filter.values ?? []).map((v) => String(v).toLowerCase()).includes(actual.toLowerCase());
			case 'NOT_IN': return !has || !(filter.values ?? []).map((v) => String(v).toLowerCase()).includes(actual.toLowerCase());
			default: return false;
		}
	}

	function search(type, body) {
		const groups = body?.filterGroups ?? [];
		if (!Array.isArray(groups) || groups.length > 5) throw failure(400, 'VALIDATION_ERROR', 'There was a problem with the request: at most 5 filterGroups are allowed');
		for (const group of groups) {
			const filters = group?.filters;
			if (!Array.isArray(filters) || filters.length === 0 || filters.length > 6) throw failure(400, 'VALIDATION_ERROR', 'There was a problem with the request: each filter group needs 1 to 6 filters');
			for (const filter of filters) {
				if (!SEARCH_OPERATORS.has(filter?.operator)) throw failure(400, 'VALIDATION_ERROR', `There was a problem with the request: unknown operator ${JSON.stringify(filter?.operator)}`);
				if (!definitions[type].has(filter.propertyName)) throw failure(400, 'VALIDATION_ERROR', `There was a problem with the request: property ${JSON.stringify(filter.propertyName)} does not exist`);
			}
		}
		const limit = body?.limit === undefined ? 10 : Number(body.limit);
		if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw failure(400, 'VALIDATION_ERROR', 'There was a problem with the request: limit must be between 1 and 200');
		const after = body?.after === undefined ? 0 : Number(body.after);
		let found = [...store[type].values()].filter((record) => groups.length === 0 || groups.some((group) => group.filters.every((filter) => matches(record, filter))));
		if (typeof body?.query === 'string' && body.query) {
			const words = body.query.toLowerCase();
			found = found.filter((record) => Object.values(record.properties).some((p) => p.value.toLowerCase().includes(words)));
		}
		const [sort] = Array.isArray(body?.sorts) ? body.sorts : [];
		const sortBy = typeof sort === 'string' ? sort.replace(/^-/, '') : sort?.propertyName;
		if (sortBy) {
			const descending = typeof sort === 'string' ? sort.startsWith('-') : sort.direction === 'DESCENDING';
			const key = (record) => record.properties[sortBy]?.value ?? '';
			found.sort((a, b) => (/^\d+$/.test(key(a)) && /^\d+$/.test(key(b)) ? Number(key(a)) - Number(key(b)) : key(a).localeCompare(key(b))) * (descending ? -1 : 1));
		}
		const page = found.slice(after, after + limit);
		const wanted = Array.isArray(body?.properties) ? body.properties : listParam(body?.properties);
		return {
			total: found.length,
			results: page.map((record) => v3Object(type, record, wanted)),
			...(after + limit < found.length && { paging: { next: { after: String(after + limit) } } }),
		};
	}

	// --- routes: [method, pattern, handler(match, { body, query })] ---
	const routes = [
		['GET', /^\/account-info\/v3\/details$/, () => ({ portalId: PORTAL_ID, accountType: 'STANDARD', timeZone: 'US/Eastern', companyCurrency: 'USD', additionalCurrencies: [], utcOffset: '-05:00', utcOffsetMilliseconds: -18000000, uiDomain: 'app.hubspot.com', dataHostingLocation: 'na1' })],

		// Companies API v2 (the node's create, update, get, getAll, searchByDomain)
		['POST', /^\/companies\/v2\/companies\/?$/, (m, { body }) => v2Company(create('companies', legacyValues(body?.properties, 'name')))],
		['GET', /^\/companies\/v2\/companies\/paged$/, (m, { query }) => {
			const limit = Math.min(Number(query.limit ?? 100), 250);
			const offset = Number(query.offset ?? 0);
			const all = [...store.companies.values()].filter((record) => Number(record.id) > offset);
			const page = all.slice(0, limit);
			const wanted = listParam(query.properties);
			return {
				companies: page.map((record) => ({ ...v2Company(record), properties: Object.fromEntries(Object.entries(record.properties).filter(([name]) => wanted.includes(name))) })),
				'has-more': all.length > limit,
				offset: page.length ? Number(page[page.length - 1].id) : offset,
			};
		}],
		['PUT', /^\/companies\/v2\/companies\/(\d+)$/, (m, { body }) => v2Company(update('companies', m[1], legacyValues(body?.properties, 'name')))],
		['GET', /^\/companies\/v2\/companies\/(\d+)$/, (m) => v2Company(find('companies', m[1]))],
		['POST', /^\/companies\/v2\/domains\/([^/]+)\/companies$/, (m, { body }) => {
			const domain = decodeURIComponent(m[1]).toLowerCase();
			const limit = Math.min(Number(body?.limit ?? 100), 100);
			const after = Number(body?.offset?.companyId ?? 0);
			const all = [...store.companies.values()].filter((record) => record.properties.domain?.value.toLowerCase() === domain && Number(record.id) > after);
			const page = all.slice(0, limit);
			const wanted = body?.requestOptions?.properties;
			return {
				results: page.map((record) => ({
					...v2Company(record),
					properties: Array.isArray(wanted) ? Object.fromEntries(Object.entries(record.properties).filter(([name]) => wanted.includes(name))) : record.properties,
				})),
				hasMore: all.length > limit,
				offset: { companyId: page.length ? Number(page[page.length - 1].id) : after, isPrimary: true },
			};
		}],

		// Contacts API v1 (the node's upsert, get, delete)
		['POST', /^\/contacts\/v1\/contact\/createOrUpdate\/email\/([^/]+)$/, (m, { body }) => {
			const email = decodeURIComponent(m[1]);
			if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw failure(400, 'VALIDATION_ERROR', `Email address ${email} is invalid`, { error: 'INVALID_EMAIL' });
			const values = legacyValues(body?.properties ?? [], 'property');
			const existing = [...store.contacts.values()].find((record) => record.properties.email?.value.toLowerCase() === email.toLowerCase());
			if (existing) return { vid: Number(update('contacts', existing.id, values).id), isNew: false };
			return { vid: Number(create('contacts', { ...values, email }).id), isNew: true };
		}],
		['GET', /^\/contacts\/v1\/contact\/vid\/(\d+)\/profile$/, (m) => v1Contact(find('contacts', m[1]))],
		['DELETE', /^\/contacts\/v1\/contact\/vid\/(\d+)$/, (m) => {
			find('contacts', m[1]);
			store.contacts.delete(m[1]);
			return { vid: Number(m[1]), deleted: true, reason: 'OK' };
		}],

		// Deals API v1 (the node's create, update, get, delete)
		['POST', /^\/deals\/v1\/deal\/?$/, (m, { body }) => {
			const { associatedCompanyIds = [], associatedVids = [] } = body?.associations ?? {};
			for (const id of associatedCompanyIds) find('companies', id);
			for (const id of associatedVids) find('contacts', id);
			const record = create('deals', legacyValues(body?.properties, 'name'));
			for (const id of associatedCompanyIds) associate('deals', record.id, 'companies', id);
			for (const id of associatedVids) associate('deals', record.id, 'contacts', id);
			return v1Deal(record);
		}],
		['PUT', /^\/deals\/v1\/deal\/(\d+)$/, (m, { body }) => v1Deal(update('deals', m[1], legacyValues(body?.properties, 'name')))],
		['GET', /^\/deals\/v1\/deal\/(\d+)$/, (m) => v1Deal(find('deals', m[1]))],
		['DELETE', /^\/deals\/v1\/deal\/(\d+)$/, (m) => {
			find('deals', m[1]);
			store.deals.delete(m[1]);
			return undefined;
		}],

		// CRM Associations API v1 (the node's contact upsert with a company)
		['PUT', /^\/crm-associations\/v1\/associations\/create-batch$/, (m, { body }) => {
			if (!Array.isArray(body)) throw failure(400, 'VALIDATION_ERROR', 'Invalid input JSON: expected a list of associations');
			for (const entry of body) {
				const pair = ASSOCIATION_DEFINITIONS[entry?.definitionId];
				if (entry?.category !== 'HUBSPOT_DEFINED' || !pair) throw failure(400, 'VALIDATION_ERROR', `Unknown association definition ${entry?.category}/${entry?.definitionId}`);
				associate(pair[0], entry.fromObjectId, pair[1], entry.toObjectId);
			}
			return undefined;
		}],

		// CRM v3 objects, search and properties
		['POST', /^\/crm\/v3\/objects\/(\w+)\/search$/, (m, { body }) => search(objectType(m[1]), body)],
		['POST', /^\/crm\/v3\/objects\/(\w+)$/, (m, { body }, res) => {
			const type = objectType(m[1]);
			if (!body || typeof body.properties !== 'object' || Array.isArray(body.properties)) throw failure(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be an object');
			const record = create(type, body.properties);
			for (const link of body.associations ?? []) {
				const toType = objectType(link?.to?.type ?? '');
				associate(type, record.id, toType, link.to.id);
			}
			res.statusCode = 201;
			return v3Object(type, record, Object.keys(record.properties));
		}],
		['GET', /^\/crm\/v3\/objects\/(\w+)\/([^/]+)$/, (m, { query }) => {
			const type = objectType(m[1]);
			const record = find(type, decodeURIComponent(m[2]), query.idProperty);
			const result = v3Object(type, record, listParam(query.properties));
			const wanted = listParam(query.associations);
			if (wanted.length) {
				result.associations = Object.fromEntries(wanted.map((to) => [objectType(to), { results: associated(type, record.id, objectType(to)).map((id) => ({ id, type: `${SINGULAR[type]}_to_${SINGULAR[objectType(to)]}` })) }]));
			}
			return result;
		}],
		['PATCH', /^\/crm\/v3\/objects\/(\w+)\/([^/]+)$/, (m, { body, query }) => {
			const type = objectType(m[1]);
			if (!body || typeof body.properties !== 'object' || Array.isArray(body.properties)) throw failure(400, 'VALIDATION_ERROR', 'Invalid input JSON: "properties" must be an object');
			const record = update(type, find(type, decodeURIComponent(m[2]), query.idProperty).id, body.properties);
			return v3Object(type, record, Object.keys(record.properties));
		}],
		['DELETE', /^\/crm\/v3\/objects\/(\w+)\/([^/]+)$/, (m, ctx, res) => {
			const type = objectType(m[1]);
			find(type, m[2]);
			store[type].delete(m[2]);
			res.statusCode = 204;
			return undefined;
		}],
		['PUT', /^\/crm\/v4\/objects\/(\w+)\/(\d+)\/associations\/default\/(\w+)\/(\d+)$/, (m) => {
			const [fromType, toType] = [objectType(m[1]), objectType(m[3])];
			associate(fromType, m[2], toType, m[4]);
			return { status: 'COMPLETE', results: [{ from: { id: m[2] }, to: { id: m[4] }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED' } }] };
		}],
		['GET', /^\/crm\/v3\/properties\/(\w+)$/, (m) => ({ results: [...definitions[objectType(m[1])].values()] })],
		['POST', /^\/crm\/v3\/properties\/(\w+)$/, (m, { body }, res) => {
			res.statusCode = 201;
			return defineProperty(objectType(m[1]), body ?? {});
		}],
	];

	function authorised(req) {
		return req.headers.authorization === `Bearer ${token}`;
	}

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url, 'https://api.hubapi.com');
			const text = Buffer.concat(chunks).toString('utf8');
			const query = {};
			for (const [key, value] of url.searchParams) query[key] = key in query ? [query[key]].flat().concat(value) : value;
			const call = { method: req.method, host: req.headers.host, path: url.pathname, query, body: undefined, status: 0, at: '' };
			let parsed;
			try {
				parsed = text ? JSON.parse(text) : undefined;
			} catch {
				parsed = text;
			}
			const hold = holds.find((entry) => entry.match({ method: req.method, path: url.pathname, query, body: parsed }));
			if (!hold) answer();
			else {
				hold.waiting.push({ body: parsed, answer });
				if (hold.waiting.length >= hold.count) release(hold);
			}
			function answer() {
				call.at = new Date().toISOString();
				calls.push(call);
				const send = (status, payload) => {
					call.status = status;
					call.answer = payload;
					if (payload === undefined) {
						res.writeHead(status === 200 ? 204 : status).end();
						call.status = status === 200 ? 204 : status;
						return;
					}
					const json = JSON.stringify(payload);
					res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(json) });
					res.end(json);
				};
				try {
					if (text) {
						try {
							call.body = JSON.parse(text);
						} catch {
							call.body = text;
							throw failure(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1: the body is not JSON');
						}
					}
					if (!authorised(req)) {
						throw failure(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview');
					}
					for (const [method, pattern, handle] of routes) {
						const match = req.method === method ? pattern.exec(url.pathname) : null;
						if (!match) continue;
						res.statusCode = 200;
						const payload = handle(match, { body: call.body, query }, res);
						send(res.statusCode, payload);
						return;
					}
					throw failure(404, 'OBJECT_NOT_FOUND', `No such endpoint in this stand-in: ${req.method} ${url.pathname}`);
				} catch (error) {
					if (error instanceof HubSpotError) send(error.status, error.body);
					else send(500, { status: 'error', message: error.message, correlationId: randomUUID(), category: 'INTERNAL_ERROR' });
				}
			}
		});
	});

	/**
	 * Held requests: a test makes requests that arrive apart be answered together, in an order it
	 * chooses, as they would be when two clients reach HubSpot at the same moment. Nothing about the
	 * answers changes; only when they are given.
	 */
	const holds = [];
	function release(hold) {
		if (!holds.includes(hold)) return;
		holds.splice(holds.indexOf(hold), 1);
		clearTimeout(hold.timer);
		const waiting = hold.order ? [...hold.waiting].sort((a, b) => hold.order(a.body, b.body)) : hold.waiting;
		for (const entry of waiting) entry.answer();
		hold.resolve(waiting.length);
	}

	const listening = await listenOnLoopback(server, port);
	return {
		url: listening.url,
		port: listening.port,
		calls,
		/** Stored records of one type, in the v3 shape with every property. */
		records(type) {
			return [...store[objectType(type)].values()].map((record) => v3Object(type, record, Object.keys(record.properties)));
		},
		/** Ids associated with a record: `associations('contacts', '501', 'companies')`. */
		associations: (fromType, fromId, toType) => associated(objectType(fromType), fromId, objectType(toType)),
		/**
		 * Holds the next requests that `match({ method, path, query, body })` until `count` of them
		 * arrived (or `timeoutMs` passed), then answers them one after the other, sorted by
		 * `order(bodyA, bodyB)` when given. Returns a promise of how many were held.
		 */
		hold({ match, count, order, timeoutMs = 30_000 }) {
			if (!(count >= 1)) throw new Error('hold needs a count of at least 1');
			const hold = { match, count, order, waiting: [] };
			const released = new Promise((resolve) => {
				hold.resolve = resolve;
			});
			hold.timer = setTimeout(() => release(hold), timeoutMs);
			holds.push(hold);
			return released;
		},
		stop: listening.close,
	};
}
