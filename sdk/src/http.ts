// What the SDK's service clients (IndexerClient, RelayerClient) share: one JSON-over-HTTP call with a
// timeout on the answer's headers, and a non-2xx answer read as the service's `{ error, message, field }`.

/** A failed call, before a client turns it into its own error type. */
export interface HttpFailure {
  /** The service's error code when it answered with one, else HTTP_ERROR, TIMEOUT, UNREACHABLE or INVALID_RESPONSE. */
  code: string;
  message: string;
  status?: number;
  field?: string;
  cause?: unknown;
}

export interface ServiceHttpOptions {
  /** A fetch implementation (a proxying or instrumented one); the global fetch when absent. */
  fetch?: typeof fetch;
  /** How long a request may take to answer (for a stream: to start it); 30 s when absent. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class ServiceHttp {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  /** `base` is the service's API root (e.g. http://host:3001/api/v1). `fail` builds the client's own error. */
  constructor(
    base: string,
    options: ServiceHttpOptions,
    private readonly fail: (failure: HttpFailure) => Error,
  ) {
    this.#base = base.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Sends one request and waits for its headers within the timeout; a non-2xx answer becomes the
   * client's error carrying the body's code and field. The timer stops once headers arrive, so a long
   * body (an event stream) is not cut off.
   */
  async request(path: string, init: RequestInit, controller = new AbortController()): Promise<Response> {
    const method = init.method ?? "GET";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(`${this.#base}${path}`, { ...init, signal: controller.signal });
    } catch (cause) {
      if (timedOut) throw this.fail({ code: "TIMEOUT", message: `${method} ${path}: no answer within ${this.#timeoutMs} ms`, cause });
      if (controller.signal.aborted) throw cause;
      throw this.fail({ code: "UNREACHABLE", message: `${method} ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, cause });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await this.#failure(method, path, response);
    return response;
  }

  async #failure(method: string, path: string, response: Response): Promise<Error> {
    const text = await response.text().catch(() => "");
    let body: { error?: unknown; message?: unknown; field?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // A proxy's HTML error page, say: reported by status alone.
    }
    return this.fail({
      code: typeof body.error === "string" ? body.error : "HTTP_ERROR",
      message: `${method} ${path}: ${typeof body.message === "string" ? body.message : `HTTP ${response.status}`}`,
      status: response.status,
      ...(typeof body.field === "string" ? { field: body.field } : {}),
    });
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.request(path, init);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw this.fail({ code: "INVALID_RESPONSE", message: `${init.method ?? "GET"} ${path}: the answer is not JSON`, status: response.status, cause });
    }
  }
}
