package dev.ami.agent;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.StepRecord;
import dev.ami.config.RewardOptions;
import dev.ami.data.Pixels;
import dev.ami.env.Action;
import dev.ami.env.Frame;
import dev.ami.model.ActionHeads;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.GaussianNll;
import dev.ami.model.InputBuffer;
import dev.ami.model.PolicySpec;
import dev.ami.model.PolicyValue;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The curiosity agent's tick, in ami's order: encode o_t to z_t = μ(o_t); reward the previous step with the
 * forward model's surprise at z_t; sample a_t from the policy on o_t; predict z_{t+1} and the next hidden
 * state from (z_t, h_t, a_t). The step is sent one tick later, when its reward is known. The hidden state
 * lives here, outside every trainer's reach; it is stored with each step for the forward model's windows.
 *
 * <p>Where z comes from: with {@code reward.encoder=paired} (the default) the encoder is the one the forward
 * model's snapshot carries, the encoder it was trained against, and both are swapped in together; the reward then
 * never compares a prediction made in one latent space with a target from another. With {@code newest} it is the
 * VAE's newest, which the forward model in use may not have seen (a 60-minute run measured reward jumps of 10⁴–10⁷
 * on the tick after such a swap, gone at the next forward-model swap: docs/exploration.md).
 */
public final class CuriosityBrain implements Brain {
  private static final Logger LOG = LoggerFactory.getLogger(CuriosityBrain.class);
  private final VaeSpec vae;
  private final DynamicsSpec fd;
  private final RewardOptions reward;
  private final NDManager manager;
  private final ParameterStore store;
  private final Twin encoder; // the VAE's newest; null with random features or the forward model's paired encoder
  private final VaeEncoder fixedEncoder; // the random features' encoder, never swapped; null with the VAE's
  private final boolean paired; // the encoder is part PAIRED_ENCODER of the dynamics twin
  private static final int PAIRED_ENCODER = 1; // the dynamics twin's parts: the model, then its encoder
  private final Twin policy;
  private final Twin dynamics;
  private final List<ParamFollower> followers;
  private final InputBuffer frameIn;
  private final FrameFit fit;
  private final InputBuffer latentIn;
  private final InputBuffer actionIn;
  private final InputBuffer hiddenIn;
  private final float[] oneHot = new float[ActionHeads.TOTAL];
  private final long seed; // tick t samples from TickRandom.of(seed, t): a resumed run samples as it would have
  private float[] hidden;
  private Pending pending;
  private boolean chainStart = true;
  private long faults;
  private long encoderSwapSteps;
  private final ViewNovelty novelty; // null unless reward.episodic_memory or reward.count_bits
  private final LifelongModulator lifelong = new LifelongModulator();
  private final float[] embedding = new float[FrameEmbedding.size()];
  private final boolean greedy;

  /** The step of the last tick, waiting for its reward. */
  private record Pending(long tick, byte[] frame, int side, int[] action, float[] logp, float value, float[] hidden,
                         boolean stale, boolean chainStart, Map<String, Long> versions, float[] predicted,
                         long latentSpace) {
    StepRecord complete(float reward) {
      return new StepRecord(tick, frame, side, action, logp, value, reward, hidden, stale, chainStart, versions,
          System.currentTimeMillis());
    }
  }

  /** Builds the three models twice each; call on the agent thread. Actions are sampled from the policy. */
  public CuriosityBrain(VaeSpec vae, DynamicsSpec fd, PolicySpec policySpec, RewardOptions reward, long seed,
                        LocalMap<String, ParamSnapshot> params) {
    this(vae, fd, policySpec, reward, seed, params, false);
  }

