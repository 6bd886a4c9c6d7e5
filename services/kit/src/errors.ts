/** Every refusal of the kit carries a stable code, so callers and tests match on it, not on prose. */
export class ServiceKitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A config value the service refuses: which key, which value, and why. */
export class ConfigError extends ServiceKitError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super("INVALID_CONFIG", `${key} = ${JSON.stringify(value)}: ${reason}`);
  }
}

/** Several refusals at once: `config validate` reports every bad key, not just the first. */
export class ConfigErrors extends ServiceKitError {
  constructor(readonly errors: readonly ConfigError[]) {
    super("INVALID_CONFIG", errors.map((error) => error.message).join("\n"));
  }
}

export class DatabaseError extends ServiceKitError {}
