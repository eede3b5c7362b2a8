// The live sync on n8n's Salesforce node: upserts by the AppDirect id as an External ID.
import { CRM_EVENTS, connector, crmTemplate, currentStateNode, custom, ifNode, notificationNode, pinNote, sticky, triggerNode } from './nodes.mjs';
import { addImport, addReconcile } from './crm-batch.mjs';

export const SALESFORCE_SYNC = {
	file: 'salesforce-crm-sync.json',
	id: 'appdirectSfSync1',
	webhookId: '5d7e9f1a-3b5c-4d7e-9f1a-3b5c7d9e1f23',
	events: CRM_EVENTS,
};

/** The credential the Salesforce steps use (n8n's own type; the sign-in the user does in n8n). */
export const SALESFORCE_CREDENTIAL = { id: 'SalesforceCrm001', name: 'Salesforce account', type: 'salesforceOAuth2Api' };

/**
 * The custom fields the Salesforce sync writes, per object, as the recipe tells users to create them.
 * `AppDirect_Id__c` is the External ID every upsert goes through (one record per AppDirect id).
 */
const salesforceTracking = [
	{ name: 'AppDirect_Id__c', type: 'Text(255), External ID, Unique' },
	{ name: 'AppDirect_Last_Event_At__c', type: 'Date/Time' },
	{ name: 'AppDirect_Removed__c', type: 'Checkbox' },
	{ name: 'AppDirect_Status__c', type: 'Text(40)' },
];
export const SALESFORCE_FIELDS = {
	Account: salesforceTracking,
	Contact: salesforceTracking,
	Opportunity: [...salesforceTracking, { name: 'AppDirect_Edition_Id__c', type: 'Text(40)' }, { name: 'AppDirect_Seats__c', type: 'Number(18, 0)' }],
};

/** What a Salesforce step is about: the n8n resource, its id parameter and the object's API name. */
const SALESFORCE_RESOURCES = {
	company: { resource: 'account', object: 'Account', idParameter: 'accountId', title: 'Company' },
	contact: { resource: 'contact', object: 'Contact', idParameter: 'contactId', title: 'Contact' },
	subscription: { resource: 'opportunity', object: 'Opportunity', idParameter: 'opportunityId', title: 'Subscription' },
};

function salesforceNode({ id, name, parameters, position, alwaysOutputData = false }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.salesforce',
		typeVersion: 1.1,
		position,
		...(alwaysOutputData && { alwaysOutputData: true }),
		parameters: { authentication: 'oAuth2', ...parameters },
		credentials: { [SALESFORCE_CREDENTIAL.type]: { id: SALESFORCE_CREDENTIAL.id, name: SALESFORCE_CREDENTIAL.name } },
	};
}

