// The live sync on n8n's HubSpot node: unique AppDirect ids, a refused second create read back.
import { CRM_EVENTS, connector, crmTemplate, currentStateNode, ifNode, notificationNode, pinNote, sticky, triggerNode } from './nodes.mjs';
import { addImport, addReconcile } from './crm-batch.mjs';

export { IMPORT_STEPS, RECONCILE_STEPS } from './crm-batch.mjs';

export const HUBSPOT_SYNC = {
	file: 'hubspot-crm-sync.json',
	id: 'appdirectHsSync1',
	webhookId: '7a9c1e3f-5b7d-4f9a-8c1e-3f5b7d9a1c35',
	events: CRM_EVENTS,
};

/** The private-app token credential n8n's HubSpot node and the HTTP Request steps share. */
export const HUBSPOT_CREDENTIAL = { id: 'HubSpotAppToken1', name: 'HubSpot private app', type: 'hubspotAppToken' };

/** The custom properties the HubSpot sync writes, per object, as the recipe tells users to create them. */
const hubspotTracking = [
	{ name: 'appdirect_id', type: 'Single-line text, unique values' },
	{ name: 'appdirect_last_event_at', type: 'Date and time picker' },
	{ name: 'appdirect_removed', type: 'Single checkbox' },
	{ name: 'appdirect_status', type: 'Single-line text' },
];
export const HUBSPOT_PROPERTIES = {
	companies: hubspotTracking,
	contacts: hubspotTracking,
	deals: [...hubspotTracking, { name: 'appdirect_edition_id', type: 'Single-line text' }, { name: 'appdirect_seats', type: 'Number' }],
};

const HUBSPOT_API = 'https://api.hubapi.com';

function hubspotNode({ id, name, parameters, position, onError }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.hubspot',
		typeVersion: 2.2,
		position,
		...(onError && { onError }),
		parameters: { authentication: 'appToken', ...parameters },
		credentials: { [HUBSPOT_CREDENTIAL.type]: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	};
}

/**
 * Reads one HubSpot record by its AppDirect id. n8n's HubSpot node cannot look a company or a deal
 * up by a property, so this is n8n's HTTP Request node with the same HubSpot credential. Not found
 * (404) continues with an item that has no `id`.
 */
function hubspotFindNode({ id, name, type, appdirectId, properties, position }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		alwaysOutputData: true,
		onError: 'continueRegularOutput',
		parameters: {
			method: 'GET',
			url: `={{ '${HUBSPOT_API}/crm/v3/objects/${type}/' + encodeURIComponent(${appdirectId} || 'none') }}`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: HUBSPOT_CREDENTIAL.type,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'idProperty', value: 'appdirect_id' }, { name: 'properties', value: properties }] },
			options: {},
		},
		credentials: { [HUBSPOT_CREDENTIAL.type]: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	};
}

/**
 * Every record of one type that has an AppDirect id, page by page (HubSpot's CRM search, 100 a page,
 * `after` from each answer), with the HubSpot credential: one item per page, `results` the records.
 */
function hubspotListNode({ id, name, type }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			url: `${HUBSPOT_API}/crm/v3/objects/${type}/search`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: HUBSPOT_CREDENTIAL.type,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'appdirect_id', operator: 'HAS_PROPERTY' }] }], properties: ['appdirect_id', 'appdirect_removed'], limit: 100 }),
			options: {
				pagination: {
					pagination: {
						paginationMode: 'updateAParameterInEachRequest',
						parameters: { parameters: [{ type: 'body', name: 'after', value: '={{ $response.body.paging?.next?.after }}' }] },
						paginationCompleteWhen: 'other',
						completeExpression: '={{ !$response.body.paging?.next?.after }}',
					},
				},
			},
		},
		credentials: { [HUBSPOT_CREDENTIAL.type]: { id: HUBSPOT_CREDENTIAL.id, name: HUBSPOT_CREDENTIAL.name } },
	};
}

