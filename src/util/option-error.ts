/**
 * The one error type for a bad option value. It carries the option's key (as the library
 * names it) and its command-line flag as data, so a command prints `--flag: …` and a library
 * caller sees `key: …` without anyone parsing the message.
 */
export class OptionError extends RangeError {
  override name = 'OptionError';
  /**
   * @param key the option's key (camelCase, as in the resolved configuration)
   * @param detail what is wrong, e.g. "must be > 0 (got -1)"
   * @param flag the command-line flag without dashes (default: key in kebab-case)
   */
  constructor(
    readonly key: string,
    readonly detail: string,
    readonly flag: string = kebab(key),
  ) {
    super(`${key}: ${detail}`);
  }

  /** The message as a command shows it: `--flag: detail`. */
  get flagMessage(): string {
    return `--${this.flag}: ${this.detail}`;
  }
}

/** `testLimit` → `test-limit`. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
