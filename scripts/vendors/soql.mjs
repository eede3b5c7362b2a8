// A deliberately tiny, strict reader of SOQL for the Salesforce stand-in: it understands exactly the
// shape n8n's Salesforce node builds for "Get Many" (and a template's "Query" with the same shape):
//
//   SELECT field, field FROM Object [WHERE Field = 'x' [AND Field != 'y' …]] [LIMIT n]
//
// Values: quoted strings (with SOQL's backslash escapes), numbers, true, false, null. Anything else
// (other operators, OR, ORDER BY, sub-queries, date literals, functions) is refused with the error
// Salesforce gives for a query it cannot read (MALFORMED_QUERY), so a template that relies on more
// fails here instead of passing against a lenient stand-in.

export class SoqlError extends Error {
	constructor(message, errorCode = 'MALFORMED_QUERY') {
		super(message);
		this.errorCode = errorCode;
	}
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Words SOQL reserves: never a field or object name (so `SELECT Id, FROM x` is refused). */
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'LIMIT', 'ORDER', 'GROUP', 'BY', 'HAVING', 'OFFSET', 'LIKE', 'IN', 'NULL', 'TRUE', 'FALSE']);
const ESCAPES = { "'": "'", '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** Splits the query into words, names, symbols and string literals (decoded), keeping positions. */
function tokenise(text) {
	const tokens = [];
	let i = 0;
	while (i < text.length) {
		const char = text[i];
		if (/\s/.test(char)) {
			i += 1;
			continue;
		}
		if (char === "'") {
			let value = '';
			let j = i + 1;
			for (;;) {
				if (j >= text.length) throw new SoqlError(`unterminated string starting at column ${i + 1}`);
				if (text[j] === '\\') {
					const escaped = ESCAPES[text[j + 1]];
					if (escaped === undefined) throw new SoqlError(`Invalid string literal: unknown escape \\${text[j + 1] ?? ''} at column ${j + 1}`);
					value += escaped;
					j += 2;
					continue;
				}
				if (text[j] === "'") break;
				value += text[j];
				j += 1;
			}
			tokens.push({ kind: 'string', value, at: i + 1 });
			i = j + 1;
			continue;
		}
		if (char === '!' && text[i + 1] === '=') {
			tokens.push({ kind: 'symbol', value: '!=', at: i + 1 });
			i += 2;
			continue;
		}
		if (char === ',' || char === '=') {
			tokens.push({ kind: 'symbol', value: char, at: i + 1 });
			i += 1;
			continue;
		}
		const word = /^[A-Za-z0-9_.-]+/.exec(text.slice(i));
		if (!word) throw new SoqlError(`unexpected token '${char}' at column ${i + 1}`);
		tokens.push({ kind: 'word', value: word[0], at: i + 1 });
		i += word[0].length;
	}
	return tokens;
}

function literal(token) {
	if (!token) throw new SoqlError('a value is missing at the end of the query');
	if (token.kind === 'string') return token.value;
	if (token.kind === 'word') {
		const lower = token.value.toLowerCase();
		if (lower === 'true') return true;
		if (lower === 'false') return false;
		if (lower === 'null') return null;
		if (/^-?\d+(\.\d+)?$/.test(token.value)) return Number(token.value);
	}
	throw new SoqlError(`unexpected token: '${token.value}' at column ${token.at}; this stand-in reads quoted strings, numbers, true, false and null`);
}

/**
 * Reads one query. Returns `{ fields, object, conditions: [{ field, operator, value }], limit }`;
 * names are as written (the caller checks them against the object's fields).
 */
export function parseSoql(text) {
	if (typeof text !== 'string' || !text.trim()) throw new SoqlError('the query is empty');
	const tokens = tokenise(text);
	let position = 0;
	const peek = () => tokens[position];
	const next = () => tokens[position++];
	const keyword = (word) => peek()?.kind === 'word' && peek().value.toUpperCase() === word;
	const expectKeyword = (word) => {
		if (!keyword(word)) throw new SoqlError(`expecting '${word}', found '${peek()?.value ?? 'end of query'}'`);
		next();
	};
	const name = (what) => {
		const token = next();
		if (!token || token.kind !== 'word' || !NAME.test(token.value) || RESERVED.has(token.value.toUpperCase())) {
			throw new SoqlError(`expecting a ${what} name, found '${token?.value ?? 'end of query'}'${token ? ` at column ${token.at}` : ''}`);
		}
		return token.value;
	};

	expectKeyword('SELECT');
	const fields = [name('field')];
	while (peek()?.value === ',') {
		next();
		fields.push(name('field'));
	}
	expectKeyword('FROM');
	const object = name('object');
	const conditions = [];
	if (keyword('WHERE')) {
		next();
		for (;;) {
			const field = name('field');
			const operator = next();
			if (!operator || operator.kind !== 'symbol' || !['=', '!='].includes(operator.value)) {
				throw new SoqlError(`unexpected token: '${operator?.value ?? 'end of query'}'; this stand-in reads only = and != comparisons`);
			}
			conditions.push({ field, operator: operator.value, value: literal(next()) });
			if (!keyword('AND')) break;
			next();
		}
	}
	let limit;
	if (keyword('LIMIT')) {
		next();
		const token = next();
		if (!token || token.kind !== 'word' || !/^\d+$/.test(token.value)) throw new SoqlError(`expecting a number after LIMIT, found '${token?.value ?? 'end of query'}'`);
		limit = Number(token.value);
	}
	if (position < tokens.length) {
		throw new SoqlError(`unexpected token: '${peek().value}' at column ${peek().at}; this stand-in reads SELECT … FROM … [WHERE … [AND …]] [LIMIT n] only`);
	}
	return { fields, object, conditions, limit };
}
