// AppDirect notifications, one file per resource type, written for this project after AppDirect's
// documentation (README.md says, for each file, how far it follows it). Shared by the tests,
// `npm run send`, the demo and the benchmarks.
'use strict';
const fs = require('fs');
const path = require('path');
const { randomUUID } = require('crypto');

const folder = path.join(__dirname, 'notifications');

/** Resource types that have a sample, as event prefixes (`app_assignment`). */
function sampleTypes() {
	return fs
		.readdirSync(folder)
		.filter((file) => file.endsWith('.json'))
		.map((file) => file.slice(0, -'.json'.length))
		.sort();
}

/**
 * The sample for `subscription.added`-style names. REMOVED drops the content, as AppDirect
 * does; `fresh` gives it a new notification uuid so that repeated sends are distinct events.
 */
function sampleNotification(event, { fresh = false } = {}) {
	const [prefix, action = 'added'] = String(event).split('.');
	const file = path.join(folder, `${prefix}.json`);
	if (!/^[a-z_]+$/.test(prefix) || !fs.existsSync(file)) {
		throw new Error(`No sample for "${event}". Samples exist for: ${sampleTypes().join(', ')}`);
	}
	const notification = JSON.parse(fs.readFileSync(file, 'utf8'));
	notification.resourceAction = action.toUpperCase();
	if (notification.resourceAction === 'REMOVED' || notification.resourceAction === 'DELETED') {
		delete notification.resource.content;
	}
	if (fresh) notification.uuid = randomUUID();
	return notification;
}

/** A subscription whose order has `lines` order lines: a large but valid body. */
function largeSubscription(lines) {
	const notification = sampleNotification('subscription.added');
	const line = notification.resource.content.order.orderLines[0];
	notification.resource.content.order.orderLines = Array.from({ length: lines }, (_, index) => ({
		...line,
		description: `${line.description} (line ${index + 1})`,
	}));
	return notification;
}

module.exports = { sampleTypes, sampleNotification, largeSubscription };
