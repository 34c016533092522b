import { seedDemoData, withSettingsStore } from '../../app/store.js';

/**
 * `deckhand seed [--reset]`: inserts the demo data when it is missing, or with `--reset` rebuilds it from
 * scratch (customers, orders, inventory, notes, emails, issues); runs and sessions are kept.
 */
export async function seedCommand(options: { reset?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    const counts = await seedDemoData(store, { reset: options.reset === true });
    const shown = counts.map(({ table, rows }) => `${rows} ${table.replace('_items', '').replace('_', ' ')}`);
    process.stdout.write(`${options.reset ? 'Rebuilt' : 'Checked'} the demo data in ${store.location}: ${shown.join(', ')}.\n`);
    return 0;
  }, { seed: false });
}
