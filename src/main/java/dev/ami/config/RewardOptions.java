package dev.ami.config;


/**
 * The curiosity reward as the agent computes it ({@code reward.*}): {@code r = scale · NLL + shift}; whether a step
 * whose two latents came from different encoder versions is rewarded at all; whether the latents come from the
 * trained VAE or from a fixed random encoder built from {@code featureSeed} (the trainer builds the same one);
 * with the VAE's, whether the agent's encoder is the one that came with the forward model's snapshot
 * ({@code pairedEncoder}, the encoder it was trained against) or the VAE's newest; and, with
 * {@code episodicMemory} > 0, NGU's episodic novelty against that many recent views (distances scaled by their
 * running mean over {@code episodicMeanTicks} views), modulated by the forward model's surprise; or, with
 * {@code countBits} > 0, lifelong counts of hashed views in its place ({@code agent.ViewCounts}).
 */
public record RewardOptions(double scale, double shift, boolean skipEncoderSwaps, boolean randomFeatures,
                            long featureSeed, int episodicMemory, boolean pairedEncoder, int episodicMeanTicks,
                            int countBits) {
  /** Views the episodic memory's running mean of distances spans unless told otherwise. */
  public static final int SHORT_MEAN_TICKS = 100;
  public RewardOptions(double scale, double shift) {
    this(scale, shift, true, false, 0, 0, true, SHORT_MEAN_TICKS, 0);
  }

  /** Without the episodic novelty's mean horizon (it matters only with {@code episodicMemory} > 0). */
  public RewardOptions(double scale, double shift, boolean skipEncoderSwaps, boolean randomFeatures,
                       long featureSeed, int episodicMemory, boolean pairedEncoder) {
    this(scale, shift, skipEncoderSwaps, randomFeatures, featureSeed, episodicMemory, pairedEncoder,
        SHORT_MEAN_TICKS, 0);
  }

  /** The VAE's newest encoder (not the forward model's pair), as before issue #20's second round; for tests. */
  public RewardOptions(double scale, double shift, boolean skipEncoderSwaps, boolean randomFeatures,
                       long featureSeed) {
    this(scale, shift, skipEncoderSwaps, randomFeatures, featureSeed, 0, false, SHORT_MEAN_TICKS, 0);
  }

  public static RewardOptions from(AmiConfig c) {
    return new RewardOptions(c.getDouble("reward.scale"), c.getDouble("reward.shift"),
        c.getBool("reward.skip_encoder_swaps"), c.getString("reward.features").equals("random"),
        featureSeed(c.getLong("trainer.seed")), c.getInt("reward.episodic_memory"), c.getString("reward.encoder").equals("paired"),
        c.getInt("reward.episodic_mean_ticks"), c.getInt("reward.count_bits"));
  }

  /** The random encoder's seed, derived from the trainers' seed, so that agent and trainer build the same network. */
  public static long featureSeed(long trainerSeed) {
    return trainerSeed * 31 + 17;
  }

  public double apply(double nll) {
    return scale * nll + shift;
  }
}
