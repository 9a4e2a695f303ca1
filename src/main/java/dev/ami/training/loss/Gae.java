package dev.ami.training.loss;

/**
 * Generalised advantage estimation over one rollout of a continuing task (the agent's life is one
 * episode): {@code δ_t = r_t + γ·V_{t+1} − V_t}, {@code A_t = δ_t + γλ·A_{t+1}}, returns {@code A + V}.
 */
public final class Gae {
  /** Advantages and returns of one rollout. */
  public record Result(double[] advantages, double[] returns) {
  }

  private Gae() {
  }

  /**
   * @param rewards r_0 .. r_{n-1}
   * @param values V_0 .. V_n: one more than the rewards, the last one bootstraps
   */
  public static Result compute(float[] rewards, float[] values, double gamma, double lambda) {
    return compute(rewards, values, new boolean[rewards.length], gamma, lambda);
  }

  /**
   * The same over a rollout with gaps: {@code gapAfter[t]} says the step after t is not t's successor (a pause,
   * a blind tick or a dropped step lies between). There the advantage does not carry across, and the unknown
   * value of t's true successor is stood in for by V_t itself: δ_t = r_t + (γ − 1)·V_t.
   */
  public static Result compute(float[] rewards, float[] values, boolean[] gapAfter, double gamma, double lambda) {
    int n = rewards.length;
    if (values.length != n + 1 || gapAfter.length != n) {
      throw new IllegalArgumentException("GAE needs " + (n + 1) + " values and " + n + " gap flags for " + n
          + " rewards, got " + values.length + " and " + gapAfter.length);
    }
    double[] adv = new double[n];
    double[] ret = new double[n];
    double next = 0;
    for (int t = n - 1; t >= 0; t--) {
      double successor = gapAfter[t] ? values[t] : values[t + 1];
      if (gapAfter[t]) {
        next = 0;
      }
      double delta = rewards[t] + gamma * successor - values[t];
      next = delta + gamma * lambda * next;
      adv[t] = next;
      ret[t] = next + values[t];
    }
    return new Result(adv, ret);
  }

  /** The unbiased standard deviation, as {@code torch.std}; 0 for fewer than two values. */
  public static double std(double[] a) {
    if (a.length < 2) {
      return 0;
    }
    double mean = 0;
    for (double v : a) {
      mean += v;
    }
    mean /= a.length;
    double ss = 0;
    for (double v : a) {
      ss += (v - mean) * (v - mean);
    }
    return Math.sqrt(ss / (a.length - 1));
  }

  /**
   * Normalises {@code a[from .. from + n)} in place to mean 0 and standard deviation 1, as {@link #normalise} does
   * (a minibatch's advantages, as ami normalises them).
   */
  public static void normaliseInPlace(float[] a, int from, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = a[from + i];
    }
    float[] out = normalise(d);
    System.arraycopy(out, 0, a, from, n);
  }

  /** Mean 0 and standard deviation 1 (the unbiased estimate, as {@code torch.std}; 1e-8 guards a flat rollout). */
  public static float[] normalise(double[] a) {
    double mean = 0;
    for (double v : a) {
      mean += v;
    }
    mean /= a.length;
    double std = std(a);
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) ((a[i] - mean) / (std + 1e-8));
    }
    return out;
  }
}
