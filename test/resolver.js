// TypeScript spells an import of a .cts test module with .cjs; point jest at the .cts source
// when there is one (real .cjs files, such as n8n-workflow's, resolve as usual).
const { existsSync } = require('fs');
const path = require('path');

module.exports = (request, options) => {
	if (request.startsWith('.') && request.endsWith('.cjs')) {
		const source = path.resolve(options.basedir, request.replace(/\.cjs$/, '.cts'));
		if (existsSync(source)) return source;
	}
	return options.defaultResolver(request, options);
};
