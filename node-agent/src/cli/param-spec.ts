// Command-line flags read off a method's zod params schema (zod 4 introspection): name, kind, enum values,
// required or default. Nothing about a method's parameters is restated by hand.
import { z } from 'zod';

export type ScalarKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'any';

export interface ParamSpec {
  /** The key in the params object. */
  readonly key: string;
  /** The flag, without `--`: the key in kebab-case. */
  readonly flag: string;
  /** 'list' takes the flag repeatedly or comma-separated; itemKind says what each item is. */
  readonly kind: ScalarKind | 'list';
  readonly itemKind?: ScalarKind;
  /** Allowed values of an enum (or of each list item). */
  readonly values?: readonly string[];
  readonly required: boolean;
  readonly defaultValue?: unknown;
  /** A short type hint for help and man pages: `integer 1..5000`, `hour|day|week|month`. */
  readonly hint: string;
  readonly description?: string;
}

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

interface Unwrapped {
  schema: z.ZodType;
  required: boolean;
  defaultValue?: unknown;
}

const unwrap = (schema: z.ZodType): Unwrapped => {
  let current = schema;
  let required = true;
  let defaultValue: unknown;
  for (;;) {
    if (current instanceof z.ZodOptional) {
      required = false;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodDefault) {
      required = false;
      defaultValue = current.def.defaultValue;
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else {
      return defaultValue === undefined ? { schema: current, required } : { schema: current, required, defaultValue };
    }
  }
};

const range = (low: number | null | undefined, high: number | null | undefined): string => {
  const lo =
    low !== null && low !== undefined && Number.isFinite(low) && Math.abs(low) < Number.MAX_SAFE_INTEGER
      ? String(low)
      : '';
  const hi =
    high !== null && high !== undefined && Number.isFinite(high) && Math.abs(high) < Number.MAX_SAFE_INTEGER
      ? String(high)
      : '';
  return lo === '' && hi === '' ? '' : ` ${lo}..${hi}`;
};

const scalar = (schema: z.ZodType): { kind: ScalarKind; values?: readonly string[]; hint: string } => {
  if (schema instanceof z.ZodEnum) {
    const values = schema.options.map(String);
    return { kind: 'enum', values, hint: values.join('|') };
  }
  if (schema instanceof z.ZodNumber) {
    const integer = schema.isInt;
    return {
      kind: integer ? 'integer' : 'number',
      hint: `${integer ? 'integer' : 'number'}${range(schema.minValue, schema.maxValue)}`,
    };
  }
  if (schema instanceof z.ZodBoolean) return { kind: 'boolean', hint: 'boolean' };
  if (schema instanceof z.ZodString) return { kind: 'string', hint: 'string' };
  if (schema instanceof z.ZodLiteral) {
    const values = [...schema.values].map(String);
    return { kind: 'enum', values, hint: values.join('|') };
  }
  // Objects, records and unions (a storage definition, a set of properties) are given as JSON.
  return { kind: 'any', hint: 'JSON' };
};

/** The flags of a params schema; a schema that is not an object has none. */
export const paramSpecs = (params: z.ZodType): ParamSpec[] => {
  if (!(params instanceof z.ZodObject)) return [];
  return Object.entries(params.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const { schema, required, defaultValue } = unwrap(field);
    const description = field.description ?? schema.description;
    const base = {
      key,
      flag: kebab(key),
      required,
      ...(defaultValue === undefined ? {} : { defaultValue }),
      ...(description ? { description } : {}),
    };
    if (schema instanceof z.ZodArray) {
      const item = scalar(unwrap(schema.element as z.ZodType).schema);
      return {
        ...base,
        kind: 'list',
        itemKind: item.kind,
        ...(item.values ? { values: item.values } : {}),
        hint: `${item.hint},…`,
      };
    }
    const { kind, values, hint } = scalar(schema);
    // A UPID is a string with a pattern; say so rather than "string".
    const named = key === 'upid' ? 'UPID' : hint;
    return { ...base, kind, ...(values ? { values } : {}), hint: named };
  });
};

/** Turn one command-line word into the value its kind needs; undefined when it cannot be one. */
export const coerce = (kind: ScalarKind, text: string): unknown => {
  switch (kind) {
    case 'number':
    case 'integer': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) return undefined;
      return Number(text);
    }
    case 'boolean':
      if (['true', 'yes', '1', 'on'].includes(text)) return true;
      if (['false', 'no', '0', 'off'].includes(text)) return false;
      return undefined;
    case 'any': {
      if (/^-?\d+$/.test(text)) return Number(text);
      if (!/^\s*[[{]/.test(text)) return text;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    }
    case 'string':
    case 'enum':
      return text;
  }
};
