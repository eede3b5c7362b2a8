import { readFileSync } from 'fs';
import { join } from 'path';
import { RESOURCES } from '../../nodes/AppDirect/shared/catalog';

// The exported item types are written by hand for readable editor hints; this keeps them in
// step with the catalog, which is what the node really emits.
const source = readFileSync(join(__dirname, '../../nodes/AppDirect/shared/types.ts'), 'utf8');

function declaredFields(typeName: string): string[] {
	const start = source.indexOf(`export type ${typeName} =`);
	if (start === -1) return [];
	const body = source.slice(start, source.indexOf('>;', start));
	const block = body.slice(body.indexOf('Nullable<{') + 'Nullable<{'.length);
	return [...block.matchAll(/(\w+):/g)].map((match) => match[1]).sort();
}

const typeNameOf = (resourceType: string) =>
	resourceType.endsWith('_PRODUCT')
		? 'AppDirectProductItem'
		: `AppDirect${resourceType
				.toLowerCase()
				.split('_')
				.map((word) => word[0].toUpperCase() + word.slice(1))
				.join('')}Item`;

describe('exported item types', () => {
	it.each(RESOURCES.filter((resource) => resource.fields.length > 0).map((resource) => [resource.type, resource] as const))(
		'%s: the TypeScript item type lists exactly the catalog fields',
		(type, resource) => {
			expect(declaredFields(typeNameOf(type))).toEqual(resource.fields.map((field) => field.name).sort());
		},
	);
});
