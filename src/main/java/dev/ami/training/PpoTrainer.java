package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.PpoUpdate;
import dev.ami.config.PpoOptions;
import dev.ami.data.Rollouts;
import dev.ami.model.ActionHeads;
import dev.ami.model.InputBuffer;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.params.ParamSnapshot;
import dev.ami.training.loss.EntropyTarget;
import dev.ami.training.loss.Gae;
import dev.ami.training.loss.PpoLoss;
import dev.ami.training.loss.RewardNormaliser;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the policy and value network with PPO on one rollout at a time: the curiosity rewards divided by a
 * running std of their discounted return and clipped ({@link RewardNormaliser}), GAE with the values the rollout
 * was acted with (not carried across pauses or dropped steps), advantages normalised per minibatch (ami) or over
 * the rollout, then {@code epochs} shuffled passes in minibatches (clipped surrogate per action part, value loss,
 * entropy bonus, fixed or held to a target entropy by {@link EntropyTarget}), each update's gradients clipped to a
 * global norm. Every update is summarised in a
 * {@link PpoUpdate}.
 */
public final class PpoTrainer extends TrainerBase {
  /** The snapshot group that carries the reward normaliser's state beside the model. */
  public static final String REWARD_STATS = "reward_norm";
  /** Numbers in that group: the discounted return, and the count, mean and variance of the returns. */
  public static final int REWARD_STATS_SIZE = 4;
  /** The snapshot group that carries the entropy bonus's adaptive weights (each action part's log-weight). */
  public static final String ENTROPY_WEIGHTS = "entropy_coef";
  public static final int ENTROPY_WEIGHTS_SIZE = ActionHeads.COUNT;

  private final PolicySpec spec;
  private final PpoOptions options;
  private final Rollouts rollouts;
  private final PolicyValue model;
  private final StatsBlock rewardStats;
  private final RewardNormaliser normaliser;
  private final StatsBlock entropyStats;
  private final EntropyTarget entropyTarget;
  private final int batch;
  private final float[] frames;
  private final float[] actions;
  private final float[] oldLogp;
  private final float[] scalars; // advantages, old values, returns: batch each
  private final int[] slots;
  private final InputBuffer frameInput;
  private final InputBuffer actionInput;
  private final InputBuffer logpInput;
  private final InputBuffer scalarInput;
  private final Rollouts.Rollout rollout; // refilled from the buffer at each run's start (no garbage)
  private final int[] stepAction = new int[ActionHeads.COUNT];
  private boolean filled; // the rollout holds steps: the last one learned from, while no fresh one is there
  private boolean running; // between beginRun and endRun
  private boolean reusing;
  private float[] advantages;
  private double[] returns;
  private Plan plan;
  private long updates;
  private UpdateSums sums;
  private PpoUpdate finished;

  public PpoTrainer(PolicySpec spec, PpoOptions options, Rollouts rollouts, long seed) {
    super(ModelKeys.POLICY, seed);
    this.spec = spec;
    this.options = options;
    this.rollouts = rollouts;
    this.batch = options.batch();
    this.model = new PolicyValue(spec);
    model.initialize(manager, DataType.FLOAT32, spec.frameShape(batch));
    this.rewardStats = new StatsBlock(REWARD_STATS_SIZE);
    rewardStats.init(manager);
    this.normaliser = new RewardNormaliser(options.gamma(), options.rewardClip());
    saveNormaliser();
    this.entropyStats = new StatsBlock(ENTROPY_WEIGHTS_SIZE);
    entropyStats.init(manager);
    this.entropyTarget = new EntropyTarget(options.targetEntropy(), options.entCoefRate(), options.entCoef());
    saveEntropyWeights();
    optimize(options.lr(), options.weightDecay(), model);
    clipGradNorm(options.maxGradNorm());
    this.frames = new float[batch * spec.frameSize()];
    this.actions = new float[batch * ActionHeads.TOTAL];
    this.oldLogp = new float[batch * ActionHeads.COUNT];
    this.scalars = new float[3 * batch];
    this.slots = new int[batch];
    this.frameInput = new InputBuffer(frames.length);
    this.actionInput = new InputBuffer(actions.length);
    this.logpInput = new InputBuffer(oldLogp.length);
    this.scalarInput = new InputBuffer(scalars.length);
    this.rollout = new Rollouts.Rollout(options.rollout() + 1, spec.frameSize());
  }

  @Override
  public String key() {
    return ModelKeys.POLICY;
  }

  /**
   * A fresh rollout is there; or, with {@code ignoreNewSamples} (benchmarks measuring the step alone), the
   * last one may be learned from again.
   */
  @Override
  public boolean canStartRun(boolean ignoreNewSamples) {
    return rollouts.size() >= options.rollout() + 1 || (ignoreNewSamples && filled);
  }

