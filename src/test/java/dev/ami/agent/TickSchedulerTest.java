package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TickSchedulerTest {

  @Test
  @DisplayName("deadlines are absolute: the k-th deadline is start + k periods, whatever the work took")
  void deadlinesDoNotDrift() {
    TickScheduler s = new TickScheduler(200, 1.0);
    s.restart();
    long first = s.nextDeadline();
    for (int k = 0; k < 10; k++) {
      long deadline = s.awaitNext(() -> false);
      assertThat(System.nanoTime()).isGreaterThanOrEqualTo(deadline);
      if (s.missed() == 0) {
        assertThat(deadline).isEqualTo(first + k * s.periodNanos());
      }
    }
  }

  @Test
  @DisplayName("after a stall longer than a period the missed deadlines are skipped, not replayed in a burst")
  void stallSkipsDeadlines() {
    TickScheduler s = new TickScheduler(100, 1.0);
    s.restart();
    long first = s.awaitNext(() -> false);
    LockSupport.parkNanos(5 * s.periodNanos()); // the tick overran by several periods
    long next = s.awaitNext(() -> false);
    assertThat(s.missed()).isGreaterThanOrEqualTo(3);
    assertThat((next - first) % s.periodNanos()).as("still on the original grid").isZero();
    assertThat(System.nanoTime() - next).as("the next tick is within one period of its deadline")
        .isLessThan(s.periodNanos() + 1_000_000_000L);
  }

  @Test
  @DisplayName("a pending command interrupts the wait")
  void interruptible() {
    TickScheduler s = new TickScheduler(1, 1.0);
    s.restart();
    assertThat(s.awaitNext(() -> true)).isEqualTo(-1);
  }
}
