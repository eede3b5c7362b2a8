// Copies what tsc does not emit (icons, output schemas) into dist/, keeping folder layout.
const { src, dest, series } = require('gulp');

function copyIcons() {
	return src(['nodes/**/*.svg', 'nodes/**/*.png', 'credentials/**/*.svg', 'credentials/**/*.png'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

function copySchemas() {
	return src(['nodes/**/__schema__/**/*.json'], { base: '.' }).pipe(dest('dist'));
}

exports['build:icons'] = series(copyIcons, copySchemas);
exports.default = exports['build:icons'];
