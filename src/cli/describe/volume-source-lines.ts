// The block each volume source prints under its volume's name: `Type:\t<kind> (<what it is>)`, then
// its fields, indented four spaces as kubectl writes them (one write, so the spaces are literal).
// Values print as Go's %v does: booleans as true/false, lists as [a b], a secretRef as &LocalObjectReference{Name:name,}.
import { goObjectReference } from './go-format.ts';
import { object, text, type Json } from './json-fields.ts';
import { LEVEL_2, type PrefixWriter } from './prefix-writer.ts';

/** One field line: its label as kubectl spells it (colon included, or not), and the value. */
export type FieldLine = readonly [label: string, value: string];

export function typedSource(w: PrefixWriter, type: string, fields: readonly FieldLine[]): void {
  w.write(LEVEL_2, `Type:\t${type}\n${fields.map(([label, value]) => `    ${label}\t${value}\n`).join('')}`);
}

/** %v of a *LocalObjectReference field. */
export function secretRef(source: Json, field = 'secretRef'): string {
  const ref = object(source, field);
  return goObjectReference(ref && { name: text(ref, 'name') });
}
