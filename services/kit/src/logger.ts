import pino, { type Logger } from "pino";
import type { BaseConfig } from "./config/schema.ts";

/**
 * Privacy is the product, so the log is scrubbed at the one place every line passes through:
 * - secrets (keys, notes, blindings, passwords) are replaced wherever they sit in a line;
 * - a line that names a leaf index, nullifier, recipient or commitment carries no client address,
 *   so no log line ties a person's IP to a note.
 * Child-logger bindings (which ride on every later line) and request lines (see `requestSerializer`)
 * never carry the client address.
 */
const normalise = (key: string) => key.toLowerCase().replace(/[_-]/g, "");

const SECRET_KEYS = new Set(
  ["privateKey", "spendingKey", "secretKey", "viewingKey", "encryptionKey", "keypair", "secret", "seed", "mnemonic", "password", "note", "notes", "blinding", "authorization", "cookie"].map(normalise),
);
const LINKABLE_KEYS = new Set(["leafIndex", "leaf", "nullifier", "nullifiers", "nullifierHash", "recipient", "commitment", "commitments"].map(normalise));
const CLIENT_ADDRESS_KEYS = new Set(["ip", "ips", "remoteAddress", "remotePort", "clientIp", "xForwardedFor", "forwardedFor", "xRealIp"].map(normalise));

export const REDACTED = "[redacted]";

/** Only plain data is walked: requests, errors and buffers go to their serializers untouched. */
function isPlainData(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

function mentionsLinkable(value: unknown, depth = 0): boolean {
  if (depth > 8 || !isPlainData(value)) return false;
  return Object.entries(value).some(([key, inner]) => LINKABLE_KEYS.has(normalise(key)) || mentionsLinkable(inner, depth + 1));
}

function scrub(value: unknown, dropClientAddress: boolean, depth = 0): unknown {
  if (depth > 8 || !isPlainData(value)) return value;
  if (Array.isArray(value)) return value.map((inner) => scrub(inner, dropClientAddress, depth + 1));
  const clean: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = normalise(key);
    if (SECRET_KEYS.has(name)) clean[key] = REDACTED;
    else if (dropClientAddress && CLIENT_ADDRESS_KEYS.has(name)) continue;
    else clean[key] = scrub(inner, dropClientAddress, depth + 1);
  }
  return clean;
}

/** Exported for tests and for services that build log objects by hand. */
export function scrubLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return scrub(object, mentionsLinkable(object)) as Record<string, unknown>;
}

export interface LoggerOptions {
  readonly service: string;
  readonly version: string;
  readonly logging: BaseConfig["logging"];
  /** Where JSON lines go (tests pass a stream); default stdout. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.logging.format === "pretty" && !options.destination;
  const settings: pino.LoggerOptions = {
    level: options.logging.level,
    base: { service: options.service, version: options.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { req: requestSerializer, res: responseSerializer, err: pino.stdSerializers.err },
    formatters: {
      log: (object) => scrubLogObject(object),
    },
  };
  const logger = pretty
    ? pino({ ...settings, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:standard" } } })
    : pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
  // A child's bindings ride on every later line it writes, and any of those may name a note, so they
  // never hold a client address. (pino's bindings formatter does not reach children: wrap child().)
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, scrub(bindings, true) as pino.Bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

/** How a request appears in the log: the route's pattern, not its values, and never the client address. */
export function requestSerializer(request: { method?: string; routeOptions?: { url?: string } }) {
  return { method: request.method, route: request.routeOptions?.url ?? "(no route)" };
}

function responseSerializer(reply: { statusCode?: number }) {
  return { statusCode: reply.statusCode };
}