  /**
   * The same; with {@code greedy} each action part is the policy's most probable choice (evaluation runs with
   * {@code agent.eval_actions=greedy}).
   */
  public CuriosityBrain(VaeSpec vae, DynamicsSpec fd, PolicySpec policySpec, RewardOptions reward, long seed,
                        LocalMap<String, ParamSnapshot> params, boolean greedy) {
    this.greedy = greedy;
    this.vae = vae;
    this.fd = fd;
    this.reward = reward;
    this.manager = NDManager.newBaseManager();
    manager.setName("agent-models");
    JniUtils.setGradMode(false); // grad mode is per thread; inference never records a graph
    this.store = new ParameterStore(manager, false);
    DynamicsBlock shapes = DynamicsBlock.of(fd);
    this.paired = !reward.randomFeatures() && reward.pairedEncoder();
    if (reward.randomFeatures()) {
      this.encoder = null;
      this.fixedEncoder = new VaeEncoder(vae);
      fixedEncoder.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, vae.frameShape(1));
      try (NDManager scratch = manager.newSubManager()) {
        dev.ami.model.RandomFeatures.fill(fixedEncoder, reward.featureSeed(), scratch);
      }
    } else if (paired) {
      this.encoder = null;
      this.fixedEncoder = null;
    } else {
      this.encoder = new Twin(ModelKeys.VAE, "encoder", params, () -> new VaeEncoder(vae), manager,
          vae.frameShape(1));
      this.fixedEncoder = null;
    }
    this.policy = new Twin(ModelKeys.POLICY, "model", params, () -> new PolicyValue(policySpec), manager,
        policySpec.frameShape(1));
    Twin.Part model = new Twin.Part("model", () -> DynamicsBlock.of(fd), shapes.inputShapes(1, 1));
    this.dynamics = paired
        ? new Twin(ModelKeys.FD, List.of(model, new Twin.Part(ModelKeys.FD_ENCODER, () -> new VaeEncoder(vae),
            vae.frameShape(1))), params, manager)
        : new Twin(ModelKeys.FD, List.of(model), params, manager);
    this.followers = encoder == null ? List.of(policy.follower(), dynamics.follower())
        : List.of(encoder.follower(), policy.follower(), dynamics.follower());
    this.frameIn = new InputBuffer(vae.frameSize());
    this.fit = new FrameFit(vae.inputSize());
    this.latentIn = new InputBuffer(vae.latent());
    this.actionIn = new InputBuffer(ActionHeads.TOTAL);
    this.hiddenIn = new InputBuffer(fd.hiddenSize());
    this.hidden = new float[fd.hiddenSize()];
    this.seed = seed;
    this.novelty = reward.episodicMemory() > 0
        ? new EpisodicNovelty(reward.episodicMemory(), FrameEmbedding.size(), EPISODIC_NEIGHBOURS,
        reward.episodicMeanTicks())
        : reward.countBits() > 0 ? new ViewCounts(reward.countBits(), FrameEmbedding.size(), seed ^ COUNT_HASH_SALT)
        : null;
  }

  /** Mixed into the agent's seed for the view hash's projections, so they are not its action draws' stream. */
  private static final long COUNT_HASH_SALT = 0x5DEECE66DL;

  /** k of the episodic memory's k nearest neighbours (NGU's 10). */
  static final int EPISODIC_NEIGHBOURS = 10;

  @Override
  public List<ParamFollower> followers() {
    return followers;
  }

  @Override
  public Decision decide(Frame frame, long tick, boolean stale) {
    try (NDManager t = manager.newSubManager()) {
      long t0 = System.nanoTime();
      float[] pixels = fit.pixels(frame);
      NDArray x = frameIn.wrap(t, pixels, vae.frameShape(1));
      Block enc = paired ? dynamics.active(PAIRED_ENCODER) : encoder == null ? fixedEncoder : encoder.active();
      float[] z = enc.forward(store, new NDList(x), false).get(0).toFloatArray();
      long t1 = System.nanoTime();
      if (!finite(z)) {
        return hold(tick, "the encoder gave a non-finite latent");
      }

      double r = Double.NaN;
      StepRecord completed = null;
      if (pending != null && pending.predicted() != null) {
        if (reward.skipEncoderSwaps() && pending.latentSpace() != latentSpace()) {
          // z_{t+1} is in the new encoder's space, the prediction in the old one's: their distance measures the
          // encoder's change, not the world's. The step still trains the encoder and the forward model.
          encoderSwapSteps++;
          completed = pending.complete(Float.NaN);
        } else {
          r = reward.apply(GaussianNll.mean(z, pending.predicted(), GaussianNll.SIGMA));
          if (novelty != null) { // NGU: how new this view is (lately, or ever), times how surprising for life
            r = novelty.observe(FrameEmbedding.embed(pixels, fit.side(), fit.side(), embedding))
                * lifelong.apply(r);
          }
          completed = pending.complete((float) r);
        }
      }

      NDList pv = policy.active().forward(store, new NDList(x), false);
      float[] logProbs = PolicyValue.logProbs(pv.get(0)).toFloatArray();
      float value = pv.get(1).getFloat();
      if (!finite(logProbs) || !Float.isFinite(value)) {
        return hold(tick, "the policy gave non-finite probabilities or value");
      }
      int[] parts = greedy ? ActionSampler.greedy(logProbs) : ActionSampler.sample(logProbs, TickRandom.of(seed, tick));
      long t2 = System.nanoTime();

      ActionHeads.oneHot(parts, oneHot, 0);
      NDArray zIn = latentIn.wrap(t, z, new Shape(1, 1, vae.latent()));
      NDArray aIn = actionIn.wrap(t, oneHot, new Shape(1, 1, ActionHeads.TOTAL));
      DynamicsBlock model = (DynamicsBlock) dynamics.active();
      NDList in = new NDList(zIn, aIn);
      in.addAll(model.states(hiddenIn.wrap(t, hidden, new Shape(1, fd.hiddenSize())), 1));
      NDList out = model.forward(store, in, false);
      float[] predicted = out.get(0).toFloatArray();
      float[] next = DynamicsBlock.flatten(out, 1).toFloatArray(); // SConv: [re..., im...]; ResNetFD: the action
      long t3 = System.nanoTime();
      boolean reset = !finite(next) || !finite(predicted);
      if (reset) {
        // one bad forward must not poison the memory the agent carries for the rest of its life
        next = new float[next.length];
        predicted = null;
        faults++;
        if (faults == 1 || faults % 100 == 0) {
          LOG.warn("forward model gave a non-finite prediction at tick {}: hidden state reset ({} faults so far)",
              tick, faults);
        }
      }

      pending = new Pending(tick, Pixels.toBytes(pixels), fit.side(), parts,
          ActionSampler.logp(logProbs, parts), value, hidden, stale, chainStart,
          versions(), predicted, latentSpace());
      hidden = next;
      chainStart = reset; // this step will be dropped (no prediction to reward it by): the next one starts afresh
      return new Decision(Action.fromParts(parts), completed, r, ActionSampler.probabilities(logProbs), predicted,
          encoder == null ? new double[] {(t2 - t1) / 1e6, (t3 - t2 + (paired ? t1 - t0 : 0)) / 1e6} // followers' order
              : new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6});
    }
  }

  private static boolean finite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A model gave a non-finite output: no action on it. The agent holds still for this tick, the chain breaks,
   * and the fault is counted and logged (at the 1st, 100th, 200th, ...).
   */
  private Decision hold(long tick, String why) {
    breakChain();
    faults++;
    if (faults == 1 || faults % 100 == 0) {
      LOG.warn("{} at tick {}: holding still ({} faults so far)", why, tick, faults);
    }
    return new Decision(Action.NEUTRAL, null, Double.NaN, null, null, new double[followers.size()]);
  }

  /**
   * Which latent space z is in: the version of the snapshot the encoder came from (the forward model's when
   * paired, the VAE's otherwise); 0 with random features (they never change).
   */
  private long latentSpace() {
    return paired ? dynamics.version() : encoder == null ? 0 : encoder.version();
  }

  /** The versions a step ran; the VAE's only when the agent follows it (paired, its encoder came with the fd). */
  private Map<String, Long> versions() {
    return encoder == null ? Map.of(ModelKeys.POLICY, policy.version(), ModelKeys.FD, dynamics.version())
        : Map.of(ModelKeys.VAE, encoder.version(), ModelKeys.POLICY, policy.version(), ModelKeys.FD,
            dynamics.version());
  }

  /** Steps left unrewarded because the encoder was swapped between their two ticks. */
  public long encoderSwapSteps() {
    return encoderSwapSteps;
  }

  /** Ticks on which a model gave a non-finite output (the agent held still or reset its hidden state). */
  public long faults() {
    return faults;
  }

  @Override
  public void breakChain() {
    pending = null;
    chainStart = true;
  }

  /** The hidden state the next tick starts from (real parts, then imaginary): for tests and checkpoints. */
  public float[] hidden() {
    return hidden.clone();
  }

  @Override
  public float[] state() {
    return hidden();
  }

  @Override
  public void restoreState(float[] saved) {
    if (saved == null || saved.length != hidden.length) {
      throw new IllegalArgumentException("the checkpoint's hidden state has "
          + (saved == null ? "no" : String.valueOf(saved.length)) + " floats; this forward model carries "
          + hidden.length);
    }
    hidden = saved.clone();
  }

  @Override
  public void close() {
    if (encoder != null) {
      encoder.close();
    }
    policy.close();
    dynamics.close();
    manager.close();
  }
}
