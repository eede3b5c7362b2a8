// A made-up marketplace for the API stand-in: N companies, each with its users (and their
// memberships), subscriptions and invoices, the same every time for the same numbers. Resources
// are stored as their single reads return them (the shapes of samples/notifications/); the
// list endpoints show them in the list shapes of AppDirect's OpenAPI examples (see `listItem`).

/** Where each stored resource lives, and what its ids are. */
export const RESOURCE_PATHS = [
	{ type: 'MEMBERSHIP', pattern: /^\/api\/account\/v1\/companies\/([^/]+)\/users\/([^/]+)$/ },
	{ type: 'USER', pattern: /^\/api\/account\/v1\/users\/([^/]+)$/ },
	{ type: 'COMPANY', pattern: /^\/api\/account\/v1\/companies\/([^/]+)$/ },
	{ type: 'SUBSCRIPTION', pattern: /^\/api\/billing\/v1\/subscriptions\/([^/]+)$/ },
	{ type: 'INVOICE', pattern: /^\/api\/appmarket\/v1\/invoices\/([^/]+)$/ },
];

/** `{ type, ids }` for a stored resource's path, or undefined for other paths. */
export function classify(path) {
	for (const { type, pattern } of RESOURCE_PATHS) {
		const match = pattern.exec(path);
		if (match) return { type, ids: match.slice(1) };
	}
	return undefined;
}

/** 2025-01-01T00:00:00Z: seeded resources are created one minute apart from here. */
export const SEED_EPOCH = 1735689600000;

const KINDS = { COMPANY: 'c0a1', USER: 'a5e1', SUBSCRIPTION: '5b51', INVOICE: '1f01' };

/** A uuid-shaped id, unique per kind and number, the same on every run. */
export function seedId(kind, number) {
	const tail = ((number * 2654435761) % 2 ** 48).toString(16).padStart(12, '0');
	return `${number.toString(16).padStart(8, '0')}-${KINDS[kind]}-4000-8000-${tail}`;
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dmitri', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Liam'];
const LAST_NAMES = ['Okafor', 'Lopez', 'Müller', 'Nguyen', 'Smith', 'Tanaka', 'Rossi', 'Dubois', 'Kowalski', 'Haddad'];
const SUBSCRIPTION_STATUSES = ['ACTIVE', 'ACTIVE', 'FREE_TRIAL', 'SUSPENDED', 'CANCELLED'];
const INVOICE_STATUSES = ['PAID', 'PAID', 'UNPAID', 'CARRIED', 'VOIDED'];

/**
 * Every resource of companies `from` … `from + companies - 1`, as `{ path, content, modified }`.
 * Each company has `usersPerCompany` users (each a member of it), `subscriptionsPerCompany`
 * subscriptions and `invoicesPerCompany` invoices. Links point at `origin`.
 */
export function* seedMarketplace(options) {
	const { companies, usersPerCompany = 5, subscriptionsPerCompany = 2, invoicesPerCompany = 1, from = 0, origin } = options;
	for (let c = from; c < from + companies; c++) {
		const companyId = seedId('COMPANY', c);
		const companyHref = `${origin}/api/account/v1/companies/${companyId}`;
		const created = SEED_EPOCH + c * 60_000;
		const companyName = `Company ${String(c).padStart(6, '0')}`;
		yield {
			path: `/api/account/v1/companies/${companyId}`,
			modified: created,
			content: {
				id: companyId,
				name: companyName,
				enabled: true,
				status: 'ACTIVE',
				size: 'SIZE_1_49',
				website: `https://company-${c}.example`,
				externalId: null,
				creationDate: created,
				contact: { phoneNumber: `+1 555 ${String(c).padStart(7, '0')}`, address: { city: 'Springfield', country: 'US' } },
				customAttributes: [],
			},
		};
		const users = [];
		for (let u = 0; u < usersPerCompany; u++) {
			const number = c * usersPerCompany + u;
			const userId = seedId('USER', number);
			const firstName = FIRST_NAMES[number % FIRST_NAMES.length];
			const lastName = LAST_NAMES[Math.floor(number / FIRST_NAMES.length) % LAST_NAMES.length];
			const email = `user${number}@company-${c}.example`;
			const userCreated = created + (u + 1) * 1000;
			users.push({ userId, userHref: `${origin}/api/account/v1/users/${userId}` });
			yield {
				path: `/api/account/v1/users/${userId}`,
				modified: userCreated,
				content: {
					id: userId,
					email,
					username: email,
					firstName,
					lastName,
					locale: 'en_US',
					status: 'ACTIVE',
					creationDate: userCreated,
					externalId: null,
					contact: { phoneNumber: null },
					customAttributes: [],
					memberships: [{ enabled: true, company: { id: companyId, name: companyName, status: 'ACTIVE', enabled: true } }],
				},
			};
			yield {
				path: `/api/account/v1/companies/${companyId}/users/${userId}`,
				modified: userCreated,
				content: { id: userId, email, firstName, lastName, status: 'ACTIVE', roles: u === 0 ? ['USER', 'SYS_ADMIN'] : ['USER'], enabled: true },
			};
		}
		for (let s = 0; s < subscriptionsPerCompany; s++) {
			const number = c * subscriptionsPerCompany + s;
			const subscriptionId = seedId('SUBSCRIPTION', number);
			const owner = users[s % Math.max(users.length, 1)];
			const subscriptionCreated = created + 30_000 + s * 1000;
			yield {
				path: `/api/billing/v1/subscriptions/${subscriptionId}`,
				modified: subscriptionCreated,
				content: {
					id: subscriptionId,
					status: SUBSCRIPTION_STATUSES[number % SUBSCRIPTION_STATUSES.length],
					creationDate: subscriptionCreated,
					endDate: null,
					externalAccountId: `tenant-${number}`,
					maxUsers: 5 + (number % 20),
					assignedUsers: 1,
					parentSubscriptionId: null,
					customAttributes: [],
					user: owner ? { id: owner.userId, href: owner.userHref } : null,
					company: { id: companyId, href: companyHref },
					product: { id: '2381', href: `${origin}/api/marketplace/v1/products/2381` },
					edition: { id: '5190', href: `${origin}/api/marketplace/v1/products/2381/editions/5190` },
					order: {
						id: String(100000 + number),
						status: 'ACTIVE',
						frequency: number % 3 === 0 ? 'YEARLY' : 'MONTHLY',
						currency: 'USD',
						totalPrice: 10 + (number % 90),
						nextBillingDate: subscriptionCreated + 30 * 86_400_000,
					},
				},
			};
		}
		for (let i = 0; i < invoicesPerCompany; i++) {
			const number = c * invoicesPerCompany + i;
			const invoiceUuid = seedId('INVOICE', number);
			const invoiceDate = created + 40_000 + i * 1000;
			const owner = users[0];
			yield {
				path: `/api/appmarket/v1/invoices/${invoiceUuid}`,
				modified: invoiceDate,
				content: {
					id: String(500000 + number),
					uuid: invoiceUuid,
					billingRelationshipOwnerInvoiceNumber: `INV-${String(number).padStart(7, '0')}`,
					status: INVOICE_STATUSES[number % INVOICE_STATUSES.length],
					currency: 'USD',
					invoiceDate,
					paymentTerms: { dueDate: invoiceDate + 30 * 86_400_000, type: 'NET_30' },
					total: 10 + (number % 90),
					company: { id: companyId, href: companyHref },
					user: owner ? { id: owner.userId, href: owner.userHref } : null,
				},
			};
		}
	}
}

