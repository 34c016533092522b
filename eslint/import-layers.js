// @ts-check
/**
 * A small ESLint rule that keeps the layers of src/ apart (docs/architecture.md): each top folder of src/ is a
 * layer, and a file may import another layer only when the layer map lets it. Relative imports are resolved to
 * the file they point at, so `../../store/x.js` from src/cli/commands/ is a `cli → store` import, and
 * src/servers/shared/ is the servers' own folder, not src/shared/. Known exceptions are listed one by one in
 * `allow` with their reason, never silently.
 *
 * Written here rather than taken from eslint-plugin-boundaries or eslint-plugin-import: the check is twenty lines
 * on resolved paths, and neither plugin is needed for anything else.
 */
import { dirname, relative, resolve, sep } from 'node:path';

/** @param {string} file @param {string} root @returns {string | undefined} the layer (top folder under root) */
function layerOf(file, root) {
  const path = relative(root, file);
  if (path.startsWith('..') || path === '') return undefined;
  const [first, ...rest] = path.split(sep);
  return rest.length === 0 ? '(root)' : first;
}

/** @type {import('eslint').Rule.RuleModule} */
const importLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'Layers of src/ import only the layers below them (docs/architecture.md).' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: { from: { type: 'string' }, to: { type: 'string' }, because: { type: 'string' } },
              required: ['from', 'to', 'because'],
            },
          },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      forbidden: '{{from}}/ may not import {{to}}/ ({{file}} imports {{specifier}}). {{from}}/ may import: {{allowed}}. See docs/architecture.md.',
      unknownLayer: '{{from}}/ is not in the layer map of eslint.config.js: add it with the layers it may import.',
    },
  },
  create(context) {
    const options = context.options[0];
    const root = resolve(context.cwd, options.root);
    const file = context.filename;
    const from = layerOf(file, root);
    if (from === undefined) return {};
    const allowed = options.layers[from];
    const fileFromCwd = relative(context.cwd, file).split(sep).join('/');
    const exceptions = (options.allow ?? []).filter((entry) => entry.from === fileFromCwd).map((entry) => entry.to);

    /** @param {import('estree').Node & { source?: import('estree').Node | null }} node */
    function check(node) {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      if (!specifier.startsWith('.')) return;
      const to = layerOf(resolve(dirname(file), specifier), root);
      if (to === undefined || to === from || to === '(root)') return;
      if (allowed === undefined) {
        context.report({ node: source, messageId: 'unknownLayer', data: { from } });
        return;
      }
      if (allowed.includes(to) || exceptions.includes(to)) return;
      context.report({
        node: source,
        messageId: 'forbidden',
        data: { from, to, file: fileFromCwd, specifier, allowed: allowed.length > 0 ? allowed.join(', ') : 'nothing of ours' },
      });
    }

    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'import-layers': importLayers } };
