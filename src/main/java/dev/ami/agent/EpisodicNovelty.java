package dev.ami.agent;

import dev.ami.config.RewardOptions;

/**
 * How new an observation is against what the agent saw lately: the episodic novelty of "Never Give Up" (Badia et
 * al. 2020). A ring of the last {@code capacity} embeddings; for a new one x, its k nearest squared distances d²_i
 * are divided by a running mean of such distances d²_m, then
 * <pre>
 *   K_i = ε / (max(d²_i / d²_m − ξ, 0) + ε),     r = 1 / (√(Σ_i K_i) + c)
 * </pre>
 * with ε = 1e-3, ξ = 0.008, c = 1e-3. Standing still or spinning on the spot brings back views the ring still holds
 * (r near 1/√k); a view unlike every one in the ring has kernels near ε/(d + ε) and r in the tens. The prediction
 * error of the forward model stays the life-long part of curiosity; the agent multiplies the two
 * ({@link CuriosityBrain}). Not thread-safe: the agent thread owns it.
 */
public final class EpisodicNovelty implements ViewNovelty {
  static final double EPSILON = 1e-3;
  static final double CLUSTER = 0.008;
  static final double C = 1e-3;
  /** The horizon, in views, of the running mean d²_m before {@code reward.episodic_mean_ticks} existed. */
  static final int SHORT_MEAN_TICKS = RewardOptions.SHORT_MEAN_TICKS;

  private final int k;
  private final double meanRate; // weight of each new mean of k distances in d²_m: 1 / its horizon in views
  private final float[][] ring;
  private final double[] distances;
  private int size;
  private int next;
  private double meanDistance = Double.NaN;

  public EpisodicNovelty(int capacity, int dim, int k) {
    this(capacity, dim, k, SHORT_MEAN_TICKS);
  }

  /**
   * With d²_m an exponential mean over about {@code meanTicks} views. A short one follows a loop the agent runs, so
   * the loop's small distances become the norm and its views keep scoring as new; a long one keeps the scale of
   * the places explored before, against which a loop's views are near and score low.
   */
  public EpisodicNovelty(int capacity, int dim, int k, int meanTicks) {
    if (capacity < 1 || dim < 1 || k < 1 || meanTicks < 1) {
      throw new IllegalArgumentException("episodic memory needs capacity, dimension, k and mean horizon of at least 1");
    }
    this.k = k;
    this.meanRate = 1.0 / meanTicks;
    this.ring = new float[capacity][dim];
    this.distances = new double[k];
  }

  /**
   * The novelty of {@code x} against the ring, then {@code x} joins the ring (the oldest leaves when it is full).
   * The very first observation has nothing to compare with: novelty 1.
   */
  @Override
  public double observe(float[] x) {
    double r = 1;
    if (size > 0) {
      int n = Math.min(k, size);
      nearest(x, n);
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += distances[i];
      }
      mean /= n;
      meanDistance = Double.isNaN(meanDistance) ? mean : meanDistance + meanRate * (mean - meanDistance);
      double scale = meanDistance > 0 ? meanDistance : 1;
      double similarity = 0;
      for (int i = 0; i < n; i++) {
        double d = Math.max(distances[i] / scale - CLUSTER, 0);
        similarity += EPSILON / (d + EPSILON);
      }
      r = 1 / (Math.sqrt(similarity) + C);
    }
    System.arraycopy(x, 0, ring[next], 0, x.length);
    next = (next + 1) % ring.length;
    size = Math.min(ring.length, size + 1);
    return r;
  }

  /** The n smallest squared distances from x to the ring, ascending, into distances[0..n). */
  private void nearest(float[] x, int n) {
    int held = 0;
    for (int i = 0; i < size; i++) {
      double d = squaredDistance(x, ring[i]);
      if (held == n && d >= distances[n - 1]) {
        continue;
      }
      int at = held < n ? held++ : n - 1; // insertion into the sorted few
      while (at > 0 && distances[at - 1] > d) {
        distances[at] = distances[at - 1];
        at--;
      }
      distances[at] = d;
    }
  }

  /** Embeddings held now. */
  public int size() {
    return size;
  }

  /** The running mean of the k nearest squared distances (NaN before the second observation). */
  public double meanDistance() {
    return meanDistance;
  }

  private static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