  @Override
  public int beginRun() {
    rollouts.keepNewest(2 * options.rollout() + 1); // behind by more than a rollout: learn from the freshest
    reusing = !rollouts.copyOldest(rollout);
    if (reusing && !filled) {
      return 0;
    }
    filled = true;
    running = true;
    int n = options.rollout();
    float[] raw = new float[n];
    float[] values = new float[n + 1];
    boolean[] gapAfter = new boolean[n];
    int gaps = 0;
    double rewardSum = 0;
    double rewardMax = Double.NEGATIVE_INFINITY;
    for (int t = 0; t <= n; t++) {
      values[t] = rollout.value(t);
      if (t < n) {
        raw[t] = rollout.reward(t);
        rewardSum += raw[t];
        rewardMax = Math.max(rewardMax, raw[t]);
        gapAfter[t] = rollout.chainStart(t + 1) || rollout.tick(t + 1) != rollout.tick(t) + 1;
        gaps += gapAfter[t] ? 1 : 0;
      }
    }
    float[] rewards = raw;
    if (options.normaliseRewards()) {
      if (!reusing) { // a rollout learned from again (benchmarks) must not count twice in the statistics
        normaliser.update(raw);
        saveNormaliser();
      }
      rewards = normaliser.scale(raw);
    }
    int clipped = 0;
    for (int t = 0; options.normaliseRewards() && options.rewardClip() > 0 && t < n; t++) {
      clipped += Math.abs(raw[t] / normaliser.std()) > options.rewardClip() ? 1 : 0;
    }
    Gae.Result gae = Gae.compute(rewards, values, gapAfter, options.gamma(), options.lambda());
    advantages = options.minibatchAdvantages() ? toFloats(gae.advantages()) : Gae.normalise(gae.advantages());
    returns = gae.returns();
    plan = new Plan(n, batch, options.epochs(), draws());
    sums = new UpdateSums(Gae.std(gae.advantages()), rewardSum / n, rewardMax,
        options.normaliseRewards() ? normaliser.std() : 1, clipped, gaps);
    return plan.steps();
  }

  @Override
  public boolean nextBatch() {
    if (plan == null || !plan.next(slots)) {
      return false;
    }
    for (int b = 0; b < batch; b++) {
      int t = slots[b];
      rollout.frame(t, frames, b * spec.frameSize());
      rollout.action(t, stepAction, 0);
      ActionHeads.oneHot(stepAction, actions, b * ActionHeads.TOTAL);
      rollout.logp(t, oldLogp, b * ActionHeads.COUNT);
      scalars[b] = advantages[t];
      scalars[batch + b] = rollout.value(t);
      scalars[2 * batch + b] = (float) returns[slots[b]];
    }
    if (options.minibatchAdvantages()) {
      Gae.normaliseInPlace(scalars, 0, batch);
    }
    return true;
  }

  @Override
  public float step() {
    float[][] diagnostics = new float[1][];
    float loss = update(m -> {
      NDArray x = frameInput.wrap(m, frames, spec.frameShape(batch));
      NDArray a = actionInput.wrap(m, actions, new Shape(batch, ActionHeads.TOTAL));
      NDArray logp = logpInput.wrap(m, oldLogp, new Shape(batch, ActionHeads.COUNT));
      NDArray s = scalarInput.wrap(m, scalars, new Shape(3, batch));
      NDList out = model.forward(store, new NDList(x), true);
      NDArray values = out.get(1).reshape(batch);
      PpoLoss.Parts parts = PpoLoss.compute(out.get(0), a, logp, s.get(0), values, s.get(1), s.get(2),
          options.clip(), options.valueClip(), options.vfCoef(), options.entCoef(),
          entropyTarget.adaptive() ? entropyTarget.weights() : null);
      diagnostics[0] = parts.diagnostics().toFloatArray(); // one read back for every figure of the step
      return parts.total();
    });
    if (sums != null) {
      sums.add(loss, diagnostics[0], lastGradNorm(), entropyTarget.meanWeight());
    }
    if (Float.isFinite(loss) && diagnostics[0] != null) {
      entropyTarget.observe(diagnostics[0], PpoLoss.ENTROPY);
    }
    return loss;
  }

  /** The rollout is used: its steps leave the buffer (the bootstrap step stays, it starts the next one). */
  @Override
  public void endRun() {
    if (running && !reusing) {
      rollouts.consumeThrough(rollout.tick(options.rollout() - 1));
    }
    if (sums != null && sums.steps + sums.skipped > 0) {
      finished = sums.summary(++updates);
    }
    if (entropyTarget.adaptive()) {
      saveEntropyWeights();
    }
    sums = null;
    running = false;
    plan = null;
  }

