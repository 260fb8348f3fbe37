// Preloaded into a service process started by a test (node --import tsx --import <this file> src/server.ts) to run
// its wall clock COFFEE_TEST_CLOCK_SHIFT_MS milliseconds ahead: the process behaves as if it had been started that
// much later, without any hook in src/. Only `new Date()` and Date.now() move; dates built from a value, timers and
// performance.now() are untouched.
const shift = Number(process.env.COFFEE_TEST_CLOCK_SHIFT_MS ?? '0')
if (!Number.isFinite(shift)) throw new Error(`COFFEE_TEST_CLOCK_SHIFT_MS is not a number: ${process.env.COFFEE_TEST_CLOCK_SHIFT_MS}`)

if (shift !== 0) {
  const RealDate = Date
  const now = () => RealDate.now() + shift
  globalThis.Date = new Proxy(RealDate, {
    construct (target, args: unknown[], newTarget: DateConstructor) {
      return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget) as object
    },
    // Date() without new: the current time as a string.
    apply () {
      return new RealDate(now()).toString()
    },
    get (target, property, receiver: unknown) {
      return property === 'now' ? now : Reflect.get(target, property, receiver)
    }
  })
}
