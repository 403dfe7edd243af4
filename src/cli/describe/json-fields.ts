// Reading a pod template's JSON the way Go's decoder fills kubectl's typed structs: an absent or null
// field is the Go zero value ("" for a string, 0, false, an empty list), and a pointer field is
// told apart from its zero value by `present`. Pure; the describe code reads templates only
// through these, so no `as` is needed on data that came off the wire.
import { isRecord } from '../../api/meta.ts';

export type Json = Readonly<Record<string, unknown>>;

const empty: Json = {};

/** `obj[key]` as an object, or undefined (a nil pointer to a struct). */
export function object(obj: Json | undefined, key: string): Json | undefined {
  const value = obj?.[key];
  return isRecord(value) ? value : undefined;
}

/** `obj[key]` as an object, or an empty one (a struct field that is not a pointer). */
export function struct(obj: Json | undefined, key: string): Json {
  return object(obj, key) ?? empty;
}

/** A non-nil pointer: the field is there and not null. */
export function present(obj: Json | undefined, key: string): boolean {
  const value = obj?.[key];
  return value !== undefined && value !== null;
}

export function text(obj: Json | undefined, key: string): string {
  const value = obj?.[key];
  return typeof value === 'string' ? value : '';
}

/** An integer field as Go's %d prints it. */
export function integer(obj: Json | undefined, key: string): string {
  const value = obj?.[key];
  return typeof value === 'number' ? String(value) : '0';
}

export function flag(obj: Json | undefined, key: string): boolean {
  return obj?.[key] === true;
}

/** A list of objects ([]T). */
export function items(obj: Json | undefined, key: string): Json[] {
  const value = obj?.[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** A []string. */
export function texts(obj: Json | undefined, key: string): string[] {
  const value = obj?.[key];
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : '')) : [];
}

/** A map[string]string. */
export function textMap(obj: Json | undefined, key: string): ReadonlyMap<string, string> {
  const value = obj?.[key];
  if (!isRecord(value)) return new Map();
  return new Map(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
}

/** An intstr.IntOrString as its String() prints it: the number, the string, or "0" when unset. */
export function intOrString(obj: Json | undefined, key: string): string {
  const value = obj?.[key];
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : '0';
}
