import { z } from 'zod';
import type { CustomerTier } from './tables.js';

/** The customer tiers, as stored. */
export const CUSTOMER_TIERS = ['standard', 'vip'] as const satisfies readonly CustomerTier[];

/** Longest name or city a customer record takes, in characters. */
export const MAX_NAME_LENGTH = 100;
/** Shortest and longest `search_customers` query, in characters (after trimming). */
export const MIN_QUERY_LENGTH = 2;
export const MAX_QUERY_LENGTH = 100;
/** E.164 allows at most 15 digits; fewer than 7 is no phone number anywhere. */
const MIN_PHONE_DIGITS = 7;
const MAX_PHONE_DIGITS = 15;

/**
 * A customer id as a model writes it. Lenient on purpose (`c-1001`, `C1001` are normalised by
 * `normaliseCustomerId`), so an unknown id gets a "did you mean" answer instead of a bare schema error.
 */
export const CustomerIdSchema = z.string().trim().min(1).max(64).describe('Customer id, e.g. C-1001');

/** An email address, trimmed and lower-cased; at most 254 characters (RFC 5321). */
export const EmailAddressSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an email address like name@example.com' }))
  .transform((address) => address.toLowerCase());

/** A phone number: 7 to 15 digits, with an optional leading `+` and spaces, dashes, dots or parentheses. */
export const PhoneSchema = z
  .string()
  .trim()
  .max(32)
  .regex(
    /^\+?[0-9][0-9 ().-]*$/,
    'must look like +1-415-555-0101: digits, an optional leading +, and spaces, dashes, dots or parentheses',
  )
  .refine((phone) => {
    const digits = phone.replace(/\D/g, '').length;
    return digits >= MIN_PHONE_DIGITS && digits <= MAX_PHONE_DIGITS;
  }, `must have ${MIN_PHONE_DIGITS} to ${MAX_PHONE_DIGITS} digits`);

/** A person's name or a city: trimmed, 1..100 characters. */
export const ShortTextSchema = z.string().trim().min(1).max(MAX_NAME_LENGTH);

/** One customer as the list and search tools return it. */
export const CustomerSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  city: z.string().nullable(),
  tier: z.enum(CUSTOMER_TIERS),
});
export type CustomerSummary = z.infer<typeof CustomerSummarySchema>;

/** One customer in full, with what they have bought. */
export const CustomerProfileSchema = CustomerSummarySchema.extend({
  created_at: z.string(),
  updated_at: z.string(),
  order_count: z.number().int().describe('Orders placed, in any status'),
  lifetime_value_cents: z.number().int().describe('Paid minus refunded over all orders, in cents'),
  lifetime_value: z.string().describe('The same, formatted, e.g. $1299.00'),
});
export type CustomerProfile = z.infer<typeof CustomerProfileSchema>;

/** The fields `update_customer` may change. */
export const UPDATABLE_FIELDS = ['name', 'email', 'phone', 'city', 'tier'] as const;

/** One changed field of an update. */
export const FieldChangeSchema = z.object({
  field: z.enum(UPDATABLE_FIELDS),
  before: z.string().nullable(),
  after: z.string().nullable(),
});
export type FieldChange = z.infer<typeof FieldChangeSchema>;

/** What `update_customer` returns: the changes (empty when every value already matched) and the record after. */
export const UpdateResultSchema = z.object({
  customer_id: z.string(),
  changes: z.array(FieldChangeSchema),
  customer: CustomerSummarySchema,
  replayed: z.boolean().describe('True when this repeats an earlier call with the same idempotency_key'),
});
export type UpdateResult = z.infer<typeof UpdateResultSchema>;

/**
 * `C-1001` from `c-1001`, `C1001` or ` C-1001 `; anything else is returned upper-cased and trimmed, so
 * lookups miss and answer with suggestions.
 */
export function normaliseCustomerId(input: string): string {
  const id = input.trim().toUpperCase();
  const match = /^C-?(\d+)$/.exec(id);
  return match ? `C-${match[1]}` : id;
}
