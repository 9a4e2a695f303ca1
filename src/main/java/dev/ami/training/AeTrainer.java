package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import dev.ami.bus.ModelKeys;
import dev.ami.config.TrainerOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.model.AutoEncoders;
import dev.ami.model.InputBuffer;
import dev.ami.model.ModelSpec;
import dev.ami.training.loss.VaeLoss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains the step-1 conv autoencoder with MSE and Adam ({@link TorchAdam}, i.e. {@code torch.optim.Adam})
 * on random frames of its buffer. A run is {@code ae.publish_every} steps, each on a fresh random batch; the
 * gate ({@code ae.min_new}) decides how soon the next run may start.
 *
 * <p>The step is a plain forward / MSE / backward / fused Adam on the block's own parameter arrays, without
 * DJL's {@code Trainer} (metrics, listeners, parameter-store copies). How fast this is depends mostly on the
 * native allocator, not on this code: see {@link dev.ami.system.ThreadTuning#tuneGlibcMalloc()} and
 * docs/performance.md.
 */
public final class AeTrainer extends TrainerBase {

  private final ModelSpec spec;
  private final int batch;
  private final int publishEvery;
  private final FrameBuffer frames;
  private final Gate gate;
  private SplittableRandom random; // this run's draws (TrainerBase.draws)
  private final SequentialBlock autoEncoder;
  private final float[] batchBuffer;
  private final int[] slots;
  private final InputBuffer input;
  private int stepsLeft;

  public AeTrainer(ModelSpec spec, TrainerOptions options, FrameBuffer frames, long seed) {
    super(ModelKeys.AE, seed);
    this.spec = spec;
    this.batch = options.batch();
    this.publishEvery = options.publishEvery();
    this.frames = frames;
    this.gate = gate(new Gate(Math.max(1, options.minBuffer()), options.minNew()));
    this.autoEncoder = AutoEncoders.autoEncoder(spec);
    autoEncoder.initialize(manager, DataType.FLOAT32, spec.frameShape(batch));
    optimize(options.lr(), 0, autoEncoder);
    this.batchBuffer = new float[batch * spec.frameSize()];
    this.slots = new int[batch];
    this.input = new InputBuffer(batchBuffer.length);
  }

  @Override
  public String key() {
    return ModelKeys.AE;
  }

  @Override
  public boolean canStartRun(boolean ignoreNewSamples) {
    return gate.open(frames.size(), frames.added(), ignoreNewSamples);
  }

  @Override
  public int beginRun() {
    gate.runStarted(frames.added());
    random = draws();
    stepsLeft = publishEvery;
    return publishEvery;
  }

  /** Draws {@code batch} random frames (with replacement) into the batch buffer. */
  @Override
  public boolean nextBatch() {
    if (stepsLeft-- <= 0) {
      return false;
    }
    if (random == null) {
      random = draws(); // batches asked for before any run (a benchmark)
    }
    int size = frames.size();
    for (int b = 0; b < batch; b++) {
      slots[b] = random.nextInt(size);
    }
    frames.read(slots, batchBuffer);
    return true;
  }

  @Override
  public float step() {
    return update(m -> {
      NDArray x = input.wrap(m, batchBuffer, spec.frameShape(batch));
      return VaeLoss.reconstruction(x, autoEncoder.forward(store, new NDList(x), true).singletonOrThrow());
    });
  }

  /** Buffer to fill with {@code batch} frames before {@link #step()} (benchmarks and tests). */
  public float[] batchBuffer() {
    return batchBuffer;
  }

  /** Reconstruction loss without training, for evaluation. */
  public float evaluate(float[] frameValues, int n) {
    JniUtils.setGradMode(false);
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(frameValues, spec.frameShape(n));
      return VaeLoss.reconstruction(x, autoEncoder.forward(store, new NDList(x), false).singletonOrThrow()).getFloat();
    }
  }

  @Override
  public String spec() {
    return spec.toString();
  }

  @Override
  public Map<String, Block> groups() {
    List<Block> children = autoEncoder.getChildren().values();
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", children.get(0));
    groups.put("decoder", children.get(1));
    return groups;
  }

  @Override
  public int bufferSize() {
    return frames.size();
  }

  @Override
  public int publishEvery() {
    return publishEvery;
  }

  public int batch() {
    return batch;
  }
}
