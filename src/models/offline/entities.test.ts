import { describe, expect, it } from 'vitest';
import { extractEntities, isEmpty } from './entities.js';

describe('extractEntities', () => {
  it('finds order ids by shape and after "order"', () => {
    expect(extractEntities('Order XYZ-789 has shipped; also ORD-1234 and order #5521').orderIds).toEqual([
      'XYZ-789',
      'ORD-1234',
      '5521',
    ]);
    expect(extractEntities('please check order xyz-790').orderIds).toEqual(['XYZ-790']);
  });

  it('does not mistake customer ids, issues or SKUs for orders', () => {
    const entities = extractEntities('C-1001 reported ISS-42 about SKU-RING-001 and RNG-14K-07');
    expect(entities.orderIds).toEqual([]);
    expect(entities.customerIds).toEqual(['C-1001']);
    expect(entities.issueIds).toEqual(['ISS-42']);
    expect(entities.skus).toEqual(['SKU-RING-001', 'RNG-14K-07']);
  });

  it('reads #42 as an issue unless it follows "order"', () => {
    expect(extractEntities('see #42 and order #77').issueIds).toEqual(['#42']);
  });

  it('finds customer names in the usual phrasings', () => {
    expect(extractEntities('Lisa Park says her ring never arrived').customerNames).toEqual(['Lisa Park']);
    expect(extractEntities('the customer Lisa Park called').customerNames).toEqual(['Lisa Park']);
    expect(extractEntities("Lisa Park's order is late").customerNames).toEqual(['Lisa Park']);
    expect(extractEntities('Ask Lisa Park whether it arrived').customerNames).toEqual(['Lisa Park']);
    expect(extractEntities('customer Mark Bell wants a refund').customerNames).toEqual(['Mark Bell']);
  });

  it('ignores capitalised words that are not names', () => {
    expect(
      extractEntities('Order XYZ-789 has shipped. Email The Customer a Shipping Confirmation.').customerNames,
    ).toEqual([]);
    expect(extractEntities('Send it on Monday March 3').customerNames).toEqual([]);
  });

  it('finds email addresses without trailing punctuation', () => {
    expect(extractEntities('Write to lisa.park@example.com. Or omar+ops@mail.example.co.uk').emails).toEqual([
      'lisa.park@example.com',
      'omar+ops@mail.example.co.uk',
    ]);
  });

  it('finds branches and normalises environments', () => {
    const entities = extractEntities('deploy feature/login-fix to prod, then the release/2.1 branch to staging');
    expect(entities.branches).toEqual(['feature/login-fix', 'release/2.1']);
    expect(entities.environments).toEqual(['production', 'staging']);
    expect(extractEntities('deploy main to staging').branches).toEqual(['main']);
    expect(extractEntities('deploy branch hotfix-7 to dev').branches).toEqual(['hotfix-7']);
    expect(extractEntities('deploy branch hotfix-7 to dev').environments).toEqual(['development']);
  });

  it('finds amounts and dates', () => {
    const entities = extractEntities(
      'Refund $12.50 (of $1,200) on 2025-03-01, or 30 dollars by March 3rd, 2025 or tomorrow',
    );
    expect(entities.amounts).toEqual([12.5, 1200, 30]);
    expect(entities.dates).toEqual(['2025-03-01', 'March 3rd, 2025', 'tomorrow']);
  });

  it('finds message text the user spelled out', () => {
    expect(extractEntities('Add a note to order XYZ-789: customer called about the delay').messages).toEqual([
      'customer called about the delay',
    ]);
    expect(extractEntities('Add a note saying "call back on Friday"').messages[0]).toBe('call back on Friday');
  });

  it('reports an empty text as empty', () => {
    expect(isEmpty(extractEntities('what is the weather like?'))).toBe(true);
    expect(isEmpty(extractEntities('XYZ-789'))).toBe(false);
  });
});
