/**
 * The benchmarks of the reference runtime: what one goroutine operation costs on it, next to Go,
 * JDK virtual threads and platform threads, measured in the same run on the same machine
 * (docs/en/performance.md holds the table and what it teaches).
 *
 * <h2>The pieces</h2>
 * <ul>
 *   <li>Workloads that JMH fits, one class each with a method per implementation:
 *       {@link gmp.bench.Switch} (chapter 01's switch costs), {@link gmp.bench.PingPong},
 *       {@link gmp.bench.Gosched}. An invocation is a whole program: a fresh runtime or fresh threads.</li>
 *   <li>Workloads measured as timed programs, because they are about a million goroutines at once
 *       or about wall time: {@link gmp.bench.Spawn}, {@link gmp.bench.Parked},
 *       {@link gmp.bench.SleepFanOut}, {@link gmp.bench.Preemption}, run by {@link gmp.bench.OneShot}
 *       in a JVM per configuration.</li>
 *   <li>Their Go twins in {@code bench/go}: {@code testing.B} benchmarks and the {@code gmpbench}
 *       command, with the same operation counts.</li>
 *   <li>{@link gmp.bench.Main}, behind {@code bench/run}: runs all of them ({@link gmp.bench.JmhSuite},
 *       {@link gmp.bench.OneShotSuite}, {@link gmp.bench.GoSuite}), collects every figure as a
 *       {@link gmp.bench.Result} line, and prints the {@link gmp.bench.Table} of ratios to Go.</li>
 * </ul>
 *
 * <p>Goroutine code here obeys the runtime's one rule for goroutines: no {@code Thread.currentThread()}
 * and no thread-locals, since a goroutine may resume on another thread. Thread-side code may use both.
 */
package gmp.bench;