  @Override
  public PpoUpdate takeUpdate() {
    PpoUpdate u = finished;
    finished = null;
    return u;
  }

  /** The running std the rewards are divided by (1 before any rollout). */
  public double rewardScale() {
    return normaliser.std();
  }

  /** The entropy bonus's weight per action part now (fixed, or adapted to the target). */
  public float[] entropyWeights() {
    return entropyTarget.weights().clone();
  }

  /**
   * The model, the reward normaliser's state and the entropy weights: all travel in snapshots and checkpoints.
   */
  @Override
  public Map<String, Block> groups() {
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("model", model);
    groups.put(REWARD_STATS, rewardStats);
    groups.put(ENTROPY_WEIGHTS, entropyStats);
    return groups;
  }

  /**
   * The parameters, and the reward normaliser's state and the entropy weights when the snapshot has them (a
   * snapshot or checkpoint from before they existed: they start afresh). A fixed-weight trainer keeps its weight.
   */
  @Override
  public void restore(ParamSnapshot snapshot) {
    java.util.List<String> names = snapshot.groupNames();
    Map<String, Block> present = new LinkedHashMap<>();
    groups().forEach((name, block) -> {
      if (name.equals("model") || names.contains(name)) {
        present.put(name, block);
      }
    });
    // the saved states are checked first: a bad one copies nothing
    if (names.contains(REWARD_STATS)) {
      double[] v = StatsBlock.of(snapshot.group(REWARD_STATS));
      normaliser.restore(new RewardNormaliser.State(v[0], v[1], v[2], v[3]));
    }
    if (names.contains(ENTROPY_WEIGHTS)) {
      entropyTarget.restore(StatsBlock.of(snapshot.group(ENTROPY_WEIGHTS)));
    }
    restoreGroups(snapshot, present);
    saveNormaliser();
    saveEntropyWeights();
  }

  private void saveEntropyWeights() {
    entropyStats.write(entropyTarget.state(), manager);
  }

  private void saveNormaliser() {
    RewardNormaliser.State s = normaliser.state();
    rewardStats.write(new double[] {s.discounted(), s.count(), s.mean(), s.variance()}, manager);
  }

  private static float[] toFloats(double[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (float) a[i];
    }
    return out;
  }

  @Override
  public String spec() {
    return spec.toString();
  }

  @Override
  public int bufferSize() {
    return rollouts.size();
  }

  @Override
  public int publishEvery() {
    return options.publishEvery();
  }

  /** Sums over one update's steps, for its {@link PpoUpdate}. */
  private static final class UpdateSums {
    final double advStdRaw;
    final double rewardMean;
    final double rewardMax;
    final double rewardScale;
    final int clipped;
    final int gaps;
    final double[] diagnostics = new double[PpoLoss.DIAGNOSTICS];
    double loss;
    double gradNorm;
    double entCoef;
    int steps;
    int skipped;

    UpdateSums(double advStdRaw, double rewardMean, double rewardMax, double rewardScale, int clipped, int gaps) {
      this.advStdRaw = advStdRaw;
      this.rewardMean = rewardMean;
      this.rewardMax = rewardMax;
      this.rewardScale = rewardScale;
      this.clipped = clipped;
      this.gaps = gaps;
    }

    void add(float stepLoss, float[] d, double norm, double weight) {
      if (!Float.isFinite(stepLoss) || d == null) {
        skipped++;
        return;
      }
      steps++;
      loss += stepLoss;
      gradNorm += norm;
      entCoef += weight;
      for (int i = 0; i < diagnostics.length; i++) {
        diagnostics[i] += d[i];
      }
    }

    PpoUpdate summary(long update) {
      double n = Math.max(1, steps);
      float[] entropy = new float[ActionHeads.COUNT];
      for (int h = 0; h < entropy.length; h++) {
        entropy[h] = (float) (diagnostics[PpoLoss.ENTROPY + h] / n);
      }
      return new PpoUpdate(update, 0, steps, skipped, steps == 0 ? Double.NaN : loss / n,
          diagnostics[PpoLoss.POLICY] / n, diagnostics[PpoLoss.VALUE] / n, diagnostics[PpoLoss.VALUE_MEAN] / n,
          diagnostics[PpoLoss.RETURN_MEAN] / n, advStdRaw, gradNorm / n, diagnostics[PpoLoss.CLIP_FRAC] / n,
          diagnostics[PpoLoss.APPROX_KL] / n, entropy, entCoef / n, rewardMean, rewardMax, rewardScale, clipped, gaps,
          System.currentTimeMillis());
    }
  }
}
