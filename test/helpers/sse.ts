export interface SseEvent {
  event: string;
  data: string;
}

/** Reads SSE frames until `until` says stop or the stream ends; returns the events seen. */
export async function readEvents(response: Response, until: (events: SseEvent[]) => boolean = () => false): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data !== undefined) events.push({ event, data });
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}
