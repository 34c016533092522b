import { describe, expect, it } from 'vitest';
import type { ToolSpec } from '../../contracts/index.js';
import { fillArguments } from './argument-filling.js';
import type { Knowledge } from './compose-text.js';
import { extractEntities } from './entities.js';
import { factsFromOutput } from './facts.js';
import { OPS_TOOL_SPECS } from '../testing/fake-ops-tools.js';
import { classifyParameter } from './parameters.js';
import { profileTool } from './tool-ranking.js';

function spec(name: string): ToolSpec {
  const found = OPS_TOOL_SPECS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}

function knowledge(task: string, results: readonly [string, string][] = []): Knowledge {
  return {
    task,
    entities: extractEntities(task),
    facts: results.flatMap(([source, output]) => factsFromOutput(output, source)),
  };
}

const CUSTOMER_EMAIL_RESULT: [string, string] = [
  'crm__getCustomerEmail',
  '{"order_id":"XYZ-789","customer_id":"C-1001","customer_name":"Lisa Park","email":"lisa.park@example.com"}',
];

describe('classifyParameter', () => {
  it('reads kinds from names, formats and descriptions', () => {
    expect(classifyParameter('order_id', {})).toBe('orderId');
    expect(classifyParameter('orderId', {})).toBe('orderId');
    expect(classifyParameter('email', { format: 'email' })).toBe('email');
    expect(classifyParameter('to', { type: 'string', description: 'Recipient email address' })).toBe('email');
    expect(classifyParameter('order_details', { type: 'string' })).toBe('text');
    expect(classifyParameter('email_subject', { type: 'string' })).toBe('title');
    expect(classifyParameter('id', {}, ['get', 'customer'])).toBe('customerId');
    expect(classifyParameter('entity_id', {})).toBe('entityId');
    expect(classifyParameter('environment', { enum: ['staging', 'production'] })).toBe('environment');
  });
});

describe('fillArguments', () => {
  it('fills an order id from the task', () => {
    const plan = fillArguments(
      profileTool(spec('crm__getCustomerEmail')),
      knowledge('Send a confirmation for XYZ-789'),
    );
    expect(plan).toEqual({ candidates: [{ order_id: 'XYZ-789' }], missing: [] });
  });

  it('reports a required value it cannot find', () => {
    const plan = fillArguments(
      profileTool(spec('email__sendShippingConfirmation')),
      knowledge('Send a confirmation for XYZ-789'),
    );
    expect(plan.candidates).toEqual([]);
    expect(plan.missing.map((parameter) => parameter.name)).toEqual(['email']);
  });

  it('takes the email from an earlier result and composes the details', () => {
    const plan = fillArguments(
      profileTool(spec('email__sendShippingConfirmation')),
      knowledge('Order XYZ-789 has shipped. Email the customer.', [CUSTOMER_EMAIL_RESULT]),
    );
    expect(plan.missing).toEqual([]);
    expect(plan.candidates[0]).toEqual({
      email: 'lisa.park@example.com',
      order_details: 'Order XYZ-789 has shipped. Customer id: C-1001; customer name: Lisa Park.',
    });
  });

  it('takes the email the user gave, never one a tool found instead', () => {
    const plan = fillArguments(
      profileTool(spec('email__sendShippingConfirmation')),
      knowledge('Send the confirmation for XYZ-789 to lisa@work.example.com', [CUSTOMER_EMAIL_RESULT]),
    );
    expect(plan.candidates.map((candidate) => candidate.email)).toEqual(['lisa@work.example.com']);
  });

  it('offers alternatives one parameter at a time, for a retry after an error', () => {
    const plan = fillArguments(profileTool(spec('crm__getCustomerEmail')), knowledge('orders XYZ-000 and XYZ-789'));
    expect(plan.candidates).toEqual([{ order_id: 'XYZ-000' }, { order_id: 'XYZ-789' }]);
  });

  it('uses quoted text for message parameters and ids named in the description', () => {
    const plan = fillArguments(
      profileTool(spec('notes__add_note')),
      knowledge('Add a note to C-1001 saying "prefers phone calls"'),
    );
    expect(plan.candidates[0]).toEqual({ entity_id: 'C-1001', text: 'prefers phone calls' });
  });

  it('fits enums, coerces types and sets optional values only when the task states them', () => {
    const deploy = profileTool({
      name: 'devops__deploy',
      description: 'Deploy a branch.',
      inputSchema: {
        type: 'object',
        properties: {
          branch: { type: 'string' },
          environment: { type: 'string', enum: ['staging', 'prod'] },
          replicas: { type: 'integer' },
          dry_run: { type: 'boolean' },
          notes: { type: 'string' },
        },
        required: ['environment', 'dry_run'],
      },
    });
    expect(fillArguments(deploy, knowledge('deploy feature/x to production')).candidates[0]).toEqual({
      environment: 'prod',
      dry_run: false,
      branch: 'feature/x',
    });
  });

  it('never writes through a property named __proto__', () => {
    const tool = profileTool({
      name: 'x__get_order',
      description: 'Get an order.',
      inputSchema: {
        type: 'object',
        properties: { ['__proto__']: { type: 'string', default: 'polluted' } },
        required: ['__proto__'],
      },
    });
    const [input] = fillArguments(tool, knowledge('get it')).candidates;
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(Object.hasOwn(input ?? {}, '__proto__')).toBe(true);
  });
});
