import { auditLog, verifyAuditLog, withSettingsStore } from '../../app/store.js';

/** `deckhand audit verify [--json]`: walks the hash chain of the audit log; exit 1 when it is broken. */
export async function auditVerifyCommand(options: { json?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    const result = await verifyAuditLog(store);
    if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (result.ok) process.stdout.write(`Audit log intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}, every hash checks out.\n`);
    else process.stdout.write(`Audit log BROKEN at entry ${result.brokenAt} of ${result.entries}: ${result.problem}.\n`);
    return result.ok ? 0 : 1;
  });
}

/** `deckhand audit list [--json]`: the log, oldest first. */
export async function auditListCommand(options: { json?: boolean }): Promise<number> {
  return withSettingsStore(async (store) => {
    const rows = await auditLog(store);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      for (const row of rows) process.stdout.write(`${String(row.seq).padStart(5)}  ${row.at}  ${row.actor.padEnd(14)} ${row.action.padEnd(20)} ${row.subject}\n`);
    }
    return 0;
  });
}
