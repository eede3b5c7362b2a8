// The hostile-input corpus: hundreds of requests a sender could post to an AppDirect Trigger URL,
// each with the answer the README documents for it, interleaved with valid notifications that
// must each start exactly one execution. Generated (seeded), so a run can be repeated exactly.
//
//   const cases = hostileCorpus({ token, seed: 1, payloadLimitMiB: 16 });
//   cases[i] = { id, group, kind, name, method, headers: [[name, value], …], body, answer, problem?, event? }
//
// kind: 'refused'   must get a non-2xx answer and start nothing
//       'preflight' OPTIONS, which n8n answers 204 as a CORS preflight: starts nothing
//       'valid'     must be accepted and start exactly one execution, on the output of `event`
//       'ignored'   a well-formed notification of an event nobody selected: 200 "ignored", nothing started
//       'n8n-xml'   XML content types, which n8n parses itself first (see ANSWERS['n8n-xml'])
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

import { seededRandom } from '../send/traffic.mjs';

const require = createRequire(import.meta.url);
const { sampleNotification, largeSubscription } = require('../../samples/index.js');

const TOKEN_HEADER = 'x-appdirect-webhook-token';
const LEGACY_TOKEN_HEADER = 'AppDirect-Webhook-Token';
const JSON_TYPE = 'application/json';
const NODE_SUFFIX = '. This URL expects an AppDirect webhook notification: a JSON object like the one in "expected".';

/**
 * Every answer the corpus expects, with who gives it and why. `check` returns null when an
 * answer matches, or what is wrong with it. The README's answer table lists the same answers.
 */
export const ANSWERS = {
	accepted: {
		by: 'the node',
		check: (answer, { mode }) =>
			answer.status === 200 && answer.text === (mode === 'whenFinished' ? '' : '{"received":true}')
				? null
				: 'expected 200, {"received":true} (or an empty body when answering after the workflow)',
	},
	ignored: {
		by: 'the node',
		check: (answer) =>
			answer.status === 200 && answer.json?.received === true && answer.json?.ignored === true && typeof answer.json?.event === 'string'
				? null
				: 'expected 200 {"received":true,"ignored":true,"event":…}',
	},
	'node-400': {
		by: 'the node',
		check: (answer, { problem }) =>
			answer.status === 400 &&
			answer.json?.error === 'Bad Request' &&
			answer.json?.message === `${problem}${NODE_SUFFIX}` &&
			typeof answer.json?.expected?.resource === 'object'
				? null
				: `expected 400 from the node: "${problem}"`,
	},
	'node-401-missing': {
		by: 'the node',
		check: (answer) =>
			answer.status === 401 && answer.json?.error === 'Unauthorized' && answer.json?.message === 'The x-appdirect-webhook-token header is missing'
				? null
				: 'expected 401, header missing',
	},
	'node-401-mismatch': {
		by: 'the node',
		check: (answer) =>
			answer.status === 401 && answer.json?.error === 'Unauthorized' && answer.json?.message === 'The webhook token does not match'
				? null
				: 'expected 401, token does not match',
	},
	'n8n-422': {
		by: 'n8n, before the node runs',
		why: 'n8n parses application/json bodies (and text/plain ones when a charset is given) itself; a body it cannot parse is an UnprocessableRequestError',
		check: (answer) =>
			answer.status === 422 && answer.json?.code === 422 && answer.json?.message === 'Failed to parse request body'
				? null
				: 'expected 422 "Failed to parse request body" from n8n',
	},
	'n8n-400-form': {
		by: 'n8n, before the node runs',
		why: 'n8n parses multipart/form-data itself (formidable); a body that is not multipart is a BadRequestError',
		check: (answer) =>
			answer.status === 400 && answer.json?.message === 'The submitted form data could not be parsed.'
				? null
				: 'expected 400 "The submitted form data could not be parsed." from n8n',
	},
	'n8n-500-read': {
		by: 'n8n, before the node runs',
		why: "reading the body fails (raw-body: over N8N_PAYLOAD_SIZE_MAX, 413; zlib: not gzip/deflate data), and n8n's webhook handler turns every error that is not one of its own HTTP errors into 500",
		check: (answer) =>
			answer.status === 500 && answer.json?.message === 'There was a problem executing the workflow'
				? null
				: 'expected 500 "There was a problem executing the workflow" from n8n',
	},
	'n8n-404-method': {
		by: 'n8n, before the node runs',
		why: 'the webhook is registered for POST only',
		check: (answer, { method }) =>
			answer.status === 404 &&
			(method === 'HEAD' ? answer.text === '' : answer.json?.message?.startsWith(`This webhook is not registered for ${method} requests`))
				? null
				: `expected 404 for ${method} from n8n`,
	},
	'n8n-204-options': {
		by: 'n8n, before the node runs',
		why: 'OPTIONS is a CORS preflight, answered by n8n',
		check: (answer) => (answer.status === 204 ? null : 'expected 204 for OPTIONS from n8n'),
	},
	'n8n-500-method': {
		by: 'n8n, before the node runs',
		why: 'n8n webhooks only know DELETE, GET, HEAD, OPTIONS, PATCH, POST and PUT; for any other method its handler throws a plain Error, answered as 500',
		check: (answer, { method }) =>
			answer.status === 500 && answer.json?.message === `The method ${method} is not supported.` ? null : `expected 500 for ${method} from n8n`,
	},
	'node-431': {
		by: "Node.js's HTTP server, before n8n",
		why: 'request headers over 16 KiB (the default --max-http-header-size)',
		check: (answer) => (answer.status === 431 ? null : 'expected 431 from the HTTP server'),
	},
	'n8n-xml': {
		by: 'n8n, before the node runs',
		why:
			'n8n parses XML content types itself with one shared xml2js 0.6.2 parser; after a failed parse that parser ' +
			'alternately fails, returns nothing (then the node reads the bytes) or never finishes, so the answer depends on earlier XML requests',
		check: (answer, context) => {
			if (answer.timedOut) return null;
			if (ANSWERS['n8n-422'].check(answer, context) === null) return null;
			// n8n let it through: the node judged the bytes.
			return ANSWERS[context.otherwise].check(answer, context);
		},
	},
};

