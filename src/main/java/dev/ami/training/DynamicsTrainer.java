package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ami.bus.ModelKeys;
import dev.ami.config.TrainerOptions;
import dev.ami.data.StepBuffer;
import dev.ami.model.ActionHeads;
import dev.ami.model.DynamicsBlock;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.GaussianNll;
import dev.ami.model.InputBuffer;
import dev.ami.model.RandomFeatures;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCopy;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Trains the forward model (SConv or ResNetFD) on contiguous windows of {@code window + 1} steps: inputs are the
 * frozen encoder's μ of steps 0..w−1, their actions and the state stored at step 0; targets are μ of steps
 * 1..w; the loss is the mean Gaussian NLL with σ = 1/√(2π) (π·MSE). One window per step, AdamW.
 *
 * <p>The encoder is the newest published VAE encoder, copied in place into a frozen copy of this trainer's
 * own whenever a newer version appears: the trainers never share live blocks. Every snapshot of the forward model
 * carries that encoder as its group {@link ModelKeys#FD_ENCODER}, so that the agent computes the reward in the
 * latent space the forward model was trained in (with random features the agent builds the same fixed encoder,
 * and no group is sent).
 */
public final class DynamicsTrainer extends TrainerBase {
  private static final int WINDOW_TRIES = 64;

  private final DynamicsSpec spec;
  private final VaeSpec vaeSpec;
  private final TrainerOptions options;
  private final int window;
  private final int windowsPerEpoch;
  private final StepBuffer steps;
  private final Supplier<ParamSnapshot> encoderSnapshots;
  private final Gate gate;
  private SplittableRandom random; // this run's draws (TrainerBase.draws)
  private final DynamicsBlock model;
  private final VaeEncoder encoder;
  private final StepBuffer.Window drawn;
  private final float[] frameValues;
  private final float[] actions;
  private final float[] hidden;
  private final InputBuffer frameInput;
  private final InputBuffer actionInput;
  private final InputBuffer hiddenInput;
  private long encoderVersion;
  private int stepsLeft;

  /**
   * @param encoderSnapshots the newest published VAE; null for a fixed random encoder built from
   *     {@code randomFeatureSeed} (reward.features=random), the same one the agent builds
   */
  public DynamicsTrainer(DynamicsSpec spec, VaeSpec vaeSpec, TrainerOptions options, int window, int windowsPerEpoch,
                         StepBuffer steps, Supplier<ParamSnapshot> encoderSnapshots, long seed) {
    this(spec, vaeSpec, options, window, windowsPerEpoch, steps, encoderSnapshots, seed, 0);
  }

  public DynamicsTrainer(DynamicsSpec spec, VaeSpec vaeSpec, TrainerOptions options, int window, int windowsPerEpoch,
                         StepBuffer steps, Supplier<ParamSnapshot> encoderSnapshots, long seed,
                         long randomFeatureSeed) {
    super(ModelKeys.FD, seed);
    this.spec = spec;
    this.vaeSpec = vaeSpec;
    this.options = options;
    this.window = window;
    this.windowsPerEpoch = windowsPerEpoch;
    this.steps = steps;
    this.encoderSnapshots = encoderSnapshots;
    this.gate = gate(new Gate(Math.max(options.minBuffer(), window + 1), options.minNew()));
    this.model = DynamicsBlock.of(spec);
    model.initialize(manager, DataType.FLOAT32, model.inputShapes(1, window));
    this.encoder = new VaeEncoder(vaeSpec);
    encoder.initialize(manager, DataType.FLOAT32, vaeSpec.frameShape(window + 1));
    encoder.freezeParameters(true);
    if (encoderSnapshots == null) {
      try (NDManager scratch = manager.newSubManager()) {
        RandomFeatures.fill(encoder, randomFeatureSeed, scratch);
      }
    }
    optimize(options.lr(), options.weightDecay(), model);
    clipGradNorm(options.maxGradNorm());
    clipToMedians(options.clipMedians());
    this.drawn = newWindow();
    this.frameValues = new float[(window + 1) * vaeSpec.frameSize()];
    this.actions = new float[window * ActionHeads.TOTAL];
    this.hidden = new float[spec.hiddenSize()];
    this.frameInput = new InputBuffer(frameValues.length);
    this.actionInput = new InputBuffer(actions.length);
    this.hiddenInput = new InputBuffer(hidden.length);
  }

  @Override
  public String key() {
    return ModelKeys.FD;
  }

  @Override
  public boolean canStartRun(boolean ignoreNewSamples) {
    return (encoderSnapshots == null || encoderSnapshots.get() != null)
        && gate.open(steps.size(), steps.added(), ignoreNewSamples);
  }

  @Override
  public int beginRun() {
    gate.runStarted(steps.added());
    random = draws();
    stepsLeft = options.epochs() * windowsPerEpoch;
    return stepsLeft;
  }

  @Override
  public boolean nextBatch() {
    if (stepsLeft <= 0) {
      return false;
    }
    if (random == null) {
      random = draws(); // batches asked for before any run (a benchmark)
    }
    if (!steps.window(random, WINDOW_TRIES, drawn)) {
      stepsLeft = 0; // nothing usable now; the gate decides when to try again
      return false;
    }
    stepsLeft--;
    load(drawn);
    return true;
  }

  /** Frames, actions and the starting hidden state of one window into the input buffers. */
  private void load(StepBuffer.Window w) {
    int frame = vaeSpec.frameSize();
    for (int i = 0; i <= window; i++) {
      w.frame(i, frameValues, i * frame);
    }
    for (int i = 0; i < window; i++) {
      ActionHeads.oneHot(w.action(i), actions, i * ActionHeads.TOTAL);
    }
    System.arraycopy(w.hidden(), 0, hidden, 0, hidden.length);
    followEncoder();
  }

  /** Takes up a newer VAE encoder, if one was published since the last window. */
  private void followEncoder() {
    ParamSnapshot s = encoderSnapshots == null ? null : encoderSnapshots.get();
    if (s != null && s.version() > encoderVersion && SnapshotCopy.copyGroup(s, "encoder", encoder)) {
      encoderVersion = s.version();
    }
  }

  @Override
  public float step() {
    return update(m -> loss(m, true));
  }

  /** An empty window of the size this trainer learns from, to draw into with {@link StepBuffer#window}. */
  public StepBuffer.Window newWindow() {
    return new StepBuffer.Window(window + 1, vaeSpec.frameSize(), spec.hiddenSize());
  }

  /** The loss on a window without training on it (dropout off): for evaluation. */
  public float evaluate(StepBuffer.Window w) {
    load(w);
    try (NDManager m = manager.newSubManager()) {
      return loss(m, false).getFloat();
    }
  }

  private NDArray loss(NDManager m, boolean training) {
    NDArray frames = frameInput.wrap(m, frameValues, vaeSpec.frameShape(window + 1));
    NDArray mu = encodeFrozen(frames);
    NDArray inputs = mu.get("0:" + window).expandDims(0);
    NDArray targets = mu.get("1:" + (window + 1)).expandDims(0);
    NDArray a = actionInput.wrap(m, actions, new Shape(1, window, ActionHeads.TOTAL));
    NDList in = new NDList(inputs, a);
    in.addAll(model.states(hiddenInput.wrap(m, hidden, new Shape(1, spec.hiddenSize())), 1));
    NDList out = model.forward(store, in, training);
    return GaussianNll.mean(targets, out.get(0), GaussianNll.SIGMA);
  }

  /** μ of the frames with the frozen encoder: its parameters need no gradient, so no graph runs through it. */
  private NDArray encodeFrozen(NDArray frames) {
    return encoder.forward(store, new NDList(frames), false).get(0);
  }

  @Override
  public String spec() {
    return spec.toString();
  }

  @Override
  public Map<String, Block> groups() {
    return encoderSnapshots == null ? Map.of("model", model) : Map.of("model", model, ModelKeys.FD_ENCODER, encoder);
  }

  /** A snapshot from before the forward model carried its encoder restores the model alone. */
  @Override
  public void restore(ParamSnapshot snapshot) {
    if (encoderSnapshots != null && !snapshot.groupNames().contains(ModelKeys.FD_ENCODER)) {
      restoreGroups(snapshot, Map.of("model", model));
    } else {
      super.restore(snapshot);
    }
    encoderVersion = 0; // the next window takes up the newest VAE encoder again
  }

  @Override
  public int bufferSize() {
    return steps.size();
  }

  @Override
  public int publishEvery() {
    return options.publishEvery();
  }

  /** The VAE version whose encoder the last window was encoded with. */
  public long encoderVersion() {
    return encoderVersion;
  }
}
