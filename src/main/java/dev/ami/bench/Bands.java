package dev.ami.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * Nearest-rank p5, p50 and p95 of cells visited at each minute's end over many runs, and how often one of those
 * runs leaves its own p5–p95 band at some minute: the yardstick for reading a live run that leaves the band.
 */
record Bands(long[] p5, long[] p50, long[] p95, double outsideAnyMinute) {

  static Bands of(long[][] runs, int minutes) {
    long[] p5 = new long[minutes];
    long[] p50 = new long[minutes];
    long[] p95 = new long[minutes];
    for (int m = 0; m < minutes; m++) {
      long[] at = new long[runs.length];
      for (int r = 0; r < runs.length; r++) {
        at[r] = runs[r][m];
      }
      p5[m] = nearestRank(at, 5);
      p50[m] = nearestRank(at, 50);
      p95[m] = nearestRank(at, 95);
    }
    int outside = 0;
    for (long[] run : runs) {
      for (int m = 0; m < minutes; m++) {
        if (run[m] < p5[m] || run[m] > p95[m]) {
          outside++;
          break;
        }
      }
    }
    return new Bands(p5, p50, p95, runs.length == 0 ? 0 : (double) outside / runs.length);
  }

  /** The nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
  static long nearestRank(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  JsonObject toJson() {
    return new JsonObject().put("p5", array(p5)).put("p50", array(p50)).put("p95", array(p95))
        .put("outside_band_any_minute", Math.round(outsideAnyMinute * 1000) / 1000.0);
  }

  private static JsonArray array(long[] values) {
    return new JsonArray(Arrays.stream(values).boxed().toList());
  }
}
