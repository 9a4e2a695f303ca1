package dev.ami.agent;

import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate deadlines on the {@link System#nanoTime()} clock. Deadlines are absolute (start + k·period),
 * so lateness never accumulates into drift. Waiting parks until {@code spinNanos} before the deadline and
 * spins the rest, because a parked thread wakes up to a few milliseconds late on a loaded machine.
 */
public final class TickScheduler {
  private final long periodNanos;
  private final long spinNanos;
  private long nextDeadline;
  private long missed;

  public TickScheduler(double hz, double spinMs) {
    this.periodNanos = Math.round(1e9 / hz);
    this.spinNanos = Math.round(spinMs * 1e6);
  }

  /** Makes the next deadline one period from now (at start and after a pause). */
  public void restart() {
    nextDeadline = System.nanoTime() + periodNanos;
  }

  public long periodNanos() {
    return periodNanos;
  }

  public long nextDeadline() {
    return nextDeadline;
  }

  /** Ticks on the schedule of a predecessor: its next deadline becomes this scheduler's. */
  public void continueAt(long deadlineNanos) {
    nextDeadline = deadlineNanos;
  }

  /** Continues the missed-deadline count of an earlier run (a resumed checkpoint). */
  public void carryMissed(long earlier) {
    missed += earlier;
  }

  /** Deadlines skipped because a tick overran a whole period. */
  public long missed() {
    return missed;
  }

  /**
   * Waits for the next deadline and returns it; the caller measures lateness against it. Returns early
   * (with -1) if {@code interrupted} becomes true while parked.
   */
  public long awaitNext(java.util.function.BooleanSupplier interrupted) {
    skipPeriodsAlreadyPast();
    long deadline = nextDeadline;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      if (interrupted.getAsBoolean()) {
        return -1;
      }
      if (remaining > spinNanos) {
        LockSupport.parkNanos(Math.min(remaining - spinNanos, 5_000_000L));
      } else {
        Thread.onSpinWait();
      }
    }
    nextDeadline += periodNanos;
    return deadline;
  }

  /** After an overrun of a whole period, drops the deadlines already gone so a stall does not cause a burst. */
  private void skipPeriodsAlreadyPast() {
    long behind = (System.nanoTime() - nextDeadline) / periodNanos;
    if (behind > 0) {
      missed += behind;
      nextDeadline += behind * periodNanos;
    }
  }
}
