// docs/api.md, generated from the one contract (node-agent/src/api): every method and event with its schemas.
import { z } from 'zod';
import { errorCodes, events, methodNames, methods } from '../node-agent/src/api';

const schemaText = (schema: z.ZodType, io: 'input' | 'output'): string => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return JSON.stringify(json, null, 2);
};

export const apiDoc = (): string => {
  const out: string[] = [
    '# Agent API',
    '',
    'Generated from `node-agent/src/api` by `npm run docs` — do not edit by hand.',
    'JSON-RPC 2.0, one message per line, over the bridge (`hyperdesk-agent bridge`) or the daemon socket.',
    `Errors carry \`{code, message, details}\`; codes: ${errorCodes.map((c) => `\`${c}\``).join(', ')}.`,
    '',
    '## Methods',
    '',
    '| method | privilege | what it does |',
    '| --- | --- | --- |',
    ...methodNames.map((name) => `| [\`${name}\`](#${name.replace(/\./g, '')}) | ${methods[name].privilege} | ${methods[name].doc}${'task' in methods[name] ? ' (task)' : ''} |`),
    '',
  ];
  for (const name of methodNames) {
    const spec = methods[name];
    out.push(`### ${name}`, '', spec.doc, '', `Privilege: \`${spec.privilege}\`.${'task' in spec ? ' Starts a task and returns its UPID at once.' : ''}`, '');
    out.push('Params:', '', '```json', schemaText(spec.params, 'input'), '```', '', 'Result:', '', '```json', schemaText(spec.result, 'output'), '```', '');
  }
  out.push('## Events', '', 'Sent as `{"jsonrpc":"2.0","method":"event","params":{subscription, topic, revision, epoch, data}}` after `events.subscribe`.', '');
  for (const [topic, spec] of Object.entries(events)) {
    out.push(`### ${topic}`, '', spec.doc, '', '```json', schemaText(spec.data, 'output'), '```', '');
  }
  return out.join('\n');
};
