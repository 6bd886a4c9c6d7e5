import { expect } from "chai";

/** Awaits an operation that must fail, checks the operator-facing message, and returns the error. */
export async function expectFailure(pending: Promise<unknown>, message: RegExp): Promise<Error> {
  const error = await pending.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, "the operation should have failed").to.be.instanceOf(Error);
  expect(error!.message).to.match(message);
  return error!;
}
