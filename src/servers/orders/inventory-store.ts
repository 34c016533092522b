import type { Kysely, Selectable } from 'kysely';
import type { InventoryItemTable, OrdersDatabase } from './tables.js';
import { newId, nowIso } from '../shared/ids.js';
import { decodeCursor, toPage } from '../shared/pagination.js';
import { closest } from '../shared/text-search.js';
import { ToolFailure } from '../shared/tool-failure.js';
import { centsToDollars } from './money.js';
import type { InventoryItem } from './schemas.js';

type ItemRow = Selectable<InventoryItemTable>;

/** The result of one stock change. */
export interface StockChange {
  readonly sku: string;
  readonly delta: number;
  readonly stockBefore: number;
  readonly stockAfter: number;
  readonly movementId: string;
}

const SUGGESTION_SCAN_LIMIT = 500;

function toItem(row: ItemRow): InventoryItem {
  return {
    sku: row.sku,
    name: row.name,
    category: row.category,
    price_cents: row.price_cents,
    price: centsToDollars(row.price_cents),
    stock: row.stock,
    reorder_level: row.reorder_level,
    low_stock: row.stock <= row.reorder_level,
    out_of_stock: row.stock === 0,
    updated_at: row.updated_at,
  };
}

/**
 * Inventory over the shared store: reads, and stock changes that always write an `inventory_movements`
 * row. Takes a `Kysely` or a `Transaction`; callers that change stock pass their transaction so the
 * change commits with the rest of the operation.
 */
export class InventoryStore {
  constructor(private readonly db: Kysely<OrdersDatabase>) {}

  /** The item; throws a `ToolFailure` naming similar SKUs when there is none. */
  async require(sku: string): Promise<InventoryItem> {
    const row = await this.db.selectFrom('inventory_items').selectAll().where('sku', '=', sku).executeTakeFirst();
    if (row) return toItem(row);
    const similar = await this.similarSkus(sku);
    throw new ToolFailure(
      `No SKU ${sku}.${similar.length ? ` Did you mean ${similar.join(', ')}?` : ''} Check the SKU, or use list_inventory.`,
    );
  }

  /**
   * One page of items ordered by SKU (keyset pagination). An unknown category is a `ToolFailure` that
   * lists the real ones, so a model can correct itself instead of concluding the shop sells nothing.
   */
  async list(
    filter: { category?: string; lowStockOnly?: boolean },
    page: { cursor?: string; limit: number },
  ): Promise<{ items: InventoryItem[]; next_cursor: string | null }> {
    const after = decodeCursor(page.cursor);
    let query = this.db
      .selectFrom('inventory_items')
      .selectAll()
      .orderBy('sku')
      .limit(page.limit + 1);
    if (after !== undefined) query = query.where('sku', '>', after);
    if (filter.category !== undefined) query = query.where('category', '=', filter.category);
    if (filter.lowStockOnly) query = query.whereRef('stock', '<=', 'reorder_level');
    const rows = await query.execute();
    if (rows.length === 0 && filter.category !== undefined && after === undefined)
      await this.requireCategory(filter.category);
    const { items, next_cursor } = toPage(rows, page.limit, (row) => row.sku);
    return { items: items.map(toItem), next_cursor };
  }

  /**
   * Changes the stock of `sku` by `delta` and records the movement. The update only applies while the
   * result stays at or above zero, checked by the database in the same statement, so two concurrent
   * removals cannot oversell. Throws a `ToolFailure` for an unknown SKU or insufficient stock.
   */
  async adjust(options: { sku: string; delta: number; reason: string }): Promise<StockChange> {
    const { sku, delta, reason } = options;
    await this.require(sku);
    const updatedAt = nowIso();
    const updated = await this.db
      .updateTable('inventory_items')
      .set((eb) => ({ stock: eb('stock', '+', delta), updated_at: updatedAt }))
      .where('sku', '=', sku)
      .where((eb) => eb(eb('stock', '+', delta), '>=', 0))
      .returning('stock')
      .executeTakeFirst();
    if (!updated) {
      const current = (await this.require(sku)).stock;
      throw new ToolFailure(
        `Cannot remove ${-delta} of ${sku}: only ${current} in stock, and stock never goes below zero. Nothing was changed.`,
      );
    }
    const movementId = newId('MV');
    await this.db
      .insertInto('inventory_movements')
      .values({ id: movementId, sku, delta, reason, created_at: updatedAt })
      .execute();
    return { sku, delta, stockBefore: updated.stock - delta, stockAfter: updated.stock, movementId };
  }

  /** SKUs resembling `sku`: nearest by edit distance among SKUs of the same family (`RNG-`), else all. */
  async similarSkus(sku: string, count = 3): Promise<string[]> {
    const prefix = (sku.split('-')[0] ?? '').replace(/[%_\\]/g, '');
    const sameFamily = await this.db
      .selectFrom('inventory_items')
      .select('sku')
      .where('sku', 'like', `${prefix}-%`)
      .limit(SUGGESTION_SCAN_LIMIT)
      .execute();
    const candidates =
      sameFamily.length > 0
        ? sameFamily
        : await this.db.selectFrom('inventory_items').select('sku').limit(SUGGESTION_SCAN_LIMIT).execute();
    return closest(
      sku,
      candidates.map((row) => row.sku),
      count,
    );
  }

  private async requireCategory(category: string): Promise<void> {
    const rows = await this.db
      .selectFrom('inventory_items')
      .select('category')
      .distinct()
      .orderBy('category')
      .execute();
    const categories = rows.map((row) => row.category);
    if (categories.includes(category)) return;
    throw new ToolFailure(`No category '${category}'. Categories: ${categories.join(', ')}.`);
  }
}
