/**
 * Polls `probe` until it gives a truthy value, and returns it; fails the test, naming
 * `what`, if none comes within `timeoutMs`. For outcomes that background work (the outbox
 * relay, a worker, a provider callback) reaches in its own time.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
