// The Server-Sent Events wire format (text/event-stream), read from a fetch body: Node has no
// EventSource, and a streaming fetch lets the caller pass its own fetch and abort signal.

export interface EventStreamMessage {
  /** The `event:` field; "message" when the server names none. */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
  id: string | undefined;
}

/** Yields each complete message of `body`; comment lines (keep-alive pings) and empty messages are skipped. */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      // A line ends at CRLF, LF or CR; a CR at the very end may be the first half of a CRLF still to come.
      let end: RegExpExecArray | null;
      while ((end = /\r\n|\n|\r(?!$)/.exec(buffer)) !== null) {
        const line = buffer.slice(0, end.index);
        buffer = buffer.slice(end.index + end[0].length);
        if (line === "") {
          if (data.length > 0) yield { event: event || "message", data: data.join("\n"), id };
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? "" : line.slice(colon + 1);
        const text = raw.startsWith(" ") ? raw.slice(1) : raw;
        if (field === "event") event = text;
        else if (field === "data") data.push(text);
        else if (field === "id") id = text;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
