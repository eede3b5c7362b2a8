// Realistic AppDirect traffic for the delivery simulator: a mix of every event, the fan-out of one
// click in AppDirect's UI, and the history of one resource (whose notifications a test can make
// arrive out of order). Built from the shared samples in samples/notifications/.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { sampleNotification } = require('../../samples/index.js');

const MARKETPLACE = 'https://marketplace.example.com';

/** A small seeded generator (mulberry32), so that a run can be repeated exactly. */
export function seededRandom(seed = 1) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function fresh(event, at) {
	const notification = sampleNotification(event);
	notification.uuid = randomUUID();
	notification.timestamp = at;
	return notification;
}

/** `count` notifications cycling through `events` (names like `user.added`), one millisecond apart. */
export function mixedTraffic(events, count, { start = Date.now() } = {}) {
	return Array.from({ length: count }, (_, index) => fresh(events[index % events.length], start + index));
}

function setResource(notification, type, id, url) {
	notification.resource.uuid = id;
	notification.resource.url = url;
	if (notification.resource.content && type !== 'MEMBERSHIP') notification.resource.content.id = id;
}

/**
 * The notifications one click in AppDirect's UI sends, with the ids tying them together:
 *   createCompany       user.added, company.added, company.changed, membership.added
 *   purchase            order.added, subscription.added, app_assignment.added, invoice.added
 *   cancelSubscription  subscription.changed (CANCELLED), order.changed, subscription.removed
 */
export function uiAction(kind, { at = Date.now() } = {}) {
	const companyId = randomUUID();
	const userId = randomUUID();
	const subscriptionId = randomUUID();
	const company = `${MARKETPLACE}/api/account/v1/companies/${companyId}`;
	const user = `${MARKETPLACE}/api/account/v1/users/${userId}`;
	const subscription = `${MARKETPLACE}/api/billing/v1/subscriptions/${subscriptionId}`;
	const step = (event, offset, edit) => {
		const notification = fresh(event, at + offset);
		edit(notification, notification.resource.content);
		return notification;
	};
	const linkSubscription = (n, c) => {
		setResource(n, 'SUBSCRIPTION', subscriptionId, subscription);
		if (c) {
			c.company = { id: companyId, href: company };
			c.user = { id: userId, href: user };
		}
	};
	const linkOrder = (n, c) => {
		const orderId = String(88000 + Math.floor(at % 1000));
		setResource(n, 'ORDER', orderId, `${MARKETPLACE}/api/billing/v1/orders/${orderId}`);
		if (c) {
			c.company = { id: companyId, href: company };
			c.user = { id: userId, href: user };
		}
	};
	switch (kind) {
		case 'createCompany':
			return [
				step('user.added', 0, (n) => setResource(n, 'USER', userId, user)),
				step('company.added', 5, (n) => setResource(n, 'COMPANY', companyId, company)),
				step('company.changed', 9, (n) => setResource(n, 'COMPANY', companyId, company)),
				step('membership.added', 12, (n) =>
					setResource(n, 'MEMBERSHIP', `${companyId}:${userId}`, `${company}/users/${userId}`),
				),
			];
		case 'purchase':
			return [
				step('order.added', 0, linkOrder),
				step('subscription.added', 4, linkSubscription),
				step('app_assignment.added', 8, (n, c) => {
					c.userUuid = userId;
					c.companyUuid = companyId;
					c.subscriptionUuid = subscriptionId;
				}),
				step('invoice.added', 15, () => {}),
			];
		case 'cancelSubscription':
			return [
				step('subscription.changed', 0, (n, c) => {
					linkSubscription(n, c);
					c.status = 'CANCELLED';
					c.order.status = 'CANCELLED';
				}),
				step('order.changed', 3, (n, c) => {
					linkOrder(n, c);
					c.status = 'CANCELLED';
				}),
				step('subscription.removed', 7, linkSubscription),
			];
		default:
			throw new Error(`unknown UI action "${kind}": createCompany, purchase or cancelSubscription`);
	}
}

/**
 * The life of one subscription: added, then `changes` changes a second apart (each one sets
 * `maxUsers` to 10 + its number, so the newest state is recognisable), then, with `removed`, the
 * removal. In the order they happened; a test decides the order they arrive in.
 */
export function subscriptionHistory(changes, { at = Date.now(), removed = false } = {}) {
	const id = randomUUID();
	const url = `${MARKETPLACE}/api/billing/v1/subscriptions/${id}`;
	const events = ['subscription.added', ...Array(changes).fill('subscription.changed'), ...(removed ? ['subscription.removed'] : [])];
	return events.map((event, index) => {
		const notification = fresh(event, at + index * 1000);
		setResource(notification, 'SUBSCRIPTION', id, url);
		if (notification.resource.content) notification.resource.content.maxUsers = 10 + index;
		return notification;
	});
}
