/** The one error every configuration parser throws. */

/** A configuration problem; key names the message catalog entry (label.<key>), detail the offending value. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly detail: string,
  ) {
    super(`${key}: ${detail}`);
    this.name = "ConfigError";
  }
}
