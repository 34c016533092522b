import type { CustomerPage } from './customer-store.js';
import type { CustomerProfile, CustomerSummary, UpdateResult } from './schemas.js';

const MORE_HINT = '\n(more: pass next_cursor as cursor)';

/** `C-1001 Lisa Park <lisa.park@example.com>, +1-415-555-0101, San Francisco, vip`. */
export function customerLine(customer: CustomerSummary): string {
  const details = [customer.phone, customer.city, customer.tier].filter((value) => value !== null && value !== '');
  return `${customer.id} ${customer.name} <${customer.email}>, ${details.join(', ')}`;
}

/** One customer in full, for the text part of `get_customer`. */
export function renderProfile(profile: CustomerProfile): string {
  const orders = profile.order_count === 1 ? '1 order' : `${profile.order_count} orders`;
  return `${customerLine(profile)}. ${orders}, lifetime value ${profile.lifetime_value} (paid minus refunded).`;
}

/** A page of customers, one per line, saying when there are more or there are none. */
export function renderPage(page: CustomerPage, emptyText: string): string {
  if (page.customers.length === 0) return emptyText;
  return page.customers.map(customerLine).join('\n') + (page.next_cursor ? MORE_HINT : '');
}

/** What an update changed, or that nothing needed to. */
export function renderUpdate(result: UpdateResult): string {
  const prefix = result.replayed ? 'Already done (same idempotency_key), nothing new was changed: ' : '';
  if (result.changes.length === 0) {
    return `${prefix}${result.customer_id} already had those values; nothing changed.`;
  }
  const changes = result.changes.map(
    (change) => `${change.field}: ${change.before ?? '(none)'} → ${change.after ?? '(none)'}`,
  );
  return `${prefix}Updated ${result.customer_id} (${result.customer.name}): ${changes.join('; ')}.`;
}
