// A winston logger that keeps every entry in memory. Winston hands entries to the stream
// synchronously, so tests can assert right after the code under test logs.
import { Writable } from 'node:stream';
import winston from 'winston';
import type { Logger } from '../../src/runtime/logging.ts';

export interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function captureLogger(): { readonly logger: Logger; readonly entries: readonly LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: unknown, _encoding, callback): void {
      if (typeof info === 'object' && info !== null) {
        const { level, message, ...fields }: Record<string, unknown> = { ...info };
        entries.push({ level: String(level), message: String(message), fields });
      }
      callback();
    },
  });
  const logger = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return { logger, entries };
}
