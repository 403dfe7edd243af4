// The errors of one `set` command, printed as kubectl's CheckErr prints them: one error as its
// message with `error: ` in front (once: kubectl's own messages often begin with it), several one
// per line as they are. The plugin's entry point prints `error: ` and the message of what is
// thrown, so the first `error: ` is left to it.
// upstream: kubectl pkg/cmd/util/helpers.go checkErr, MultipleErrors.

const prefix = 'error: ';

export class SetError extends Error {
  override readonly name = 'SetError';
  readonly messages: readonly string[];

  constructor(messages: readonly string[]) {
    const lines = messages.map((m) => m.trimEnd());
    const [first = '', ...rest] = lines;
    super([first.startsWith(prefix) ? first.slice(prefix.length) : first, ...rest].join('\n'));
    this.messages = lines;
  }
}
