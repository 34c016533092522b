import type { McpServer } from '@modelcontextprotocol/server';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { OrdersDatabase } from './tables.js';
import { IdempotencyKeySchema } from '../shared/idempotency.js';
import { NextCursorSchema, PageInputShape } from '../shared/pagination.js';
import { guarded, ok } from '../shared/tool-result.js';
import { InventoryStore } from './inventory-store.js';
import { REPLAYED_PREFIX, renderItem, renderItemList } from './render.js';
import { runIdempotent } from './run-idempotent.js';
import { AdjustResultSchema, InventoryItemSchema, MAX_QUANTITY, ReasonSchema, SkuSchema } from './schemas.js';

const READ_ONLY = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** Registers the inventory tools: `get_inventory_item`, `list_inventory`, `check_stock`, `adjust_inventory`. */
export function registerInventoryTools(server: McpServer, db: Kysely<OrdersDatabase>): void {
  const inventory = new InventoryStore(db);

  server.registerTool(
    'get_inventory_item',
    {
      title: 'Get an inventory item',
      description:
        'Look up one SKU: name, category, price, units in stock, reorder level, and whether it is low or out of stock.',
      inputSchema: z.object({ sku: SkuSchema }),
      outputSchema: InventoryItemSchema,
      annotations: READ_ONLY,
    },
    guarded('get_inventory_item', async ({ sku }) => {
      const item = await inventory.require(sku.toUpperCase());
      return ok(renderItem(item), item);
    }),
  );

  server.registerTool(
    'list_inventory',
    {
      title: 'List inventory',
      description:
        'List inventory items ordered by SKU, optionally only one category (rings, necklaces, earrings, bracelets, watches, ' +
        'accessories) or only items at or below their reorder level. Paginated: pass next_cursor back as cursor.',
      inputSchema: z.object({
        category: z.string().trim().min(1).max(64).optional().describe('Only this category, e.g. rings'),
        low_stock_only: z
          .boolean()
          .default(false)
          .describe('Only items whose stock is at or below their reorder level'),
        ...PageInputShape,
      }),
      outputSchema: z.object({ items: z.array(InventoryItemSchema), next_cursor: NextCursorSchema }),
      annotations: READ_ONLY,
    },
    guarded('list_inventory', async ({ category, low_stock_only, cursor, limit }) => {
      const page = await inventory.list(
        { ...(category !== undefined ? { category: category.toLowerCase() } : {}), lowStockOnly: low_stock_only },
        { ...(cursor !== undefined ? { cursor } : {}), limit },
      );
      return ok(renderItemList(page.items, page.next_cursor), page);
    }),
  );

  server.registerTool(
    'check_stock',
    {
      title: 'Check stock',
      description:
        'Check whether a quantity of a SKU is available: returns the units available and in_stock (available >= requested).',
      inputSchema: z.object({
        sku: SkuSchema,
        quantity: z.number().int().min(1).max(MAX_QUANTITY).default(1).describe('Units wanted (default 1)'),
      }),
      outputSchema: z.object({
        sku: z.string(),
        requested: z.number().int(),
        available: z.number().int(),
        in_stock: z.boolean(),
      }),
      annotations: READ_ONLY,
    },
    guarded('check_stock', async ({ sku, quantity }) => {
      const item = await inventory.require(sku.toUpperCase());
      const inStock = item.stock >= quantity;
      const text = inStock
        ? `Yes: ${quantity} × ${item.sku} available (${item.stock} in stock).`
        : `No: ${quantity} × ${item.sku} requested, only ${item.stock} in stock.`;
      return ok(text, { sku: item.sku, requested: quantity, available: item.stock, in_stock: inStock });
    }),
  );

  server.registerTool(
    'adjust_inventory',
    {
      title: 'Adjust inventory',
      description:
        "Change a SKU's stock by a whole number of units: positive when goods arrive or are returned, negative when they are " +
        'removed (damaged, lost, counted short). Recorded as an inventory movement with the reason. Stock never goes below zero. ' +
        'Pass an idempotency_key so that a retry never adjusts twice.',
      inputSchema: z.object({
        sku: SkuSchema,
        delta: z
          .number()
          .int()
          .min(-MAX_QUANTITY)
          .max(MAX_QUANTITY)
          .refine((value) => value !== 0, 'delta must not be 0: positive adds stock, negative removes it')
          .describe('Units to add (positive) or remove (negative); not 0'),
        reason: ReasonSchema.describe(
          'Why, e.g. "supplier delivery PO-1182" or "damaged in store"; stored with the movement',
        ),
        idempotency_key: IdempotencyKeySchema,
      }),
      outputSchema: AdjustResultSchema,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guarded('adjust_inventory', async ({ sku, delta, reason, idempotency_key }) => {
      const normalisedSku = sku.toUpperCase();
      const result = await runIdempotent(
        db,
        { key: idempotency_key, tool: 'adjust_inventory', request: { sku: normalisedSku, delta } },
        async (trx) => {
          const change = await new InventoryStore(trx).adjust({ sku: normalisedSku, delta, reason });
          return {
            item: await new InventoryStore(trx).require(normalisedSku),
            delta,
            stock_before: change.stockBefore,
            stock_after: change.stockAfter,
            movement_id: change.movementId,
          };
        },
      );
      const verb = delta > 0 ? `Added ${delta}` : `Removed ${-delta}`;
      return ok(
        `${result.replayed ? REPLAYED_PREFIX : ''}${verb} × ${normalisedSku}: ` +
          `stock ${result.stock_before} → ${result.stock_after}${result.item.low_stock ? ' (low stock)' : ''}.`,
        result,
      );
    }),
  );
}
