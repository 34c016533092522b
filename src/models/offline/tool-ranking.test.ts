import { describe, expect, it } from 'vitest';
import type { ToolSpec } from '../../contracts/index.js';
import { extractEntities } from './entities.js';
import { OPS_TOOL_SPECS } from '../testing/fake-ops-tools.js';
import { isQuestion, requestedActions } from './intent.js';
import { entityKindsOf, isReadOnlyTool, profileTool, rankTools } from './tool-ranking.js';
import { conceptsOf, pastTense, spokenVerb, splitIdentifier, stem } from './vocabulary.js';

function rank(task: string, specs: readonly ToolSpec[] = OPS_TOOL_SPECS): string[] {
  return rankTools({
    profiles: specs.map(profileTool),
    concepts: conceptsOf(task),
    verbs: requestedActions(task),
    entityKinds: entityKindsOf(extractEntities(task)),
  }).map((tool) => tool.profile.spec.name);
}

describe('vocabulary', () => {
  it('splits camelCase and snake_case names into words', () => {
    expect(splitIdentifier('sendShippingConfirmation')).toEqual(['send', 'shipping', 'confirmation']);
    expect(splitIdentifier('crm__search_customers')).toEqual(['crm', 'search', 'customers']);
    expect(splitIdentifier('getHTTPStatus')).toEqual(['get', 'http', 'status']);
  });

  it('stems the forms of a word to one', () => {
    expect(new Set(['ship', 'shipped', 'shipping', 'ships'].map(stem))).toEqual(new Set(['ship']));
    expect(stem('confirmation')).toBe('confirm');
    expect(stem('customers')).toBe('customer');
    expect(stem('status')).toBe('status');
  });

  it('maps synonyms to one concept', () => {
    expect(conceptsOf('the buyer')).toEqual(conceptsOf('the client'));
    expect(conceptsOf('it went out today')).toEqual(conceptsOf('it shipped'));
    expect(conceptsOf('open a ticket')).toEqual(conceptsOf('create an issue'));
  });

  it('puts verbs in the past tense', () => {
    expect(['send', 'add', 'create', 'ship', 'deploy', 'notify', 'rollback'].map(pastTense)).toEqual([
      'sent',
      'added',
      'created',
      'shipped',
      'deployed',
      'notified',
      'rolled back',
    ]);
  });

  it('says a one-word tool verb as a person does', () => {
    expect(['rollback', 'deploy'].map(spokenVerb)).toEqual(['roll back', 'deploy']);
  });
});

describe('requestedActions', () => {
  it('reads verbs as verbs and nouns as nouns', () => {
    expect(requestedActions('Email the customer a shipping confirmation.')).toEqual(new Set(['send']));
    expect(requestedActions('XYZ-789 went out today — let the customer know by email')).toEqual(new Set(['send']));
    expect(requestedActions('I need you to note that the customer called')).toEqual(new Set(['create']));
    expect(requestedActions('what is the email of the customer on order XYZ-789?')).toEqual(new Set());
    expect(requestedActions('Order XYZ-789 has shipped and the customer was notified')).toEqual(new Set());
  });

  it('treats "tell me" and "let me know" as asking for an answer', () => {
    expect(requestedActions('tell me the email for XYZ-789')).toEqual(new Set());
    expect(requestedActions('let me know the status of XYZ-789')).toEqual(new Set());
  });

  it('recognises questions', () => {
    expect(isQuestion('what is the email of the customer on order XYZ-789?')).toBe(true);
    expect(isQuestion('Send a shipping confirmation for order XYZ-789')).toBe(false);
  });
});

describe('isReadOnlyTool', () => {
  it('trusts readOnlyHint, and reads the name when there is none', () => {
    expect(
      isReadOnlyTool({ name: 'x__get_order', description: '', inputSchema: {}, annotations: { readOnlyHint: false } }),
    ).toBe(false);
    expect(isReadOnlyTool({ name: 'x__lookupCustomer', description: '', inputSchema: {} })).toBe(true);
    expect(isReadOnlyTool({ name: 'x__list_orders', description: '', inputSchema: {} })).toBe(true);
    expect(isReadOnlyTool({ name: 'x__refund_order', description: '', inputSchema: {} })).toBe(false);
  });
});

describe('rankTools', () => {
  it.each([
    'Order XYZ-789 has shipped. Email the customer a shipping confirmation.',
    'XYZ-789 went out today — let the customer know by email',
    'please notify the customer of order XYZ-789 that it shipped',
    'email shipping confirmation to the buyer of XYZ-789',
  ])('ranks the shipping confirmation first for %j', (task) => {
    expect(rank(task)[0]).toBe('email__sendShippingConfirmation');
  });

  it('ranks the email lookup first for a question about the email', () => {
    expect(rank('what is the email of the customer on order XYZ-789?')[0]).toBe('crm__getCustomerEmail');
  });

  it('ranks notes and issues by their own words', () => {
    expect(rank('Add a note to order XYZ-789: customer called')[0]).toBe('notes__add_note');
    expect(rank('open a ticket: Lisa Park never got her ring')[0]).toBe('issues__create_issue');
  });

  it('keeps catalog order on ties, so ranking is deterministic', () => {
    const shuffled = [...OPS_TOOL_SPECS].reverse();
    expect(rank('book me a flight to Paris', shuffled)).toEqual(shuffled.map((spec) => spec.name));
  });
});