const hubspotProperties = (values) => ({ customPropertiesValues: Object.entries(values).map(([property, value]) => ({ property, value })) });

/** HubSpot's date-time properties take epoch milliseconds; HubSpot may read them back as ISO text. */
const epochOf = (value) => `(isNaN(Number(${value})) ? Date.parse(${value}) : Number(${value}))`;

/** The HubSpot live sync: per resource, read by AppDirect id, skip unless newer, then create, update or mark. */
export function hubspotSyncWorkflow() {
	const nodes = [];
	const { connections, link } = connector();
	const resources = [
		['company', 'companies', 'Company'],
		['contact', 'contacts', 'Contact'],
		['subscription', 'deals', 'Subscription'],
	];
	const names = {};
	resources.forEach(([label, type, title], index) => {
		const y = 160 + index * 560;
		const uid = (n) => `7a9c1e3f-${String(index).padStart(2, '0')}${String(n).padStart(2, '0')}-4f9a-8c1e-3f5b7d9a1c${String(index * 20 + n).padStart(2, '0')}`;
		const n = {
			current: `Get current ${label}`,
			notification: `${title} notification`,
			company: `Find company of ${label}`,
			find: `Find ${label} in HubSpot`,
			newer: `Is ${label} newer?`,
			removed: `${title} removed?`,
			mark: `Mark ${label} removed`,
			exists: `${title} in HubSpot?`,
			create: `Create ${label}`,
			update: label === 'contact' ? 'Create or update contact' : `Update ${label}`,
			again: `Find ${label} after conflict`,
			found: `Found ${label} after conflict?`,
			stop: `Stop: ${label} not saved`,
		};
		names[label] = n;
		const item = `$('${n.notification}').first().json`;
		const companyId = `$('${n.company}').first().json.id`;
		const linked = label !== 'company';
		const x = linked ? 220 : 0;
		const tracking = {
			appdirect_id: `={{ ${item}.resourceId }}`,
			appdirect_last_event_at: `={{ new Date(${item}.occurredAt).getTime() }}`,
			appdirect_removed: `={{ ${item}.removed }}`,
		};
		nodes.push(
			currentStateNode({ id: uid(1), name: n.current, position: [440, y] }),
			notificationNode({ id: uid(2), name: n.notification, position: [660, y + 80] }),
		);
		if (linked) {
			nodes.push(hubspotFindNode({ id: uid(3), name: n.company, type: 'companies', appdirectId: `${item}.companyId`, properties: 'appdirect_id', position: [880, y + 80] }));
		}
		const properties = label === 'contact' ? 'appdirect_id,appdirect_last_event_at,email' : 'appdirect_id,appdirect_last_event_at';
		nodes.push(
			hubspotFindNode({ id: uid(4), name: n.find, type, appdirectId: `${item}.resourceId`, properties, position: [880 + x, y + 80] }),
			// No record: write unless it is a removal (nothing to mark). A record: write only with a newer notification.
			ifNode({
				id: uid(5),
				name: n.newer,
				position: [1100 + x, y + 80],
				expression: `$json.id ? !$json.properties?.appdirect_last_event_at || ${epochOf('$json.properties.appdirect_last_event_at')} < new Date(${item}.occurredAt).getTime() : !${item}.removed`,
			}),
			ifNode({ id: uid(6), name: n.removed, position: [1320 + x, y + 80], expression: `${item}.removed` }),
		);
		if (label === 'contact') {
			// Contacts are written by email (n8n's node has no update by id); the removal keeps the record's own email.
			const contactFields = (email, values) => ({
				resource: 'contact',
				operation: 'upsert',
				email,
				additionalFields: values,
				options: { resolveData: false },
			});
			nodes.push(
				hubspotNode({ id: uid(7), name: n.mark, position: [1540 + x, y], parameters: contactFields('={{ $json.properties.email }}', { customPropertiesUi: hubspotProperties(tracking) }) }),
				hubspotNode({
					id: uid(8),
					name: n.update,
					position: [1540 + x, y + 160],
					parameters: contactFields(`={{ ${item}.email }}`, {
						firstName: `={{ ${item}.firstName ?? '' }}`,
						lastName: `={{ ${item}.lastName ?? '' }}`,
						phoneNumber: `={{ ${item}.phoneNumber ?? '' }}`,
						associatedCompanyId: `={{ ${companyId} ?? '' }}`,
						customPropertiesUi: hubspotProperties({ ...tracking, appdirect_status: `={{ ${item}.status }}` }),
					}),
				}),
			);
			link(n.removed, n.mark, 0);
			link(n.removed, n.update, 1);
		} else {
			const content =
				label === 'company'
					? {
							fields: {
								websiteUrl: `={{ ${item}.website ?? '' }}`,
								phoneNumber: `={{ ${item}.phoneNumber ?? '' }}`,
								city: `={{ ${item}.city ?? '' }}`,
								country: `={{ ${item}.country ?? '' }}`,
								customPropertiesUi: hubspotProperties({ ...tracking, appdirect_status: `={{ ${item}.status }}` }),
							},
							create: { resource: 'company', operation: 'create', name: `={{ ${item}.name }}` },
							update: (fields) => ({ resource: 'company', operation: 'update', companyId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, updateFields: { name: `={{ ${item}.name }}`, ...fields } }),
							mark: { resource: 'company', operation: 'update', companyId: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, updateFields: { customPropertiesUi: hubspotProperties(tracking) } },
						}
					: (() => {
							const dealName = `={{ [${item}.content?.order?.orderLines?.[0]?.applicationName, ${item}.content?.order?.orderLines?.[0]?.editionName].filter(Boolean).join(' ') || 'AppDirect subscription ' + ${item}.resourceId }}`;
							const stage = `={{ { ACTIVE: 'closedwon', CANCELLED: 'closedlost' }[${item}.status] ?? 'appointmentscheduled' }}`;
							const fields = {
								dealName,
								amount: `={{ ${item}.totalPrice }}`,
								customPropertiesUi: hubspotProperties({
									...tracking,
									appdirect_status: `={{ ${item}.status }}`,
									appdirect_edition_id: `={{ ${item}.editionId }}`,
									appdirect_seats: `={{ ${item}.maxUsers }}`,
								}),
							};
							const dealId = { __rl: true, mode: 'id', value: '={{ $json.id }}' };
							return {
								fields,
								create: { resource: 'deal', operation: 'create', stage, additionalFields: { ...fields, associatedCompany: `={{ ${companyId} ? [${companyId}] : [] }}` } },
								update: () => ({ resource: 'deal', operation: 'update', dealId, updateFields: { ...fields, stage } }),
								mark: { resource: 'deal', operation: 'update', dealId, updateFields: { customPropertiesUi: hubspotProperties(tracking) } },
							};
						})();
			const create = label === 'company' ? { ...content.create, additionalFields: content.fields } : content.create;
			nodes.push(
				hubspotNode({ id: uid(7), name: n.mark, position: [1540 + x, y], parameters: content.mark }),
				ifNode({ id: uid(9), name: n.exists, position: [1540 + x, y + 160], expression: '!!$json.id' }),
				hubspotNode({ id: uid(8), name: n.update, position: [1760 + x, y + 80], parameters: content.update(content.fields) }),
				// A second create with the same appdirect_id is refused (409 Conflict): another execution
				// created the record a moment ago. n8n keeps no status on the error output, so any refusal
				// reads the record again; found, it goes back through "Is … newer?", not found, the error stands.
				hubspotNode({ id: uid(10), name: n.create, position: [1760 + x, y + 240], onError: 'continueErrorOutput', parameters: create }),
				hubspotFindNode({ id: uid(11), name: n.again, type, appdirectId: `${item}.resourceId`, properties, position: [1980 + x, y + 320] }),
				ifNode({ id: uid(12), name: n.found, position: [2200 + x, y + 320], expression: '!!$json.id' }),
				{
					id: uid(13),
					name: n.stop,
					type: 'n8n-nodes-base.stopAndError',
					typeVersion: 1,
					position: [2420 + x, y + 400],
					parameters: { errorMessage: `={{ 'HubSpot refused to create the ${label} ' + ${item}.resourceId + ' and has no record with this appdirect_id: ' + JSON.stringify($('${n.create}').first().json.error ?? '') }}` },
				},
			);
			link(n.removed, n.mark, 0);
			link(n.removed, n.exists, 1);
			link(n.exists, n.update, 0);
			link(n.exists, n.create, 1);
			link(n.create, n.again, 1);
			link(n.again, n.found);
			link(n.found, n.newer, 0);
			link(n.found, n.stop, 1);
		}
		link(n.current, n.notification);
		link(n.notification, linked ? n.company : n.find);
		if (linked) link(n.company, n.find);
		link(n.find, n.newer);
		link(n.newer, n.removed);
	});
	addImport({ nodes, link, names, idPrefix: '7a9c1e3f', idSuffix: '-4f9a-8c1e-3f5b7d9a1c', origin: [160, -520] });
	addReconcile({
		nodes,
		link,
		idPrefix: '7a9c1e3f',
		idSuffix: '-4f9a-8c1e-3f5b7d9a1c',
		origin: [160, -1120],
		crmLists: [
			['COMPANY', 'companies'],
			['USER', 'contacts'],
			['SUBSCRIPTION', 'deals'],
		].map(([type, object], index) => ({
			type,
			node: hubspotListNode({ id: `7a9c1e3f-0790-4f9a-8c1e-3f5b7d9a1c9${index}`, name: `List HubSpot ${object}`, type: object }),
			records: (items) => `${items}.flatMap((page) => page.json.results ?? []).map((record) => ({ id: record.properties?.appdirect_id, removed: record.properties?.appdirect_removed === 'true' }))`,
		})),
	});
	const targets = resources.flatMap(([label]) => [names[label].current, names[label].current, names[label].notification]);
	nodes.unshift(triggerNode({ id: '7a9c1e3f-0000-4f9a-8c1e-3f5b7d9a1c00', webhookId: HUBSPOT_SYNC.webhookId, events: CRM_EVENTS, position: [160, 640] }));
	nodes.push(
		sticky({
			id: '7a9c1e3f-0900-4f9a-8c1e-3f5b7d9a1c90',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: 820,
			content: [
				'## AppDirect → HubSpot sync',
				'Companies become HubSpot **companies**, users **contacts** (associated with their company) and subscriptions **deals** (status, edition, seats, amount). Every record carries the AppDirect id in the unique property `appdirect_id`.',
				'',
				'- **Get current …**: for *Added* and *Changed*, reads what AppDirect\'s API shows **now**.',
				'- **Find … in HubSpot**: the record with this `appdirect_id` (an HTTP Request with the HubSpot credential: the HubSpot node cannot look a record up by a property).',
				'- **Is … newer?**: goes on only when HubSpot has no record yet, or its `appdirect_last_event_at` is older than this notification. A repeated or late notification stops here.',
				'- **Create …**: when two notifications about a new company arrive together, HubSpot refuses the second create (the value of `appdirect_id` is unique); the workflow then reads the record again and updates it.',
				'- **Mark … removed**: sets `appdirect_removed`; nothing is ever deleted.',
				'',
				'**Setup:** create the properties listed in `docs/crm-recipes.md`, a *HubSpot private app* credential (App Token), the trigger\'s token credential and an *AppDirect API* credential; then publish and enter the Production URL in AppDirect.',
			].join('\n'),
		}),
		pinNote('7a9c1e3f-0901-4f9a-8c1e-3f5b7d9a1c91', [-360, 980], 'Company Added', names.company.current, CRM_EVENTS.length),
	);
	return crmTemplate({ spec: HUBSPOT_SYNC, name: 'AppDirect → HubSpot sync', nodes, connections, targets });
}
