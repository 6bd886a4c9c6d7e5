/**
 * The relay's state (issue 12): filled in by the queue's migration work. An empty first migration
 * keeps `migrate up|down` meaningful from the start.
 */
export const up = () => {};
export const down = () => {};
