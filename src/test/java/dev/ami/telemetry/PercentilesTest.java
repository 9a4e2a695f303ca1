package dev.ami.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.ami.bus.TickRecord;
import dev.ami.telemetry.IntervalSummary.Scalar;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Known answers for the percentiles of benchmarks ({@link Samples}) and telemetry ({@link IntervalSummary}). */
class PercentilesTest {
  /** The histogram's precision: 3 significant digits. */
  private static final double PRECISION_PERCENT = 0.1;

  @Test
  @DisplayName("1..1000 in any order: p50 500, p99 990, p0 and p100 the exact ends; nothing recorded: NaN")
  void knownSet() {
    Percentiles p = new Percentiles();
    assertThat(p.percentile(50)).isNaN();
    assertThat(p.max()).isNaN();
    for (double v : shuffled(1, 1000)) {
      p.record(v);
    }
    p.record(Double.NaN); // left out
    assertThat(p.count()).isEqualTo(1000);
    assertThat(p.percentile(50)).isCloseTo(500, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(99)).isCloseTo(990, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(75)).isCloseTo(750, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(0.1)).isCloseTo(1, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(100)).isEqualTo(1000);
    assertThat(p.percentile(0)).isEqualTo(1);
    assertThat(p.max()).isEqualTo(1000);
    assertThat(p.min()).isEqualTo(1);
    p.reset();
    assertThat(p.count()).isZero();
    p.record(7.5);
    assertThat(p.percentile(99)).isEqualTo(7.5);
  }

  @Test
  @DisplayName("negative values rank below the rest: -500..499 has p50 -1, p1 -491, p99 489")
  void signed() {
    Percentiles p = new Percentiles();
    for (double v : shuffled(-500, 499)) {
      p.record(v);
    }
    assertThat(p.percentile(50)).isCloseTo(-1, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(1)).isCloseTo(-491, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(99)).isCloseTo(489, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(0)).isEqualTo(-500);
    assertThat(p.percentile(100)).isEqualTo(499);
  }

  @Test
  @DisplayName("fractions of a millisecond keep their precision beside seconds; extremes are clamped, not refused")
  void wideRange() {
    Percentiles p = new Percentiles();
    p.record(5000);
    for (int i = 0; i < 98; i++) {
      p.record(0.0123);
    }
    p.record(1e-12); // below the smallest magnitude: counts as 0
    p.record(1e15);  // above the largest: counted at the largest, its exact value still the maximum
    assertThat(p.percentile(50)).isCloseTo(0.0123, withinPercentage(PRECISION_PERCENT));
    assertThat(p.percentile(0)).isEqualTo(1e-12);
    assertThat(p.percentile(99)).isCloseTo(5000, withinPercentage(PRECISION_PERCENT));
    assertThat(p.max()).isEqualTo(1e15);
  }

  @Test
  @DisplayName("recording allocates nothing once the histogram has seen the range (it runs on an event loop)")
  void recordingDoesNotAllocate() {
    Percentiles p = new Percentiles();
    Random random = new Random(1);
    double[] values = new double[100_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextDouble() * 200 - 10;
    }
    for (double v : values) {
      p.record(v);
    }
    p.reset();
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    before = threads.getCurrentThreadAllocatedBytes(); // the first call may allocate itself
    for (double v : values) {
      p.record(v);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(p.count()).isEqualTo(values.length);
    // an allocation per value would be 16 bytes a value or more; under a byte a value leaves room for what the
    // JIT's switch from interpreted to compiled code allocates once (a few KB measured, 0 with -Xint)
    assertThat(allocated).as("bytes allocated for 100 000 values").isLessThan(values.length);
  }

  @Test
  @DisplayName("Samples: percentiles of 1..1000, the exact maximum, and means of the first and last values")
  void samples() {
    Samples s = new Samples();
    assertThat(s.percentile(50)).isNaN();
    for (int v = 1; v <= 1000; v++) {
      s.add(v);
    }
    s.add(Double.POSITIVE_INFINITY); // left out
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.percentile(50)).isCloseTo(500, withinPercentage(PRECISION_PERCENT));
    assertThat(s.percentile(99)).isCloseTo(990, withinPercentage(PRECISION_PERCENT));
    assertThat(s.max()).isEqualTo(1000);
    assertThat(s.first()).isEqualTo(1);
    assertThat(s.meanOfFirst(10)).isEqualTo(5.5);
    assertThat(s.meanOfLast(10)).isEqualTo(995.5);
    s.clear();
    assertThat(s.percentile(50)).isNaN();
    s.add(3);
    assertThat(s.percentile(99)).isEqualTo(3);
  }

  @Test
  @DisplayName("IntervalSummary: lateness p99 and max, duration p99 of an interval's ticks; the next interval starts empty")
  void intervalSummary() {
    IntervalSummary summary = new IntervalSummary();
    for (double v : shuffled(1, 1000)) {
      summary.tick(tick(v, v / 10));
    }
    Map<String, Double> first = byTag(summary.drain(System.currentTimeMillis()));
    assertThat(first.get("tick/lateness_p99_ms")).isCloseTo(990, withinPercentage(PRECISION_PERCENT));
    assertThat(first.get("tick/lateness_max_ms")).isEqualTo(1000);
    assertThat(first.get("tick/duration_p99_ms")).isCloseTo(99, withinPercentage(PRECISION_PERCENT));
    summary.tick(tick(2.5, 0.5));
    Map<String, Double> second = byTag(summary.drain(System.currentTimeMillis()));
    assertThat(second.get("tick/lateness_p99_ms")).isEqualTo(2.5);
    assertThat(second.get("tick/lateness_max_ms")).isEqualTo(2.5);
    assertThat(second.get("tick/duration_p99_ms")).isEqualTo(0.5);
    assertThat(byTag(summary.drain(System.currentTimeMillis()))).doesNotContainKey("tick/lateness_p99_ms");
  }

  private static TickRecord tick(double latenessMs, double durationMs) {
    return new TickRecord(1, latenessMs, durationMs, 0, Map.of(), Double.NaN, null, 0, 0, 0, false, null);
  }

  private static Map<String, Double> byTag(List<Scalar> scalars) {
    Map<String, Double> out = new java.util.HashMap<>();
    scalars.forEach(s -> out.put(s.tag(), s.value()));
    return out;
  }

  private static List<Double> shuffled(int from, int to) {
    List<Double> out = new ArrayList<>();
    for (int v = from; v <= to; v++) {
      out.add((double) v);
    }
    Collections.shuffle(out, new Random(7));
    return out;
  }
}
