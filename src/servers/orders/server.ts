import { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import type { OrdersDatabase } from './tables.js';
import { registerInventoryTools } from './inventory-tools.js';
import { registerOrderTools } from './order-tools.js';

/**
 * The orders & inventory MCP server: read orders and stock, ship, cancel and refund orders, adjust stock.
 * Every side effect is one transaction over the shared store and honours an optional `idempotency_key`.
 * Creating it does no I/O; tools query `db` when called.
 */
export function createOrdersServer(db: Kysely<OrdersDatabase>, version: string): McpServer {
  const server = new McpServer({ name: 'deckhand-orders', version }, { capabilities: { tools: {} } });
  registerOrderTools(server, db);
  registerInventoryTools(server, db);
  return server;
}
