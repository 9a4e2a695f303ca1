package dev.ami.agent;

import java.util.SplittableRandom;

/**
 * How often the agent has seen a view like this one, over its whole life: the count-based novelty of Tang et al.
 * (2017, "#Exploration"). A view's embedding, centred, is hashed to the signs of {@code bits} fixed random
 * projections (SimHash: nearby views share a code), and the bonus is {@code 1 / √n} with n the code's count after
 * this view. Unlike the forward model's error, which is as high in a room known for an hour as in a new one, the
 * bonus falls where the agent has been: over a persistent random walk through the built-in rooms, with 8–12 bits
 * a view in a room entered for the first time is worth about three times one in a room known for ten minutes
 * (docs/exploration.md). The counts live in one array of 2^bits ints, made once: nothing is allocated per view.
 * Not thread-safe: the agent thread owns it.
 */
final class ViewCounts implements ViewNovelty {
  /** Most bits: 2^20 counts, 4 MiB. */
  static final int MAX_BITS = 20;
  /** Subtracted from every embedding value (block means of pixels in [0, 1]) so that the projections' signs vary. */
  static final float CENTRE = 0.5f;

  private final float[][] projections;
  private final int[] counts;

  /**
   * @param bits the hash's length: fewer bits, coarser codes that generalise across nearby views
   * @param dim the embedding's size
   * @param seed the projections' draws (the same seed gives the same hash)
   */
  ViewCounts(int bits, int dim, long seed) {
    if (bits < 1 || bits > MAX_BITS || dim < 1) {
      throw new IllegalArgumentException("view counts need 1.." + MAX_BITS + " bits and a dimension, got " + bits
          + " and " + dim);
    }
    SplittableRandom random = new SplittableRandom(seed);
    this.projections = new float[bits][dim];
    for (float[] row : projections) {
      for (int i = 0; i < dim; i++) {
        row[i] = (float) random.nextGaussian();
      }
    }
    this.counts = new int[1 << bits];
  }

  /** The hash of an embedding: bit j is set when its j-th projection of the centred embedding is positive. */
  int code(float[] x) {
    int code = 0;
    for (int j = 0; j < projections.length; j++) {
      float[] row = projections[j];
      double dot = 0;
      for (int i = 0; i < row.length; i++) {
        dot += row[i] * (x[i] - CENTRE);
      }
      if (dot > 0) {
        code |= 1 << j;
      }
    }
    return code;
  }

  /** Counts {@code x}'s code once more and returns its bonus, 1 / √(count), in (0, 1]. */
  @Override
  public double observe(float[] x) {
    int c = code(x);
    if (counts[c] < Integer.MAX_VALUE) {
      counts[c]++;
    }
    return 1 / Math.sqrt(counts[c]);
  }

  /** Distinct codes seen so far. */
  int codesSeen() {
    int n = 0;
    for (int c : counts) {
      n += c > 0 ? 1 : 0;
    }
    return n;
  }
}
