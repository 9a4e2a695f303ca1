package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ami.bus.StepRecord;
import dev.ami.bus.ModelKeys;
import dev.ami.data.Pixels;
import dev.ami.data.Rollouts;
import dev.ami.model.ActionHeads;
import dev.ami.model.InputBuffer;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.training.loss.Gae;
import dev.ami.training.loss.PpoLoss;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the policy and value network with PPO on one rollout at a time: GAE over the rollout's curiosity
 * rewards with the values it was acted with (not carried across pauses or dropped steps), advantages
 * normalised over the rollout, then {@code epochs} shuffled passes in minibatches (clipped surrogate per
 * action part, clipped value loss, entropy bonus).
 */
public final class PpoTrainer extends TrainerBase {

  private final PolicySpec spec;
  private final PpoOptions options;
  private final Rollouts rollouts;
  private final SplittableRandom random;
  private final PolicyValue model;
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
  private List<StepRecord> rollout;
  private List<StepRecord> lastRollout;
  private boolean reusing;
  private float[] advantages;
  private double[] returns;
  private Plan plan;

  public PpoTrainer(PolicySpec spec, PpoOptions options, Rollouts rollouts, long seed) {
    super(ModelKeys.POLICY, seed);
    this.spec = spec;
    this.options = options;
    this.rollouts = rollouts;
    this.random = new SplittableRandom(seed);
    this.batch = options.batch();
    this.model = new PolicyValue(spec);
    model.initialize(manager, DataType.FLOAT32, spec.frameShape(batch));
    optimize(options.lr(), options.weightDecay(), model);
    this.frames = new float[batch * spec.frameSize()];
    this.actions = new float[batch * ActionHeads.TOTAL];
    this.oldLogp = new float[batch * ActionHeads.COUNT];
    this.scalars = new float[3 * batch];
    this.slots = new int[batch];
    this.frameInput = new InputBuffer(frames.length);
    this.actionInput = new InputBuffer(actions.length);
    this.logpInput = new InputBuffer(oldLogp.length);
    this.scalarInput = new InputBuffer(scalars.length);
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
    return rollouts.size() >= options.rollout() + 1 || (ignoreNewSamples && lastRollout != null);
  }

  @Override
  public int beginRun() {
    rollouts.keepNewest(2 * options.rollout() + 1); // behind by more than a rollout: learn from the freshest
    rollout = rollouts.peek(options.rollout());
    reusing = rollout == null;
    if (reusing) {
      rollout = lastRollout;
    }
    if (rollout == null) {
      return 0;
    }
    int n = options.rollout();
    float[] rewards = new float[n];
    float[] values = new float[n + 1];
    boolean[] gapAfter = new boolean[n];
    for (int t = 0; t <= n; t++) {
      StepRecord s = rollout.get(t);
      values[t] = s.value();
      if (t < n) {
        rewards[t] = s.reward();
        StepRecord next = rollout.get(t + 1);
        gapAfter[t] = next.chainStart() || next.tick() != s.tick() + 1;
      }
    }
    Gae.Result gae = Gae.compute(rewards, values, gapAfter, options.gamma(), options.lambda());
    advantages = Gae.normalise(gae.advantages());
    returns = gae.returns();
    plan = new Plan(n, batch, options.epochs(), random);
    return plan.steps();
  }

  @Override
  public boolean nextBatch() {
    if (plan == null || !plan.next(slots)) {
      return false;
    }
    for (int b = 0; b < batch; b++) {
      StepRecord s = rollout.get(slots[b]);
      Pixels.toFloats(s.frame(), frames, b * spec.frameSize());
      ActionHeads.oneHot(s.action(), actions, b * ActionHeads.TOTAL);
      System.arraycopy(s.logp(), 0, oldLogp, b * ActionHeads.COUNT, ActionHeads.COUNT);
      scalars[b] = advantages[slots[b]];
      scalars[batch + b] = s.value();
      scalars[2 * batch + b] = (float) returns[slots[b]];
    }
    return true;
  }

  @Override
  public float step() {
    return update(m -> {
      NDArray x = frameInput.wrap(m, frames, spec.frameShape(batch));
      NDArray a = actionInput.wrap(m, actions, new Shape(batch, ActionHeads.TOTAL));
      NDArray logp = logpInput.wrap(m, oldLogp, new Shape(batch, ActionHeads.COUNT));
      NDArray s = scalarInput.wrap(m, scalars, new Shape(3, batch));
      NDList out = model.forward(store, new NDList(x), true);
      NDArray values = out.get(1).reshape(batch);
      return PpoLoss.compute(out.get(0), a, logp, s.get(0), values, s.get(1), s.get(2), options.clip(),
          options.vfCoef(), options.entCoef()).total();
    });
  }

  /** The rollout is used: its steps leave the buffer (the bootstrap step stays, it starts the next one). */
  @Override
  public void endRun() {
    if (rollout != null && !reusing) {
      rollouts.consumeThrough(rollout.get(options.rollout() - 1).tick());
      lastRollout = rollout;
    }
    rollout = null;
    plan = null;
  }

  @Override
  public String spec() {
    return spec.toString();
  }

  @Override
  public Map<String, Block> groups() {
    return Map.of("model", model);
  }

  @Override
  public int bufferSize() {
    return rollouts.size();
  }

  @Override
  public int publishEvery() {
    return options.publishEvery();
  }
}
