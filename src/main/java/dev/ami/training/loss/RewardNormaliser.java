package dev.ami.training.loss;

/**
 * Curiosity's reward scaled for PPO as Burda et al. do for non-episodic intrinsic rewards ("Large-Scale Study of
 * Curiosity-Driven Learning", §2.2; "Exploration by Random Network Distillation"): the rewards, in time order,
 * feed a discounted return {@code R ← γ·R + r} that never resets (the agent's life is one episode); the running
 * variance of those returns is merged rollout by rollout (Chan et al.'s parallel update, starting from count
 * 1e-4, mean 0, variance 1 as their {@code RunningMeanStd}); each reward is divided by the running standard
 * deviation and clipped to ±{@code clip}. The scale follows the reward as the forward model learns, and one
 * surprise a thousand times the usual can move PPO no further than the clip.
 */
public final class RewardNormaliser {
  /** The whole state: the discounted return so far and the running moments of the returns. */
  public record State(double discounted, double count, double mean, double variance) {
    public static final State INITIAL = new State(0, 1e-4, 0, 1);
  }

  private final double gamma;
  private final double clip;
  private State state = State.INITIAL;

  /**
   * @param gamma the discount of the return whose scale is tracked (PPO's own γ)
   * @param clip normalised rewards beyond ±clip are cut there; 0 = no clip
   */
  public RewardNormaliser(double gamma, double clip) {
    this.gamma = gamma;
    this.clip = clip;
  }

  /**
   * Takes the rollout's rewards (oldest first) into the running statistics, then returns them divided by the
   * updated standard deviation and clipped.
   */
  public float[] normalise(float[] rewards) {
    update(rewards);
    return scale(rewards);
  }

  /** Takes the rewards into the statistics without scaling anything. */
  public void update(float[] rewards) {
    int n = rewards.length;
    if (n == 0) {
      return;
    }
    double[] returns = new double[n];
    double r = state.discounted();
    double sum = 0;
    for (int t = 0; t < n; t++) {
      r = gamma * r + rewards[t];
      returns[t] = r;
      sum += r;
    }
    double batchMean = sum / n;
    double ss = 0;
    for (double v : returns) {
      ss += (v - batchMean) * (v - batchMean);
    }
    double batchVar = ss / n; // population variance, as numpy's var
    double delta = batchMean - state.mean();
    double total = state.count() + n;
    double mean = state.mean() + delta * n / total;
    double m2 = state.variance() * state.count() + batchVar * n + delta * delta * state.count() * n / total;
    state = new State(r, total, mean, m2 / total);
  }

  /** The rewards divided by the running standard deviation, clipped; the statistics stay as they are. */
  public float[] scale(float[] rewards) {
    double std = std();
    float[] out = new float[rewards.length];
    for (int t = 0; t < rewards.length; t++) {
      double v = rewards[t] / std;
      out[t] = (float) (clip > 0 ? Math.max(-clip, Math.min(clip, v)) : v);
    }
    return out;
  }

  /** The running standard deviation of the discounted return (the divisor). */
  public double std() {
    return Math.sqrt(state.variance() + 1e-8);
  }

  public State state() {
    return state;
  }

  /** Takes up a saved state (a checkpoint, a redeployed trainer); a state that is not finite is refused. */
  public void restore(State saved) {
    if (!Double.isFinite(saved.discounted()) || !(saved.count() > 0) || !Double.isFinite(saved.mean())
        || !(saved.variance() >= 0) || !Double.isFinite(saved.variance())) {
      throw new IllegalArgumentException("not a reward normaliser state: " + saved);
    }
    state = saved;
  }
}
