package dev.ami.control;

import dev.ami.config.RestartOptions;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When a crashed loop (the trainer's, the agent's) may start again: after {@code initialMs}, doubling with each
 * failure still inside the window, at most {@code maxMs}; and not at all once more than {@code budget} failures
 * fall inside {@code windowMs}.
 */
public final class RestartPolicy {
  private final long initialMs;
  private final long maxMs;
  private final int budget;
  private final long windowMs;
  private final Deque<Long> failures = new ArrayDeque<>();

  /** The policy a loop's {@code restart_*} keys describe. */
  public static RestartPolicy of(RestartOptions o) {
    return new RestartPolicy(o.delayMs(), o.maxMs(), o.budget(), o.windowS() * 1000L);
  }

  public RestartPolicy(long initialMs, long maxMs, int budget, long windowMs) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.budget = budget;
    this.windowMs = windowMs;
  }

  /** Records a failure at {@code nowMs}; returns the delay before the next start, or -1 when the budget is spent. */
  public long onFailure(long nowMs) {
    failures.addLast(nowMs);
    while (!failures.isEmpty() && nowMs - failures.peekFirst() > windowMs) {
      failures.removeFirst();
    }
    int recent = failures.size();
    if (recent > budget) {
      return -1;
    }
    double delay = initialMs * Math.pow(2, recent - 1);
    return (long) Math.min(maxMs, delay);
  }

  /** Failures inside the window as of the last one recorded. */
  public int recentFailures() {
    return failures.size();
  }
}
