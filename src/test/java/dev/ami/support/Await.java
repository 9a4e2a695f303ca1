package dev.ami.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * Waiting in tests for something to happen, always with a deadline: polls a condition until it holds and fails
 * with what was awaited when the deadline passes first. The outcome is asserted, never how long it took.
 */
public final class Await {
  /** The usual bound: generous for a loaded 2-core machine, short enough that a hang fails the test. */
  public static final Duration MINUTE = Duration.ofSeconds(60);
  private static final long FIRST_PAUSE_MS = 2;
  private static final long MAX_PAUSE_MS = 100;

  private Await() {
  }

  /** A condition that may throw (a status request over the event bus, a file read). */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A test of a value that may throw. */
  @FunctionalInterface
  public interface Accepts<T> {
    boolean test(T value) throws Exception;
  }

  /** Waits until {@code condition} holds; fails with {@code what} when {@code within} passes first. */
  public static void until(Duration within, Condition condition, String what) throws Exception {
    until(within, condition, () -> what);
  }

  /**
   * The same with a description made only on failure (it may name what was seen meanwhile: events, a child's
   * log tail).
   */
  public static void until(Duration within, Condition condition, Supplier<String> what) throws Exception {
    value(within, () -> condition.holds() ? Boolean.TRUE : null, v -> true, what);
  }

  /** Waits for a value of {@code source} that {@code accepted} takes (null never is) and returns it. */
  public static <T> T value(Duration within, Callable<T> source, Accepts<? super T> accepted, String what)
      throws Exception {
    return value(within, source, accepted, () -> what);
  }

  /** The same with a description made only on failure. */
  public static <T> T value(Duration within, Callable<T> source, Accepts<? super T> accepted,
                            Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    long pause = FIRST_PAUSE_MS;
    T last = null;
    while (true) {
      last = source.call();
      if (last != null && accepted.test(last)) {
        return last;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what.get()
            + (last == null || last instanceof Boolean ? "" : " (last seen: " + last + ")"));
      }
      Thread.sleep(pause);
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }
}
