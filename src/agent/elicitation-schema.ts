import type { ElicitRequestFormParams } from '@modelcontextprotocol/client';

/**
 * The form of an MCP elicitation (`requestedSchema`): a flat object of primitive fields (string, number,
 * integer, boolean, and single- or multi-select enums), as the spec restricts it. These helpers read it,
 * fill defaults, check an answer against it, and parse what a person typed.
 */
export type ElicitationSchema = ElicitRequestFormParams['requestedSchema'];
export type ElicitationValue = string | number | boolean | string[];
export type ElicitationContent = Record<string, ElicitationValue>;

/** One field of the form, normalised. */
export interface ElicitationField {
  readonly name: string;
  /** The title, else the name. */
  readonly label: string;
  readonly description?: string;
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'array';
  readonly required: boolean;
  /** The allowed values of a select (single for `string`, multiple for `array`). */
  readonly options?: readonly string[];
  readonly default?: ElicitationValue;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type ContentCheck =
  | { readonly success: true; readonly content: ElicitationContent }
  | { readonly success: false; readonly error: string };
export type ValueParse =
  | { readonly success: true; readonly value: ElicitationValue }
  | { readonly success: false; readonly error: string };

type Definition = Record<string, unknown>;

const LIMITS = ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems'] as const;
type Limits = Pick<ElicitationField, (typeof LIMITS)[number]>;

function limitsOf(definition: Definition): Limits {
  const limits: Record<string, number> = {};
  for (const key of LIMITS) if (typeof definition[key] === 'number') limits[key] = definition[key];
  return limits;
}

function optionsOf(definition: Definition): string[] | undefined {
  const source = definition.type === 'array' ? ((definition.items ?? {}) as Definition) : definition;
  if (Array.isArray(source.enum)) return source.enum.map(String);
  const choices = (source.oneOf ?? source.anyOf) as Array<{ const?: unknown }> | undefined;
  return Array.isArray(choices) ? choices.map((choice) => String(choice.const)) : undefined;
}

/** The form's fields, in the order the server listed them. */
export function elicitationFields(schema: ElicitationSchema): ElicitationField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties as Record<string, Definition>).map(([name, definition]) => {
    const options = optionsOf(definition);
    return {
      name,
      label: typeof definition.title === 'string' ? definition.title : name,
      type: definition.type as ElicitationField['type'],
      required: required.has(name),
      ...(typeof definition.description === 'string' ? { description: definition.description } : {}),
      ...(options ? { options } : {}),
      ...(definition.default !== undefined ? { default: definition.default as ElicitationValue } : {}),
      ...(typeof definition.format === 'string' ? { format: definition.format } : {}),
      ...limitsOf(definition),
    };
  });
}

const FORMATS: Record<string, (value: string) => boolean> = {
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
  uri: (value) => URL.canParse(value),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  'date-time': (value) => !Number.isNaN(Date.parse(value)),
};

/** Why `value` does not fit `field`, or undefined when it does. */
export function checkValue(field: ElicitationField, value: unknown): string | undefined {
  const name = `'${field.name}'`;
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} must be true or false`;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number`;
      if (field.type === 'integer' && !Number.isInteger(value)) return `${name} must be a whole number`;
      if (field.minimum !== undefined && value < field.minimum) return `${name} must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `${name} must be at most ${field.maximum}`;
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
        return `${name} must be a list of strings`;
      const unknown = value.find((item) => field.options && !field.options.includes(item));
      if (unknown !== undefined) return `${name}: '${unknown}' is not one of ${field.options?.join(', ')}`;
      if (field.minItems !== undefined && value.length < field.minItems)
        return `${name} needs at least ${field.minItems} choices`;
      if (field.maxItems !== undefined && value.length > field.maxItems)
        return `${name} takes at most ${field.maxItems} choices`;
      return undefined;
    }
    default: {
      if (typeof value !== 'string') return `${name} must be text`;
      if (field.options && !field.options.includes(value)) return `${name} must be one of ${field.options.join(', ')}`;
      if (field.minLength !== undefined && value.length < field.minLength)
        return `${name} needs at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && value.length > field.maxLength)
        return `${name} takes at most ${field.maxLength} characters`;
      const format =
        field.format !== undefined && Object.hasOwn(FORMATS, field.format) ? FORMATS[field.format] : undefined;
      return format && !format(value) ? `${name} must be a valid ${field.format}` : undefined;
    }
  }
}

/**
 * Checks an answer against the form after filling the defaults of fields it leaves out: every required field
 * present, every value of its field's type and range, no field the form does not have.
 */
export function checkContent(schema: ElicitationSchema, content: Record<string, unknown>): ContentCheck {
  const fields = elicitationFields(schema);
  const filled: Record<string, unknown> = {};
  for (const field of fields) {
    const value = Object.hasOwn(content, field.name) ? content[field.name] : field.default;
    if (value !== undefined) filled[field.name] = value;
  }
  const unknown = Object.keys(content).filter((key) => !fields.some((field) => field.name === key));
  if (unknown.length > 0)
    return {
      success: false,
      error: `the form has no field ${unknown.map((key) => `'${key}'`).join(', ')} (fields: ${fields.map((field) => field.name).join(', ') || 'none'})`,
    };
  for (const field of fields) {
    if (!Object.hasOwn(filled, field.name)) {
      if (field.required) return { success: false, error: `'${field.name}' is required` };
      continue;
    }
    const problem = checkValue(field, filled[field.name]);
    if (problem) return { success: false, error: problem };
  }
  return { success: true, content: filled as ElicitationContent };
}

const TRUE_WORDS = new Set(['y', 'yes', 'true', '1']);
const FALSE_WORDS = new Set(['n', 'no', 'false', '0']);

/** Parses what a person typed for one field (booleans as yes/no, lists comma-separated) and checks it. */
export function parseFieldInput(field: ElicitationField, text: string): ValueParse {
  const trimmed = text.trim();
  let value: unknown = trimmed;
  if (field.type === 'boolean') {
    const word = trimmed.toLowerCase();
    value = TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
  } else if (field.type === 'number' || field.type === 'integer') {
    value = trimmed === '' ? undefined : Number(trimmed);
  } else if (field.type === 'array') {
    value = trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  }
  const problem = checkValue(field, value);
  return problem ? { success: false, error: problem } : { success: true, value: value as ElicitationValue };
}

/**
 * Reads an answer given as text (`deckhand approvals answer ID "…"`): a JSON object of the fields, or, for a
 * form of one field, that field's value as a person would type it.
 */
export function parseAnswer(schema: ElicitationSchema, text: string): ContentCheck {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return checkContent(schema, parsed as Record<string, unknown>);
  } catch {
    // Not JSON: read it as the value of the only field, below.
  }
  const fields = elicitationFields(schema);
  const only = fields.length === 1 ? fields[0] : undefined;
  if (!only)
    return {
      success: false,
      error: `answer with a JSON object of the fields (${fields.map((field) => field.name).join(', ')})`,
    };
  const value = parseFieldInput(only, text);
  return value.success ? checkContent(schema, { [only.name]: value.value }) : value;
}
