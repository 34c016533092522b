import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { DB_READY_ENV, openServerDatabase } from './open-server-database.js';
import { freshDbFile, spawnBuiltinServer } from './testing/mcp-client.js';

/** Table names in a SQLite file, bookkeeping included. */
function tables(file: string): string[] {
  const database = new DatabaseSync(file, { readOnly: true, timeout: 10_000 });
  try {
    return (database.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>).map((row) => row.name);
  } finally {
    database.close();
  }
}

describe('openServerDatabase', () => {
  it('prepares only the data the server needs: its own tables and those it reads, never the host\'s', async () => {
    const crmFile = freshDbFile('crm-only');
    const crm = await openServerDatabase({ name: 'crm', file: crmFile });
    const lisa = await crm.db.selectFrom('customers').select('name').where('id', '=', 'C-1001').executeTakeFirst();
    await crm.close();
    expect(lisa).toEqual({ name: 'Lisa Park' });
    const crmTables = tables(crmFile);
    expect(crmTables).toEqual(expect.arrayContaining(['customers', 'orders', 'order_lines', 'idempotency_keys', 'crm_migrations', 'orders_migrations']));
    for (const absent of ['notes', 'emails', 'issues', 'devops_deployments', 'runs', 'sessions', 'kysely_migration']) expect(crmTables).not.toContain(absent);

    const devopsFile = freshDbFile('devops-only');
    await (await openServerDatabase({ name: 'devops', file: devopsFile })).close();
    expect(tables(devopsFile).filter((name) => !name.startsWith('devops_'))).toEqual([]);
  });

  it('with ready (the host prepared the database) migrates and seeds nothing', async () => {
    const file = freshDbFile('ready');
    await (await openServerDatabase({ name: 'crm', file, ready: true })).close();
    expect(tables(file)).toEqual([]);
  });
});

describe(`${DB_READY_ENV}=1 in a spawned server's environment`, () => {
  it('makes the server skip migrating and seeding, and it still serves', async () => {
    const file = freshDbFile('ready-env');
    const client = await spawnBuiltinServer('crm', file, { [DB_READY_ENV]: '1' });
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('get_customer');
    } finally {
      await client.close();
    }
    expect(tables(file)).toEqual([]);
  });
});
