// Lets pending promise chains run to their next timer: a few macrotask turns, no wall-clock time.
// Use it after FakeClock.advance so the code woken by the clock reaches its next sleep.
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
