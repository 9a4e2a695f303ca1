package dev.ami.agent;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.StepRecord;
import dev.ami.data.Pixels;
import dev.ami.env.Action;
import dev.ami.env.Frame;
import dev.ami.model.AutoEncoders;
import dev.ami.model.InputBuffer;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's step-1 agent: the autoencoder's encoder runs on every frame (the pattern of the real agent, which
 * encodes before it acts) and a uniformly random policy chooses; each step is complete at once.
 */
public final class AutoencoderBrain implements Brain {
  private final ModelSpec spec;
  private final NDManager manager;
  private final ParameterStore store;
  private final Twin encoder;
  private final InputBuffer input;
  private final FrameFit fit;
  private final RandomPolicy policy;
  private boolean chainStart = true;

  /** Builds the encoder twice; call on the agent thread. */
  public AutoencoderBrain(ModelSpec spec, long seed, LocalMap<String, ParamSnapshot> params) {
    this.spec = spec;
    this.manager = NDManager.newBaseManager();
    manager.setName("agent-models");
    JniUtils.setGradMode(false); // grad mode is per thread; inference never records a graph
    this.store = new ParameterStore(manager, false);
    this.encoder = new Twin(ModelKeys.AE, "encoder", params, () -> AutoEncoders.encoder(spec), manager,
        spec.frameShape(1));
    this.input = new InputBuffer(spec.frameSize());
    this.fit = new FrameFit(spec.inputSize());
    this.policy = new RandomPolicy(seed);
  }

  @Override
  public List<ParamFollower> followers() {
    return List.of(encoder.follower());
  }

  @Override
  public Decision decide(Frame frame, long tick, boolean stale) {
    long t0 = System.nanoTime();
    float[] pixels = fit.pixels(frame);
    try (NDManager t = manager.newSubManager()) {
      encoder.active().forward(store, new NDList(input.wrap(t, pixels, spec.frameShape(1))), false)
          .singletonOrThrow().toFloatArray();
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    Action action = policy.choose(tick);
    StepRecord step = new StepRecord(tick, Pixels.toBytes(pixels), fit.side(), action.parts(), null,
        Float.NaN, Float.NaN, null, stale, chainStart, Map.of(ModelKeys.AE, encoder.version()),
        System.currentTimeMillis());
    chainStart = false;
    return new Decision(action, step, Double.NaN, null, null, new double[] {ms});
  }

  @Override
  public void breakChain() {
    chainStart = true;
  }

  @Override
  public void close() {
    encoder.close();
    manager.close();
  }
}
