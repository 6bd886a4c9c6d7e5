/** Puts an environment variable back as it was; assigning `undefined` would store the string "undefined". */
export function restoreEnv(name: string, previous: string | undefined): void {
  if (previous === undefined) delete process.env[name];
  else process.env[name] = previous;
}
