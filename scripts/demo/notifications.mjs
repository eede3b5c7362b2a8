// Realistic AppDirect notifications for the demo and for the example workflows' pinned data,
// built from the shared samples in samples/notifications/ with the changes a real marketplace
// would show (a second user, more seats, a cancellation…).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { sampleNotification } = require('../../samples/index.js');

const MARKETPLACE = 'https://marketplace.example.com';
const JAMES_ID = '5c8e2a71-9d4b-4f3e-8a6c-2b1d7e9f0a34';

/** A sample with its timestamp set and, for removals, no content (as AppDirect sends them). */
function notification(event, { at, uuid, edit } = {}) {
	const n = sampleNotification(event);
	if (uuid) n.uuid = uuid;
	if (at !== undefined) n.timestamp = at;
	if (edit) edit(n);
	return n;
}

function asJames(n) {
	n.resource.uuid = JAMES_ID;
	n.resource.url = `${MARKETPLACE}/api/account/v1/users/${JAMES_ID}`;
	const c = n.resource.content;
	if (!c) return;
	Object.assign(c, {
		id: JAMES_ID,
		email: 'james.chen@acme-corp.example',
		username: 'james.chen@acme-corp.example',
		firstName: 'James',
		lastName: 'Chen',
		status: 'INACTIVE', // AppDirect keeps new users inactive until they activate the account
		internalId: '174519',
	});
	c.contact = { ...c.contact, phoneNumber: '+1 415 555 0177' };
}

const upgradeTo40Seats = (n) => {
	const c = n.resource.content;
	c.maxUsers = 40;
	c.assignedUsers = 12;
	c.order.totalPrice = 239.6;
	c.order.orderLines[0] = { ...c.order.orderLines[0], quantity: 40, totalPrice: 239.6 };
};

const seats = (count) => (n) => {
	const c = n.resource.content;
	const price = Math.round(count * 5.99 * 100) / 100;
	c.maxUsers = count;
	c.order.totalPrice = price;
	c.order.orderLines[0] = { ...c.order.orderLines[0], quantity: count, totalPrice: price };
};

const cancel = (at) => (n) => {
	const c = n.resource.content;
	c.status = 'CANCELLED';
	c.endDate = at;
	c.order.status = 'CANCELLED';
	c.order.nextBillingDate = null;
};

/**
 * One notification per event, in the order the example workflows list their outputs, with
 * fixed ids and times so the example files stay stable. Used for pinned data.
 */
export function pinnedNotifications() {
	const t = 1764230400000; // 2025-11-27T08:00:00Z
	return {
		'company.added': notification('company.added', { at: t - 15000 }),
		'company.changed': notification('company.changed', {
			at: t + 3600000,
			uuid: '7d1e4f2a-3b5c-4d6e-9f8a-1b2c3d4e5f60',
			edit: (n) => {
				n.resource.content.size = 'SIZE_100_249';
				n.resource.content.contact.phoneNumber = '+1 415 555 0199';
			},
		}),
		'company.removed': notification('company.removed', { at: t + 7200000, uuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }),
		'user.added': notification('user.added', { at: t - 10000 }),
		'user.changed': notification('user.changed', {
			at: t + 1800000,
			uuid: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
			edit: (n) => {
				n.resource.content.lastSuccessfulLogin = t + 1700000;
				n.resource.content.contact.mobilePhone = '+1 628 555 0123';
			},
		}),
		'user.removed': notification('user.removed', {
			at: t + 5400000,
			uuid: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
			edit: asJames,
		}),
		'subscription.added': notification('subscription.added', { at: t }),
		'subscription.changed': notification('subscription.changed', {
			at: t + 86400000,
			uuid: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
			edit: upgradeTo40Seats,
		}),
		'subscription.removed': notification('subscription.removed', {
			at: t + 172800000,
			uuid: '8f9a0b1c-2d3e-4f5a-8b6c-7d8e9f0a1b2c',
		}),
	};
}

/** The subscriptions example: a new subscription, a cancellation, a removal. */
export function pinnedSubscriptionNotifications() {
	const t = 1764230400000;
	const pins = pinnedNotifications();
	return {
		'subscription.added': pins['subscription.added'],
		'subscription.changed': notification('subscription.changed', {
			at: t + 2592000000,
			uuid: '6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d',
			edit: cancel(t + 2592000000),
		}),
		'subscription.removed': pins['subscription.removed'],
	};
}

/**
 * What the demo sends: the story of a customer arriving on the marketplace, in the order it
 * happened. Fresh uuids and current times, as a real marketplace would send them.
 * With `stale`, the 40-seat upgrade is `late`: AppDirect delivers it only after a newer change
 * (60 seats), as after failed attempts and retries; the demo sends `late` entries last.
 */
export function demoStory(now = Date.now(), { stale = false } = {}) {
	const start = now - 60000;
	let at = start;
	const next = (event, edit) =>
		notification(event, {
			at: (at += 5000),
			uuid: randomUUID(),
			edit: (n) => {
				edit?.(n);
				// Dates inside the content follow the story's clock too.
				const c = n.resource.content;
				if (c && 'creationDate' in c) c.creationDate = start;
				if (c?.order?.nextBillingDate) c.order.nextBillingDate = at + 31 * 86400000;
			},
		});
	return [
		{ label: 'Acme Corp joins the marketplace', notification: next('company.added') },
		{ label: 'Maria Lopez (Acme Corp) signs up', notification: next('user.added') },
		{ label: 'James Chen (Acme Corp) is invited', notification: next('user.added', asJames) },
		{ label: 'Acme Corp buys Acme Projects, Team edition, 25 seats', notification: next('subscription.added') },
		{ label: 'Acme Corp upgrades to 40 seats', notification: next('subscription.changed', upgradeTo40Seats), ...(stale && { late: true }) },
		...(stale ? [{ label: 'Acme Corp upgrades again, to 60 seats', notification: next('subscription.changed', seats(60)) }] : []),
		{ label: 'James Chen leaves Acme Corp', notification: next('user.removed', asJames) },
	];
}