const REFUSED_ANSWERS = new Set(Object.keys(ANSWERS).filter((key) => !['accepted', 'ignored', 'n8n-xml', 'n8n-204-options'].includes(key)));

/** Whether an answer is what the case expects; null when it is, or what is wrong. */
export function checkAnswer(testCase, answer, { mode = 'immediately' } = {}) {
	if (answer.error && !answer.timedOut) return `no HTTP answer: ${answer.error}`;
	if (answer.timedOut && testCase.answer !== 'n8n-xml') return 'no answer in time';
	const spec = ANSWERS[testCase.answer];
	return spec.check(answer, { mode, problem: testCase.problem, method: testCase.method, otherwise: testCase.otherwise });
}

/** Whether an answer started (or may have started) an execution. */
export function mayStartExecution(testCase, answer) {
	if (testCase.kind === 'valid') return true;
	if (testCase.kind === 'n8n-xml') return answer.status >= 200 && answer.status <= 299 && answer.json?.ignored !== true;
	return false;
}

function n8nParsesJson(headers) {
	const declared = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
	return declared?.split(';')[0].trim().toLowerCase() === JSON_TYPE;
}

function kindOf(value) {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const WRONG_VALUES = [null, true, false, 0, 42, -1.5, '', '   ', [], ['USER'], {}, { type: 'USER' }];

function nameProblem(value, path) {
	if (value === undefined || value === null) return `${path} is missing`;
	if (typeof value !== 'string') return `${path} must be a string, got ${kindOf(value)}`;
	if (value.trim().length === 0) return `${path} is empty`;
	if (value.length > 200) return `${path} is longer than 200 characters`;
	if (!/[A-Za-z0-9]/.test(value)) return `${path} has no letters or digits`;
	return null;
}

/** The spellings the README promises to accept: any case, and `-`, spaces and `_` alike. */
export function oddSpellings(type) {
	const words = type.toLowerCase().split('_');
	const title = words.map((word) => word[0].toUpperCase() + word.slice(1));
	const alternating = [...type.toLowerCase()].map((letter, index) => (index % 2 ? letter.toUpperCase() : letter)).join('');
	return [
		type.toLowerCase(),
		title.join(' '),
		words.join('-'),
		` ${title.join('_')} `,
		words.length > 1 ? words.map((word, index) => (index % 2 ? word.toUpperCase() : word)).join(' - ') : alternating,
	];
}

function actionSpelling(action, index) {
	if (action === 'REMOVED') return ['deleted', 'DELETED', 'Removed', 'removed', 'Deleted'][index % 5];
	return [action.toLowerCase(), action[0] + action.slice(1).toLowerCase(), action][index % 3];
}

/**
 * options:
 *   token            the valid token (valid cases carry it; token cases vary it)
 *   events           catalog events [{ name, resource: { type }, action }] (dist catalog's EVENTS)
 *   seed             order of the interleaving [1]
 *   payloadLimitMiB  n8n's N8N_PAYLOAD_SIZE_MAX, for the oversized body [16]
 */
export function hostileCorpus({ token, events, seed = 1, payloadLimitMiB = 16 }) {
	if (!token || !Array.isArray(events) || events.length === 0) throw new Error('hostileCorpus: give token and events');
	const cases = [];
	const auth = [TOKEN_HEADER, token];
	const typed = (contentType) => (contentType ? [auth, ['content-type', contentType]] : [auth]);
	const add = (group, kind, name, fields) => cases.push({ group, kind, name, method: 'POST', ...fields });
	// `contentType: undefined` sends no Content-Type at all; leaving it out sends application/json.
	const refuse = (group, name, fields) => {
		const headers = fields.headers ?? typed('contentType' in fields ? fields.contentType : JSON_TYPE);
		let answer = fields.answer ?? 'node-400';
		// n8n parses application/json itself, so JSON it cannot parse never reaches the node.
		if (answer === 'node-400' && fields.problem === 'The request body is not valid JSON' && n8nParsesJson(headers)) answer = 'n8n-422';
		add(group, 'refused', name, {
			headers,
			body: fields.body === undefined ? undefined : Buffer.from(fields.body),
			answer,
			problem: fields.problem,
			...(fields.method ? { method: fields.method } : {}),
		});
	};
	// What the node says about text it cannot use, whichever way it was sent.
	const notJson = (group, name, text) => {
		for (const contentType of [JSON_TYPE, 'text/plain', undefined]) {
			refuse(group, `${name} (${contentType ?? 'no content type'})`, { contentType, body: text, problem: 'The request body is not valid JSON' });
		}
	};
	const envelopeProblem = (group, name, envelope, problem) => {
		for (const contentType of [JSON_TYPE, 'text/plain']) {
			refuse(group, `${name} (${contentType})`, { contentType, body: JSON.stringify(envelope), problem });
		}
	};
	const sample = (event) => ({ ...sampleNotification(event), uuid: `corpus-${cases.length}` });
	const valid = (name, notification, event, fields = {}) => {
		const id = `corpus-${cases.length}`;
		notification.corpusCase = id;
		add('valid', 'valid', name, {
			headers: fields.headers ?? typed('contentType' in fields ? fields.contentType : JSON_TYPE),
			body: Buffer.from(fields.body?.(JSON.stringify(notification)) ?? JSON.stringify(notification)),
			answer: 'accepted',
			event,
			caseId: id,
		});
	};

	// --- truncated JSON: every sample cut at eight points ---
	for (const event of ['subscription.added', 'user.changed', 'company.removed', 'membership.added', 'invoice.added']) {
		const text = JSON.stringify(sampleNotification(event));
		for (const fraction of [0.02, 0.1, 0.25, 0.4, 0.5, 0.75, 0.9, 0.99]) {
			notJson('truncated JSON', `${event} cut at ${Math.round(fraction * 100)}%`, text.slice(0, Math.max(1, Math.floor(text.length * fraction))));
		}
	}

	// --- the required envelope fields with every wrong type ---
	for (const value of [undefined, ...WRONG_VALUES.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))]) {
		const envelope = { ...sampleNotification('user.added'), resource: value };
		if (value === undefined) delete envelope.resource;
		const problem =
			value === undefined ? 'resource is missing: this is not an AppDirect webhook notification' : `resource must be an object, got ${kindOf(value)}`;
		envelopeProblem('envelope field types', `resource = ${JSON.stringify(value) ?? 'missing'}`, envelope, problem);
	}
	for (const field of ['resource.type', 'resourceAction']) {
		for (const value of [undefined, ...WRONG_VALUES, '---', '!!', '_']) {
			const envelope = sampleNotification('user.added');
			if (field === 'resource.type') envelope.resource.type = value;
			else envelope.resourceAction = value;
			if (value === undefined) delete (field === 'resource.type' ? envelope.resource : envelope)[field.split('.').at(-1)];
			// resource.type is checked before resourceAction.
			const problem = nameProblem(value, field);
			envelopeProblem('envelope field types', `${field} = ${JSON.stringify(value) ?? 'missing'}`, envelope, problem);
		}
	}

	// --- top-level arrays, null and scalars ---
	for (const text of ['[]', '[1,2]', JSON.stringify([sampleNotification('user.added')]), 'null', '0', '42', '-1', '1e400', 'true', 'false', '"text"', '""']) {
		const problem = `The body must be a JSON object, got ${kindOf(JSON.parse(text))}`;
		for (const contentType of [JSON_TYPE, 'text/plain']) {
			refuse('not an object', `top-level ${text.slice(0, 20)} (${contentType})`, { contentType, body: text, problem });
		}
	}

	// --- deep nesting ---
	const tooDeep = 'The body is nested more than 100 levels deep';
	for (const levels of [100, 1000, 100_000]) {
		const arrays = '['.repeat(levels) + ']'.repeat(levels);
		const objects = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
		for (const [shape, inner] of [['arrays', arrays], ['objects', objects]]) {
			const text = JSON.stringify(sampleNotification('user.added')).replace(/\}$/, `,"deep":${inner}}`);
			for (const contentType of [JSON_TYPE, 'text/plain']) {
				refuse('deep nesting', `${shape} ${levels} levels under the envelope (${contentType})`, { contentType, body: text, problem: tooDeep });
			}
		}
	}
	refuse('deep nesting', 'a top-level array 100,000 levels deep', { body: '['.repeat(100_000) + ']'.repeat(100_000), problem: tooDeep });
	refuse('deep nesting', 'deep arrays and a __proto__ key (parsed with a reviver)', {
		contentType: 'text/plain',
		body: JSON.stringify(sampleNotification('user.added')).replace(/^\{/, `{"__proto__":{},"deep":${'['.repeat(50_000)}${']'.repeat(50_000)},`),
		problem: tooDeep,
	});

	// --- very long strings where the node needs short ones ---
	for (const length of [201, 10_000, 1_000_000]) {
		for (const field of ['resource.type', 'resourceAction']) {
			const envelope = sampleNotification('user.added');
			const long = 'X'.repeat(length);
			if (field === 'resource.type') envelope.resource.type = long;
			else envelope.resourceAction = long;
			envelopeProblem('long strings', `${field} of ${length} characters`, envelope, `${field} is longer than 200 characters`);
		}
	}

	// --- __proto__ and constructor keys that try to supply the required fields ---
	const base = JSON.stringify(sampleNotification('user.added'));
	const withoutResource = JSON.stringify({ ...sampleNotification('user.added'), resource: undefined });
	const withoutAction = JSON.stringify({ ...sampleNotification('user.added'), resourceAction: undefined });
	const protoCases = [
		['resource only under __proto__', withoutResource.replace(/^\{/, '{"__proto__":{"resource":{"type":"USER"}},'), 'resource is missing: this is not an AppDirect webhook notification'],
		['resource only under a \\u-escaped __proto__', withoutResource.replace(/^\{/, '{"\\u005f_proto__":{"resource":{"type":"USER"}},'), 'resource is missing: this is not an AppDirect webhook notification'],
		['resource only under constructor.prototype', withoutResource.replace(/^\{/, '{"constructor":{"prototype":{"resource":{"type":"USER"}}},'), 'resource is missing: this is not an AppDirect webhook notification'],
		['resource.type only under resource.__proto__', base.replace(/"type":"USER",?/, '"__proto__":{"type":"USER"},'), 'resource.type is missing'],
		['resourceAction only under __proto__', withoutAction.replace(/^\{/, '{"__proto__":{"resourceAction":"ADDED"},'), 'resourceAction is missing'],
		['resourceAction only under constructor.prototype', withoutAction.replace(/^\{/, '{"constructor":{"prototype":{"resourceAction":"ADDED"}},'), 'resourceAction is missing'],
		['resource = {"__proto__": …} alone', withoutResource.replace(/^\{/, '{"resource":{"__proto__":{"type":"USER","uuid":"x"}},'), 'resource.type is missing'],
		['__proto__ as the whole body', '{"__proto__":{"resource":{"type":"USER"},"resourceAction":"ADDED"}}', 'resource is missing: this is not an AppDirect webhook notification'],
	];
	for (const [name, text, problem] of protoCases) {
		for (const contentType of [JSON_TYPE, 'text/plain']) refuse('prototype keys', `${name} (${contentType})`, { contentType, body: text, problem });
	}

	// --- invalid UTF-8 where JSON needs structure ---
	const badBytes = { 'a lone 0xFF': [0xff], 'a truncated sequence': [0xc3], 'an overlong slash': [0xc0, 0xaf], 'a UTF-16 surrogate': [0xed, 0xa0, 0x80], 'bytes 0xFE 0xFF': [0xfe, 0xff] };
	for (const [label, bytes] of Object.entries(badBytes)) {
		const text = JSON.stringify(sampleNotification('company.added'));
		const at = text.indexOf('"resourceAction"');
		const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
		for (const contentType of [JSON_TYPE, 'text/plain']) {
			add('invalid UTF-8', 'refused', `${label} between two fields (${contentType})`, {
				headers: typed(contentType),
				body,
				answer: contentType === JSON_TYPE ? 'n8n-422' : 'node-400',
				problem: 'The request body is not valid JSON',
			});
		}
	}

	// --- bodies that are not JSON, in other content types ---
	const multipart = (boundary, parts) =>
		parts.map(([name, value, file]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`;
	const otherTypes = [
		['text/plain', 'hello'],
		['application/x-www-form-urlencoded', 'resource=USER&resourceAction=ADDED'],
		['application/x-www-form-urlencoded', 'resource%5Btype%5D=USER&resourceAction=ADDED'],
		['application/octet-stream', Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 254, 255])],
		['text/html', '<html><body>hello</body></html>'],
		['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
		['multipart/mixed; boundary=XYZ', multipart('XYZ', [['resource', '{"type":"USER"}']])],
		['application/javascript', 'alert(1)'],
	];
	for (const [contentType, body] of otherTypes) {
		refuse('content types', `not JSON, sent as ${contentType}`, { contentType, body, problem: 'The request body is not valid JSON' });
	}
	refuse('content types', 'multipart/form-data with resource and resourceAction fields', {
		contentType: 'multipart/form-data; boundary=XYZ',
		body: multipart('XYZ', [['resource', '{"type":"USER"}'], ['resourceAction', 'ADDED']]),
		// n8n hands the node its parsed form, { data: fields, files }, in which there is no resource.
		problem: 'resource is missing: this is not an AppDirect webhook notification',
	});
	refuse('content types', 'multipart/form-data with a file holding a notification', {
		contentType: 'multipart/form-data; boundary=XYZ',
		body: multipart('XYZ', [['notification', JSON.stringify(sampleNotification('user.added')), 'n.json']]),
		problem: 'resource is missing: this is not an AppDirect webhook notification',
	});
	refuse('content types', 'a notification sent as multipart/form-data without a boundary', {
		contentType: 'multipart/form-data',
		body: JSON.stringify(sampleNotification('user.added')),
		answer: 'n8n-400-form',
	});
	refuse('content types', 'a notification sent as multipart/form-data with a boundary it does not use', {
		contentType: 'multipart/form-data; boundary=XYZ',
		body: JSON.stringify(sampleNotification('user.added')),
		answer: 'n8n-400-form',
	});

	// --- empty and blank bodies ---
	for (const contentType of [JSON_TYPE, 'text/plain', undefined, 'application/x-www-form-urlencoded', 'application/octet-stream', 'text/html', 'multipart/mixed; boundary=XYZ']) {
		refuse('empty bodies', `no body (${contentType ?? 'no content type'})`, { contentType, body: '', problem: 'The request body is empty' });
	}
	for (const contentType of ['text/plain', undefined, 'application/octet-stream']) {
		refuse('empty bodies', `only blanks (${contentType ?? 'no content type'})`, { contentType, body: '  \n\t ', problem: 'The request body is empty' });
	}
	refuse('empty bodies', `only blanks (${JSON_TYPE})`, { body: '  \n\t ', answer: 'n8n-422' });
	refuse('empty bodies', 'an empty multipart/form-data form', { contentType: 'multipart/form-data; boundary=XYZ', body: '', problem: 'resource is missing: this is not an AppDirect webhook notification' });

	// --- over n8n's size limit ---
	const oversized = JSON.stringify({ ...sampleNotification('user.added'), padding: 'x'.repeat(Math.ceil((payloadLimitMiB + 0.5) * 1024 * 1024)) });
	refuse('size limit', `a notification over N8N_PAYLOAD_SIZE_MAX (${payloadLimitMiB} MiB)`, { body: oversized, answer: 'n8n-500-read' });

	// --- content encodings and charsets n8n handles before the node ---
	const notification = JSON.stringify(sampleNotification('user.added'));
	refuse('encodings', 'Content-Encoding gzip on a body that is not gzip', { headers: [...typed(JSON_TYPE), ['content-encoding', 'gzip']], body: notification, answer: 'n8n-500-read' });
	refuse('encodings', 'Content-Encoding deflate on a body that is not deflate', { headers: [...typed('text/plain'), ['content-encoding', 'deflate']], body: notification, answer: 'n8n-500-read' });
	refuse('encodings', 'Content-Encoding br (n8n does not decode it), JSON type', { headers: [...typed(JSON_TYPE), ['content-encoding', 'br']], body: zlib.brotliCompressSync(notification), answer: 'n8n-422' });
	refuse('encodings', 'Content-Encoding br (n8n does not decode it), text type', {
		headers: [...typed('text/plain'), ['content-encoding', 'br']],
		body: zlib.brotliCompressSync(notification),
		problem: 'The request body is not valid JSON',
	});
	refuse('encodings', 'Content-Encoding br (n8n does not decode it), no type', {
		headers: [auth, ['content-encoding', 'br']],
		body: zlib.brotliCompressSync(notification),
		problem: 'The request body is not valid JSON',
	});
	refuse('encodings', 'a charset Node.js does not know, JSON type', { contentType: 'application/json; charset=klingon', body: notification, answer: 'n8n-422' });
	refuse('encodings', 'a charset Node.js does not know, text type', { contentType: 'text/plain; charset=klingon', body: notification, answer: 'n8n-422' });

	// --- other HTTP methods ---
	for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
		refuse('methods', `${method} with a notification`, { method, body: method === 'GET' || method === 'HEAD' ? undefined : notification, answer: 'n8n-404-method' });
	}
	add('methods', 'preflight', 'OPTIONS (a CORS preflight)', { method: 'OPTIONS', headers: [auth], answer: 'n8n-204-options' });
	for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'SEARCH']) {
		refuse('methods', `${method}`, { method, headers: [auth], answer: 'n8n-500-method' });
	}

	// --- tokens (the body is a valid notification) ---
	const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
	const tokenCases = [
		['no token header', [], 'node-401-missing'],
		['an empty token header', [[TOKEN_HEADER, '']], 'node-401-missing'],
		['the token in Authorization: Bearer', [['authorization', `Bearer ${token}`]], 'node-401-missing'],
		['the token in a cookie', [['cookie', `${TOKEN_HEADER}=${token}`]], 'node-401-missing'],
		['the token as a query parameter only', [], 'node-401-missing', '?token='],
		['a wrong token of the same length', [[TOKEN_HEADER, flipped]], 'node-401-mismatch'],
		['the token plus one character', [[TOKEN_HEADER, `${token}0`]], 'node-401-mismatch'],
		['the token minus one character', [[TOKEN_HEADER, token.slice(0, -1)]], 'node-401-mismatch'],
		['the token in upper case', [[TOKEN_HEADER, token.toUpperCase()]], 'node-401-mismatch'],
		['a wrong token in the legacy header', [[LEGACY_TOKEN_HEADER, flipped]], 'node-401-mismatch'],
		['the token sent twice in one header name (joined "t, t")', [[TOKEN_HEADER, token], [TOKEN_HEADER, token]], 'node-401-mismatch'],
		['a wrong and the right token in two headers of the same name', [[TOKEN_HEADER, flipped], [TOKEN_HEADER, token]], 'node-401-mismatch'],
		['the legacy header sent twice', [[LEGACY_TOKEN_HEADER, token], [LEGACY_TOKEN_HEADER, token]], 'node-401-mismatch'],
		['a wrong token in the new header and the right one in the legacy header', [[TOKEN_HEADER, flipped], [LEGACY_TOKEN_HEADER, token]], 'node-401-mismatch'],
		['an 8 KB token', [[TOKEN_HEADER, `${token}${'x'.repeat(8000)}`]], 'node-401-mismatch'],
		['a 20 KB token (over the HTTP header limit)', [[TOKEN_HEADER, 'x'.repeat(20_000)]], 'node-431'],
		['a non-ASCII token (Latin-1 bytes)', [[TOKEN_HEADER, `${token.slice(0, -1)}é`]], 'node-401-mismatch'],
		['the token followed by non-ASCII bytes', [[TOKEN_HEADER, `${token}ÿ`]], 'node-401-mismatch'],
		['a token of control-like bytes', [[TOKEN_HEADER, '\u0080\u0081\u0082'.repeat(8)]], 'node-401-mismatch'],
	];
	for (const [name, headers, answer, query] of tokenCases) {
		refuse('tokens', name, { headers: [['content-type', JSON_TYPE], ...headers], body: notification, answer });
		if (query) cases.at(-1).query = `${query}${encodeURIComponent(token)}`;
	}
	// The token is checked before the body: bad bodies with a wrong token are 401 too,
	// except JSON n8n cannot parse, which n8n refuses before the node runs.
	for (const [name, contentType, body, answer] of [
		['a wrong token and an empty body', JSON_TYPE, '', 'node-401-mismatch'],
		['a wrong token and a top-level array', JSON_TYPE, '[]', 'node-401-mismatch'],
		['a wrong token and deep nesting', 'text/plain', '['.repeat(10_000) + ']'.repeat(10_000), 'node-401-mismatch'],
		['a wrong token and text', 'text/plain', 'hello', 'node-401-mismatch'],
		['a wrong token and malformed JSON', JSON_TYPE, '{"resource":', 'n8n-422'],
	]) {
		refuse('tokens', name, { headers: [['content-type', contentType], [TOKEN_HEADER, flipped]], body, answer });
	}

	// --- ignored: well-formed, but for events nobody selected (200 "ignored", nothing started) ---
	const ignoredCases = [
		['an unknown resource type', (n) => (n.resource.type = 'SUPPORT_TICKET')],
		['an unknown action', (n) => (n.resourceAction = 'ARCHIVED')],
		['a type spelled with dots', (n) => (n.resource.type = 'Support.Ticket')],
		...Object.entries(badBytes).map(([label, bytes]) => [`${label} inside resource.type`, null, bytes]),
	];
	for (const [name, edit, bytes] of ignoredCases) {
		const n = sampleNotification('user.added');
		if (edit) edit(n);
		const text = JSON.stringify(n);
		const body = bytes ? Buffer.concat([Buffer.from(text.slice(0, text.indexOf('USER') + 2)), Buffer.from(bytes), Buffer.from(text.slice(text.indexOf('USER') + 2))]) : Buffer.from(text);
		add('ignored', 'ignored', name, { headers: typed(JSON_TYPE), body, answer: 'ignored' });
	}

	// --- XML content types: n8n parses XML first ---
	for (const [name, contentType, body, otherwise, problem] of [
		['a notification sent as application/xml', 'application/xml', notification, 'accepted'],
		['a notification sent as text/xml', 'text/xml', notification, 'accepted'],
		['XML sent as application/xml', 'application/xml', '<notification><resource>USER</resource></notification>', 'node-400', 'The request body is not valid JSON'],
		['text sent as application/atom+xml', 'application/atom+xml', 'hello', 'node-400', 'The request body is not valid JSON'],
	]) {
		const n = otherwise === 'accepted' ? sample('user.added') : undefined;
		if (n) n.corpusCase = `corpus-${cases.length}`;
		add('XML', 'n8n-xml', name, {
			headers: typed(contentType),
			body: Buffer.from(n ? JSON.stringify(n) : body),
			answer: 'n8n-xml',
			otherwise,
			problem,
			...(n ? { event: 'user.added', caseId: n.corpusCase } : {}),
		});
	}

	// --- valid notifications, interleaved with all of the above ---
	for (const event of events) valid(`${event.name}`, sample(event.name), event.name);
	const types = [...new Map(events.map((event) => [event.resource.type, event])).values()];
	types.forEach((first, typeIndex) => {
		oddSpellings(first.resource.type).forEach((spelling, index) => {
			const event = events.filter((e) => e.resource.type === first.resource.type)[(typeIndex + index) % first.resource.actions.length];
			const n = sample(event.name);
			n.resource.type = spelling;
			n.resourceAction = actionSpelling(event.action, typeIndex + index);
			valid(`${event.name} spelled "${spelling}" / "${n.resourceAction}"`, n, event.name);
		});
	});
	const anyType = [
		['application/json; charset=utf-8'],
		['application/json; charset=UTF-8'],
		['text/plain'],
		['text/plain; charset=utf-8'],
		[undefined],
		['application/octet-stream'],
		['application/x-www-form-urlencoded'],
		['application/vnd.appdirect+json'],
		['text/html'],
		['multipart/mixed; boundary=XYZ'],
		['application/octet-stream; charset=klingon'],
		['image/png'],
	];
	for (const [contentType] of anyType) valid(`sent as ${contentType ?? 'no content type'}`, sample('subscription.changed'), 'subscription.changed', { contentType });
	valid('with a byte order mark (text/plain)', sample('user.changed'), 'user.changed', { contentType: 'text/plain', body: (text) => `\ufeff${text}` });
	valid('with a byte order mark (application/json)', sample('user.changed'), 'user.changed', { body: (text) => `\ufeff${text}` });
	valid('gzip-encoded', sample('company.changed'), 'company.changed', {
		headers: [...typed(JSON_TYPE), ['content-encoding', 'gzip']],
		body: (text) => zlib.gzipSync(text),
	});
	valid('deflate-encoded, sent as text/plain', sample('company.changed'), 'company.changed', {
		headers: [...typed('text/plain'), ['content-encoding', 'deflate']],
		body: (text) => zlib.deflateSync(text),
	});
	valid('the token in the legacy header', sample('order.added'), 'order.added', { headers: [[LEGACY_TOKEN_HEADER, token], ['content-type', JSON_TYPE]] });
	valid('the token header name in upper case', sample('order.added'), 'order.added', { headers: [[TOKEN_HEADER.toUpperCase(), token], ['content-type', JSON_TYPE]] });
	// Optional fields of the wrong type: accepted, the item's field is null.
	const optional = {
		uuid: [null, 42, true, [], {}, ''],
		timestamp: ['yesterday', null, true, [], {}, -1e20, '20251127'],
		'resource.uuid': [null, 7, false, [], { id: 'x' }],
		'resource.url': [42, '', {}, 'not a url', null],
		'resource.content': ['text', 42, [], null, true],
	};
	for (const [field, values] of Object.entries(optional)) {
		for (const value of values) {
			const n = sample('user.changed');
			if (field.startsWith('resource.')) n.resource[field.slice('resource.'.length)] = value;
			else n[field] = value;
			valid(`${field} = ${JSON.stringify(value)}`, n, 'user.changed');
		}
	}
	for (const [label, bytes] of Object.entries(badBytes)) {
		const n = sample('user.changed');
		n.resource.content.firstName = 'MARKER';
		valid(`${label} inside a content string`, n, 'user.changed', {
			body: (text) => {
				const at = text.indexOf('MARKER');
				return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]);
			},
		});
	}
	{
		const n = sample('user.added');
		valid('__proto__ and constructor keys inside content', n, 'user.added', {
			body: (text) => text.replace('"content":{', '"content":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},'),
		});
		const deepButAllowed = sample('user.added');
		let nested = 'bottom';
		for (let level = 0; level < 90; level++) nested = [nested];
		deepButAllowed.resource.content.nested = nested;
		valid('content nested 93 levels deep (under the limit)', deepButAllowed, 'user.added');
		const longField = sample('company.changed');
		longField.resource.content.notes = 'n'.repeat(1_000_000);
		valid('a 1 MB unknown string field', longField, 'company.changed');
		const large = largeSubscription(2000);
		large.uuid = `corpus-${cases.length}`;
		valid('a subscription with 2,000 order lines', large, 'subscription.added');
		const unknownFields = sample('invoice.changed');
		unknownFields.newTopLevelField = { added: 'in 2027' };
		unknownFields.resource.newField = [1, 2, 3];
		valid('unknown fields everywhere', unknownFields, 'invoice.changed');
	}

	// Interleave everything, reproducibly, and number the cases in sending order.
	const random = seededRandom(seed);
	for (let index = cases.length - 1; index > 0; index--) {
		const other = Math.floor(random() * (index + 1));
		[cases[index], cases[other]] = [cases[other], cases[index]];
	}
	return cases.map((testCase, index) => ({ id: index + 1, ...testCase }));
}

/** Counts per kind and per group, for reports. */
export function corpusSummary(cases) {
	const byKind = {};
	const byGroup = {};
	for (const testCase of cases) {
		byKind[testCase.kind] = (byKind[testCase.kind] ?? 0) + 1;
		byGroup[testCase.group] = (byGroup[testCase.group] ?? 0) + 1;
	}
	return { total: cases.length, byKind, byGroup };
}

export { REFUSED_ANSWERS };
