package dev.ami.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ami.model.AutoEncoders;
import dev.ami.model.InputBuffer;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the conv autoencoder with MSE and Adam ({@link TorchAdam}, i.e. {@code torch.optim.Adam}). Not
 * thread-safe: one thread builds it, steps it and closes it (DJL allows one open gradient collector per JVM).
 *
 * <p>The step is a plain forward / MSE / backward / fused Adam on the block's own parameter arrays, without
 * DJL's {@code Trainer} (metrics, listeners, parameter-store copies). Every array a step makes lives in a
 * sub-manager that is closed before the step returns. How fast this is depends mostly on the native
 * allocator, not on this code: see {@link dev.ami.system.ThreadTuning#tuneGlibcMalloc()} and
 * docs/performance.md.
 */
public final class AeTrainer implements AutoCloseable {
  private final ModelSpec spec;
  private final int batch;
  private final NDManager manager;
  private final SequentialBlock autoEncoder;
  private final ParameterStore store;
  private final List<Parameter> parameters = new ArrayList<>();
  private final TorchAdam adam;
  private final float[] batchBuffer;
  private final InputBuffer input;

  public AeTrainer(ModelSpec spec, int batch, double lr, long seed) {
    this.spec = spec;
    this.batch = batch;
    Engine.getInstance().setRandomSeed((int) seed);
    JniUtils.setGradMode(false); // grad mode is per thread: record a graph only inside step()'s collector
    this.manager = NDManager.newBaseManager();
    manager.setName("ae-trainer");
    this.autoEncoder = AutoEncoders.autoEncoder(spec);
    autoEncoder.initialize(manager, DataType.FLOAT32, spec.frameShape(batch));
    for (Pair<String, Parameter> p : autoEncoder.getParameters()) {
      if (p.getValue().requiresGradient()) {
        parameters.add(p.getValue());
      }
    }
    this.store = new ParameterStore(manager, false); // the block's own arrays, no copies
    this.adam = new TorchAdam(parameters, manager, (float) lr);
    this.batchBuffer = new float[batch * spec.frameSize()];
    this.input = new InputBuffer(batchBuffer.length);
  }

  /** Buffer to fill with {@code batch} frames before {@link #step()}. */
  public float[] batchBuffer() {
    return batchBuffer;
  }

  /**
   * One update on the frames in {@link #batchBuffer()}. Returns the loss; when it is not finite the
   * gradients are never computed and the parameters are left as they were.
   */
  public float step() {
    try (NDManager stepManager = manager.newSubManager()) {
      NDArray x = input.wrap(stepManager, batchBuffer, spec.frameShape(batch));
      float value;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray loss = mse(autoEncoder.forward(store, new NDList(x), true).singletonOrThrow(), x);
        value = loss.getFloat();
        if (!Float.isFinite(value)) {
          return value;
        }
        collector.backward(loss);
      }
      adam.step(stepManager);
      return value;
    }
  }

  /** Reconstruction loss without training, for evaluation. */
  public float evaluate(float[] frames, int n) {
    JniUtils.setGradMode(false);
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(frames, spec.frameShape(n));
      return mse(autoEncoder.forward(store, new NDList(x), false).singletonOrThrow(), x).getFloat();
    }
  }

  /** Mean squared error over all elements, as torch.nn.MSELoss(). */
  private static NDArray mse(NDArray prediction, NDArray target) {
    return prediction.sub(target).square().mean();
  }

  /** Sub-models to publish, by group name. */
  public Map<String, Block> groups() {
    List<Block> children = autoEncoder.getChildren().values();
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", children.get(0));
    groups.put("decoder", children.get(1));
    return groups;
  }

  /**
   * Copies a snapshot's values back into the live parameters (roll back after divergence) and restarts
   * Adam: moments from a diverged run may hold NaN/Inf and would poison the next update again.
   */
  public void restore(ParamSnapshot snapshot) {
    groups().forEach((name, block) -> {
      List<NDArray> saved = snapshot.group(name);
      int i = 0;
      for (Pair<String, Parameter> p : block.getParameters()) {
        p.getValue().getArray().set(saved.get(i++).toFloatArray());
      }
    });
    adam.reset();
  }

  /**
   * True when every parameter is finite. A step whose loss was finite can still write NaN or Inf into the
   * weights; such a state must never be published (it would become the rollback target). One reduction
   * per parameter, a few milliseconds per publish.
   */
  public boolean parametersFinite() {
    for (Parameter p : parameters) {
      try (NDArray sum = p.getArray().sum()) { // any NaN or Inf element makes the sum non-finite
        if (!Float.isFinite(sum.getFloat())) {
          return false;
        }
      }
    }
    return true;
  }

  /** Adam updates since the start or the last {@link #restore}. */
  public int optimizerSteps() {
    return adam.steps();
  }

  public int batch() {
    return batch;
  }

  public ModelSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    adam.close();
    manager.close();
  }
}
