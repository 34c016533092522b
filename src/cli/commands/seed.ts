import { resetDemoData, seedServerData } from '../../servers/data.js';
import { withSettingsStore } from '../../app/store.js';

/**
 * `deckhand seed [--reset]`: inserts the demo data when it is missing, or with `--reset` rebuilds it from
 * scratch (customers, orders, inventory, notes, emails, issues); runs and sessions are kept.
 */
export async function seedCommand(options: { reset?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    if (options.reset) await resetDemoData(store.db);
    else await seedServerData(store.db);
    const counts = await Promise.all(
      (['customers', 'orders', 'inventory_items', 'notes', 'emails', 'issues'] as const).map(async (table) => {
        const row = await store.db.selectFrom(table).select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
        return `${Number(row.count)} ${table.replace('_items', '').replace('_', ' ')}`;
      }),
    );
    process.stdout.write(`${options.reset ? 'Rebuilt' : 'Checked'} the demo data in ${store.location}: ${counts.join(', ')}.\n`);
    return 0;
  }, { seed: false });
}
