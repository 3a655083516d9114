import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

/** Names an n8n expression may use bare between `{{ }}`; any other bare name is a contact field n8n blanked. */
const EXPRESSION_GLOBALS = new Set([
  'Math',
  'DateTime',
  'Duration',
  'Interval',
  'JSON',
  'Number',
  'String',
  'Object',
  'Array',
  'Date',
  'Boolean',
  'true',
  'false',
  'null',
  'undefined',
  'NaN',
  'Infinity',
]);
const BARE_BRACED = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/**
 * Placeholders in the first syntax (`{{firstName}}`) inside a Message in expression mode (the raw
 * parameter starts with `=`): n8n evaluates them itself, to nothing, before the sending sees the text.
 */
export function swallowedPlaceholders(rawParameter: unknown): string[] {
  if (typeof rawParameter !== 'string' || !rawParameter.startsWith('=')) return [];
  const names = new Set<string>();
  for (const match of rawParameter.matchAll(BARE_BRACED)) {
    if (!EXPRESSION_GLOBALS.has(match[1].split('.')[0])) names.add(match[1]);
  }
  return [...names];
}

/** The Message parameter, refused when n8n has already blanked a personalization field in it. */
export function messageParameter(context: IExecuteFunctions, itemIndex: number): string {
  const swallowed = swallowedPlaceholders(context.getNode().parameters.message);
  if (swallowed.length > 0) {
    const list = swallowed.map((name) => `{{${name}}}`).join(', ');
    throw new NodeOperationError(
      context.getNode(),
      `Message is an expression, so n8n filled ${list} itself (with nothing) before the sending saw it`,
      {
        itemIndex,
        description: `Write contact fields as ${swallowed.map((name) => `[[${name}]]`).join(', ')}: n8n leaves [[ ]] alone and the sending fills it for each recipient. Keep {{ }} for n8n expressions such as {{ $json.code }}.`,
      },
    );
  }
  return context.getNodeParameter('message', itemIndex) as string;
}
