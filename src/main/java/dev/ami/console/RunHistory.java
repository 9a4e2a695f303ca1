package dev.ami.console;

import dev.ami.telemetry.IntervalSummary;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole run's curves for the console, in bounded memory: one point per {@link #BASE_S} seconds until
 * {@link #CAPACITY} points (a day), then every two neighbours merge and points come half as often, and so on: a
 * run of a week holds a point every 80 s. Kept by the console verticle, so a reloaded page gets it all again.
 * Not thread-safe: the console's event loop owns it.
 */
final class RunHistory {
  static final int BASE_S = 10;
  static final int CAPACITY = 8640;

  private final int capacity;
  private final List<Long> times = new ArrayList<>();
  private final Map<String, List<Double>> series = new LinkedHashMap<>();
  private int span = 1; // raw intervals per point
  private final Map<String, double[]> pending = new LinkedHashMap<>(); // sum, count over the raw intervals so far
  private int pendingIntervals;
  private long pendingStart;

  RunHistory() {
    this(CAPACITY);
  }

  RunHistory(int capacity) {
    if (capacity < 2 || capacity % 2 != 0) {
      throw new IllegalArgumentException("capacity must be even and at least 2");
    }
    this.capacity = capacity;
  }

  /**
   * Adds one raw interval's figures.
   *
   * @return the point it completed (as {@code history_point} JSON), or null when it only went into a partial one
   */
  JsonObject add(long wallMillis, List<IntervalSummary.Scalar> scalars) {
    if (pendingIntervals == 0) {
      pendingStart = wallMillis;
    }
    for (IntervalSummary.Scalar s : scalars) {
      if (Double.isFinite(s.value())) {
        double[] acc = pending.computeIfAbsent(s.tag(), k -> new double[2]);
        acc[0] += s.value();
        acc[1]++;
      }
    }
    if (++pendingIntervals < span) {
      return null;
    }
    Map<String, Double> point = new LinkedHashMap<>();
    pending.forEach((tag, acc) -> point.put(tag, acc[1] == 0 ? Double.NaN : acc[0] / acc[1]));
    pending.clear();
    pendingIntervals = 0;
    append(pendingStart, point);
    if (times.size() >= capacity) {
      halve();
    }
    JsonObject values = new JsonObject();
    point.forEach((tag, v) -> values.put(tag, Double.isFinite(v) ? v : null));
    return new JsonObject().put("type", "history_point").put("t", pendingStart).put("interval_s", span * BASE_S)
        .put("values", values);
  }

  private void append(long t, Map<String, Double> point) {
    int index = times.size();
    times.add(t);
    for (Map.Entry<String, Double> e : point.entrySet()) {
      List<Double> column = series.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
      while (column.size() < index) {
        column.add(Double.NaN); // a curve that starts late (a model that trains later)
      }
      column.add(e.getValue());
    }
    for (List<Double> column : series.values()) {
      while (column.size() < times.size()) {
        column.add(Double.NaN);
      }
    }
  }

  /** Every two neighbours become one (the mean of what they have), and points come half as often from now on. */
  private void halve() {
    List<Long> t = new ArrayList<>();
    for (int i = 0; i + 1 < times.size(); i += 2) {
      t.add(times.get(i));
    }
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> c = e.getValue();
      List<Double> merged = new ArrayList<>();
      for (int i = 0; i + 1 < c.size(); i += 2) {
        merged.add(mean(c.get(i), c.get(i + 1)));
      }
      e.setValue(merged);
    }
    times.clear();
    times.addAll(t);
    span *= 2;
  }

  private static double mean(double a, double b) {
    if (!Double.isFinite(a)) {
      return b;
    }
    return Double.isFinite(b) ? (a + b) / 2 : a;
  }

  int size() {
    return times.size();
  }

  /** Seconds between points now. */
  int intervalS() {
    return span * BASE_S;
  }

  /** The {@code history} message: every point so far, column by column. */
  JsonObject toJson() {
    JsonObject columns = new JsonObject();
    series.forEach((tag, c) -> {
      JsonArray a = new JsonArray();
      c.forEach(v -> a.add(Double.isFinite(v) ? v : null));
      columns.put(tag, a);
    });
    return new JsonObject().put("type", "history").put("interval_s", intervalS()).put("t", new JsonArray(
        new ArrayList<>(times))).put("series", columns);
  }
}
