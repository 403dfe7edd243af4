// Parses the operator's command line as `node dist/main.js` would, with the environment given and
// the variables that would leak in from the developer's shell (POD_NAME, MWO_*) taken out.
import { buildCommand } from '../../src/main.ts';

export function parseOperatorFlags(args: readonly string[], env: Record<string, string> = {}): Record<string, unknown> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key === 'POD_NAME' || key.startsWith('MWO_')) delete process.env[key];
  Object.assign(process.env, env);
  try {
    const program = buildCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    program.parse(args, { from: 'user' });
    return program.opts();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