/** The Salesforce live sync: per resource, read the record by AppDirect id, skip unless newer, then upsert or mark. */
export function salesforceSyncWorkflow() {
	const nodes = [];
	const { connections, link } = connector();
	const entries = Object.entries(SALESFORCE_RESOURCES);
	const names = {};
	entries.forEach(([label, sf], index) => {
		const y = 160 + index * 480;
		const uid = (n) => `5d7e9f1a-${String(index).padStart(2, '0')}${String(n).padStart(2, '0')}-4d7e-9f1a-3b5c7d9e1f${String(index * 10 + n).padStart(2, '0')}`;
		const n = {
			current: `Get current ${label}`,
			notification: `${sf.title} notification`,
			account: `Find account of ${label}`,
			find: `Find ${label} in Salesforce`,
			newer: `Is ${label} newer?`,
			removed: `${sf.title} removed?`,
			mark: `Mark ${label} removed`,
			upsert: `Upsert ${label}`,
		};
		names[label] = n;
		const item = `$('${n.notification}').first().json`;
		const found = `$('${n.find}').first().json`;
		const tracking = { AppDirect_Last_Event_At__c: `={{ ${item}.occurredAt }}`, AppDirect_Removed__c: `={{ ${item}.removed }}` };
		const linked = label !== 'company';
		nodes.push(
			currentStateNode({ id: uid(1), name: n.current, position: [440, y] }),
			notificationNode({ id: uid(2), name: n.notification, position: [660, y + 80] }),
		);
		if (linked) {
			// The contact's or opportunity's account, by the company's AppDirect id (none yet: left unlinked until a later notification).
			nodes.push(
				salesforceNode({
					id: uid(3),
					name: n.account,
					position: [880, y + 80],
					alwaysOutputData: true,
					parameters: {
						resource: 'account',
						operation: 'getAll',
						returnAll: false,
						limit: 1,
						options: { fields: 'Id', conditionsUi: { conditionValues: [{ field: 'AppDirect_Id__c', operation: 'equal', value: `={{ ${item}.companyId ?? '' }}` }] } },
					},
				}),
			);
		}
		nodes.push(
			salesforceNode({
				id: uid(4),
				name: n.find,
				position: [linked ? 1100 : 880, y + 80],
				alwaysOutputData: true,
				parameters: {
					resource: sf.resource,
					operation: 'getAll',
					returnAll: false,
					limit: 1,
					options: {
						fields: 'Id,AppDirect_Last_Event_At__c',
						conditionsUi: { conditionValues: [{ field: 'AppDirect_Id__c', operation: 'equal', value: `={{ ${item}.resourceId }}` }] },
					},
				},
			}),
			// No record: write unless it is a removal (nothing to mark). A record: write only with a newer notification.
			ifNode({
				id: uid(5),
				name: n.newer,
				position: [linked ? 1320 : 1100, y + 80],
				expression: `${found}.Id ? !${found}.AppDirect_Last_Event_At__c || new Date(${found}.AppDirect_Last_Event_At__c).getTime() < new Date(${item}.occurredAt).getTime() : !${item}.removed`,
			}),
			ifNode({ id: uid(6), name: n.removed, position: [linked ? 1540 : 1320, y + 80], expression: `${item}.removed` }),
			salesforceNode({
				id: uid(7),
				name: n.mark,
				position: [linked ? 1760 : 1540, y],
				parameters: { resource: sf.resource, operation: 'update', [sf.idParameter]: `={{ ${found}.Id }}`, updateFields: { customFieldsUi: custom(tracking) } },
			}),
		);
		const accountId = `={{ $('${n.account}').first().json.Id ?? '' }}`;
		const upsert = {
			company: {
				name: `={{ ${item}.name }}`,
				additionalFields: {
					website: `={{ ${item}.website ?? '' }}`,
					phone: `={{ ${item}.phoneNumber ?? '' }}`,
					billingCity: `={{ ${item}.city ?? '' }}`,
					billingCountry: `={{ ${item}.country ?? '' }}`,
					customFieldsUi: custom({ ...tracking, AppDirect_Status__c: `={{ ${item}.status }}` }),
				},
			},
			contact: {
				lastname: `={{ ${item}.lastName || ${item}.email }}`,
				additionalFields: {
					firstName: `={{ ${item}.firstName ?? '' }}`,
					email: `={{ ${item}.email }}`,
					phone: `={{ ${item}.phoneNumber ?? '' }}`,
					acconuntId: { __rl: true, mode: 'id', value: accountId },
					customFieldsUi: custom({ ...tracking, AppDirect_Status__c: `={{ ${item}.status }}` }),
				},
			},
			subscription: {
				name: `={{ [${item}.content?.order?.orderLines?.[0]?.applicationName, ${item}.content?.order?.orderLines?.[0]?.editionName].filter(Boolean).join(' ') || 'AppDirect subscription ' + ${item}.resourceId }}`,
				closeDate: `={{ ${item}.createdAt ?? ${item}.occurredAt }}`,
				stageName: `={{ { ACTIVE: 'Closed Won', CANCELLED: 'Closed Lost' }[${item}.status] ?? 'Prospecting' }}`,
				additionalFields: {
					amount: `={{ ${item}.totalPrice }}`,
					accountId: { __rl: true, mode: 'id', value: accountId },
					customFieldsUi: custom({
						...tracking,
						AppDirect_Status__c: `={{ ${item}.status }}`,
						AppDirect_Edition_Id__c: `={{ ${item}.editionId }}`,
						AppDirect_Seats__c: `={{ ${item}.maxUsers }}`,
					}),
				},
			},
		}[label];
		nodes.push(
			salesforceNode({
				id: uid(8),
				name: n.upsert,
				position: [linked ? 1760 : 1540, y + 160],
				parameters: { resource: sf.resource, operation: 'upsert', externalId: 'AppDirect_Id__c', externalIdValue: `={{ ${item}.resourceId }}`, ...upsert },
			}),
		);
		link(n.current, n.notification);
		link(n.notification, linked ? n.account : n.find);
		if (linked) link(n.account, n.find);
		link(n.find, n.newer);
		link(n.newer, n.removed);
		link(n.removed, n.mark, 0);
		link(n.removed, n.upsert, 1);
	});
	addImport({ nodes, link, names, idPrefix: '5d7e9f1a', idSuffix: '-4d7e-9f1a-3b5c7d9e1f', origin: [160, -520] });
	addReconcile({
		nodes,
		link,
		idPrefix: '5d7e9f1a',
		idSuffix: '-4d7e-9f1a-3b5c7d9e1f',
		origin: [160, -1120],
		crmLists: entries.map(([, sf], index) => ({
			type: { account: 'COMPANY', contact: 'USER', opportunity: 'SUBSCRIPTION' }[sf.resource],
			// Every record of the object, with its AppDirect id (records without one are not the sync's).
			node: salesforceNode({
				id: `5d7e9f1a-0790-4d7e-9f1a-3b5c7d9e1f9${index}`,
				name: `List Salesforce ${sf.object} records`,
				parameters: { resource: sf.resource, operation: 'getAll', returnAll: true, options: { fields: 'AppDirect_Id__c,AppDirect_Removed__c' } },
			}),
			records: (items) => `${items}.map((record) => ({ id: record.json.AppDirect_Id__c, removed: record.json.AppDirect_Removed__c === true }))`,
		})),
	});
	// Added and Changed read the current state; Removed carries no content and goes straight on.
	const targets = entries.flatMap(([label]) => [names[label].current, names[label].current, names[label].notification]);
	nodes.unshift(triggerNode({ id: '5d7e9f1a-0000-4d7e-9f1a-3b5c7d9e1f00', webhookId: SALESFORCE_SYNC.webhookId, events: CRM_EVENTS, position: [160, 640] }));
	nodes.push(
		sticky({
			id: '5d7e9f1a-0900-4d7e-9f1a-3b5c7d9e1f90',
			name: 'About this workflow',
			position: [-360, 120],
			width: 460,
			height: 760,
			content: [
				'## AppDirect → Salesforce sync',
				'Companies become **Accounts**, users **Contacts** (linked to their company\'s Account) and subscriptions **Opportunities** (status, edition, seats, price). Every record carries the AppDirect id in the External ID field `AppDirect_Id__c`.',
				'',
				'- **Get current …**: for *Added* and *Changed*, reads what AppDirect\'s API shows **now**.',
				'- **… notification**: sets `removed` for a *Removed* notification, or a resource AppDirect no longer has.',
				'- **Find … in Salesforce**: the record with this AppDirect id, if any.',
				'- **Is … newer?**: goes on only when Salesforce has no record yet, or the record\'s `AppDirect_Last_Event_At__c` is older than this notification. A repeated or late notification stops here.',
				'- **Upsert …**: writes by External ID, so two notifications handled at the same moment still make one record.',
				'- **Mark … removed**: ticks `AppDirect_Removed__c`; nothing is ever deleted.',
				'',
				'**Setup:** create the custom fields listed in `docs/crm-recipes.md`, a *Salesforce account* credential (OAuth2), the trigger\'s token credential and an *AppDirect API* credential; then publish and enter the Production URL in AppDirect.',
			].join('\n'),
		}),
		pinNote('5d7e9f1a-0901-4d7e-9f1a-3b5c7d9e1f91', [-360, 920], 'Company Added', names.company.current, CRM_EVENTS.length),
	);
	return crmTemplate({ spec: SALESFORCE_SYNC, name: 'AppDirect → Salesforce sync', nodes, connections, targets });
}

// ---- example 4: live sync into HubSpot ----------------------------------------------------
