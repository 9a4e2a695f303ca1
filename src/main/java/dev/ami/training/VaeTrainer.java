package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.ami.bus.ModelKeys;
import dev.ami.config.TrainerOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.model.InputBuffer;
import dev.ami.model.VaeDecoder;
import dev.ami.model.VaeEncoder;
import dev.ami.model.VaeSpec;
import dev.ami.training.loss.VaeLoss;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the VAE: mean MSE(x, x̂) + {@code klWeight} · mean KL, on z = μ + σ·ε. A run is {@code epochs}
 * shuffled passes over the frame buffer in batches, with Adam (weight decay 0 = {@code torch.optim.Adam}).
 */
public final class VaeTrainer extends TrainerBase {

  private final VaeSpec spec;
  private final TrainerOptions options;
  private final double klWeight;
  private final FrameBuffer frames;
  private final Gate gate;
  private final VaeEncoder encoder;
  private final VaeDecoder decoder;
  private final float[] batchBuffer;
  private final int[] slots;
  private final InputBuffer input;
  private Plan plan;

  public VaeTrainer(VaeSpec spec, TrainerOptions options, double klWeight, FrameBuffer frames, long seed) {
    super(ModelKeys.VAE, seed);
    this.spec = spec;
    this.options = options;
    this.klWeight = klWeight;
    this.frames = frames;
    this.gate = gate(new Gate(options.minBuffer(), options.minNew()));
    this.encoder = new VaeEncoder(spec);
    this.decoder = new VaeDecoder(spec);
    encoder.initialize(manager, DataType.FLOAT32, spec.frameShape(options.batch()));
    decoder.initialize(manager, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(options.batch(), spec.latent()));
    optimize(options.lr(), options.weightDecay(), encoder, decoder);
    clipGradNorm(options.maxGradNorm());
    clipToMedians(options.clipMedians());
    this.batchBuffer = new float[options.batch() * spec.frameSize()];
    this.slots = new int[options.batch()];
    this.input = new InputBuffer(batchBuffer.length);
  }

  @Override
  public String key() {
    return ModelKeys.VAE;
  }

  @Override
  public boolean canStartRun(boolean ignoreNewSamples) {
    return gate.open(frames.size(), frames.added(), ignoreNewSamples);
  }

  @Override
  public int beginRun() {
    gate.runStarted(frames.added());
    plan = new Plan(frames.size(), options.batch(), options.epochs(), draws());
    return plan.steps();
  }

  @Override
  public boolean nextBatch() {
    if (plan == null || !plan.next(slots)) {
      return false;
    }
    frames.read(slots, batchBuffer);
    return true;
  }

  @Override
  public float step() {
    return update(m -> {
      NDArray x = input.wrap(m, batchBuffer, spec.frameShape(options.batch()));
      NDList q = encoder.forward(store, new NDList(x), true);
      NDArray mu = q.get(0);
      NDArray sigma = q.get(1);
      NDArray z = mu.add(sigma.mul(m.randomNormal(mu.getShape())));
      NDArray reconstructed = decoder.forward(store, new NDList(z), true).singletonOrThrow();
      return VaeLoss.reconstruction(x, reconstructed).add(VaeLoss.kl(mu, sigma).mul((float) klWeight));
    });
  }

  @Override
  public void endRun() {
    plan = null;
  }

  @Override
  public String spec() {
    return spec.toString();
  }

  @Override
  public Map<String, Block> groups() {
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", encoder);
    groups.put("decoder", decoder);
    return groups;
  }

  @Override
  public int bufferSize() {
    return frames.size();
  }

  @Override
  public int publishEvery() {
    return options.publishEvery();
  }

  /** Frames to fill before {@link #step()} when driving the trainer directly (benchmarks). */
  public float[] batchBuffer() {
    return batchBuffer;
  }
}