const link = (rel, href) => ({ rel, href });
const roleName = (role) => (String(role).startsWith('ROLE_') ? role : `ROLE_${role}`);

/**
 * A stored resource as a list shows it, after the example answers of AppDirect's OpenAPI files:
 * account v2 users, companies and memberships; SubscriptionListingWS (`company` lists) or
 * SubscriptionWS (the marketplace list); InvoiceListingWS.
 */
export function listItem(type, content, { origin, path, list, store }) {
	switch (type) {
		case 'USER':
			return {
				uuid: content.id,
				email: content.email,
				userName: content.username ?? content.email,
				firstName: content.firstName,
				lastName: content.lastName,
				activated: content.status === 'ACTIVE',
				allowLogin: true,
				creationDate: content.creationDate ?? null,
				externalId: content.externalId ?? null,
				locale: content.locale ?? null,
				roles: ['ROLE_USER'],
				customAttributes: content.customAttributes ?? [],
				links: [link('self', `${origin}/api/account/v2/users/${content.id}`), link('memberships', `${origin}/api/account/v2/users/${content.id}/memberships`)],
			};
		case 'COMPANY':
			return {
				uuid: content.id,
				name: content.name,
				enabled: content.enabled,
				address: content.contact?.address ?? null,
				companySize: content.size ?? null,
				creationDate: content.creationDate ?? null,
				website: content.website ?? null,
				externalId: content.externalId ?? null,
				phoneNumber: content.contact?.phoneNumber ?? null,
				customAttributes: content.customAttributes ?? [],
				links: [link('self', `${origin}/api/account/v2/companies/${content.id}`), link('memberships', `${origin}/api/account/v2/companies/${content.id}/memberships`)],
			};
		case 'MEMBERSHIP': {
			const [companyId, userId] = classify(path).ids;
			const company = store.get(`/api/account/v1/companies/${companyId}`) ?? { id: companyId };
			const user = store.get(`/api/account/v1/users/${userId}`) ?? {};
			const self = `${origin}/api/account/v2/companies/${companyId}/memberships/${userId}`;
			return {
				user: {
					uuid: userId,
					email: content.email ?? user.email,
					userName: user.username ?? content.email ?? user.email,
					firstName: content.firstName ?? user.firstName,
					lastName: content.lastName ?? user.lastName,
					links: [link('self', `${origin}/api/account/v2/users/${userId}`)],
				},
				company: { uuid: companyId, name: company.name, enabled: company.enabled, links: [link('self', `${origin}/api/account/v2/companies/${companyId}`)] },
				enabled: content.enabled,
				lastUsed: false,
				roles: (content.roles ?? []).map(roleName),
				position: null,
				links: [link('self', self), link('user', `${origin}/api/account/v2/users/${userId}`), link('company', `${origin}/api/account/v2/companies/${companyId}`)],
			};
		}
		case 'SUBSCRIPTION': {
			if (list === 'marketplace') return content;
			const { order, ...rest } = content;
			return { ...rest, order: order ? { id: order.id, href: `${origin}/api/billing/v1/orders/${order.id}` } : null, links: [] };
		}
		case 'INVOICE':
			return {
				invoiceId: Number(content.id),
				referenceNumber: null,
				creationDate: content.invoiceDate ?? null,
				dueDate: content.paymentTerms?.dueDate ?? null,
				status: content.status,
				total: content.total,
				orderIds: [],
				currency: content.currency,
				user: content.user ?? null,
				company: content.company ?? null,
				links: [link('self', `${origin}/api/billing/v1/invoices/${content.id}`)],
			};
		default:
			return content;
	}
}
