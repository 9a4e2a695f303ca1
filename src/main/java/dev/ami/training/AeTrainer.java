package dev.ami.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.ami.model.AutoEncoders;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the conv autoencoder with MSE and Adam. Not thread-safe: one thread builds it, steps it and
 * closes it (DJL allows one open gradient collector per JVM). Every step's arrays live in a sub-manager
 * that is closed before the step returns.
 */
public final class AeTrainer implements AutoCloseable {
  private final ModelSpec spec;
  private final int batch;
  private final Model model;
  private final Trainer trainer;
  private final SequentialBlock autoEncoder;
  private final float[] batchBuffer;

  public AeTrainer(ModelSpec spec, int batch, double lr, long seed) {
    this.spec = spec;
    this.batch = batch;
    Engine.getInstance().setRandomSeed((int) seed);
    this.autoEncoder = AutoEncoders.autoEncoder(spec);
    this.model = Model.newInstance("ae");
    model.setBlock(autoEncoder);
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss("mse", 1))
        .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed((float) lr)).build());
    this.trainer = model.newTrainer(config);
    trainer.initialize(spec.frameShape(batch));
    this.batchBuffer = new float[batch * spec.frameSize()];
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
    try (NDManager stepManager = model.getNDManager().newSubManager()) {
      NDArray x = stepManager.create(batchBuffer, spec.frameShape(batch));
      NDList input = new NDList(x);
      float value;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList prediction = trainer.forward(input);
        NDArray loss = trainer.getLoss().evaluate(input, prediction);
        value = loss.getFloat();
        if (!Float.isFinite(value)) {
          return value;
        }
        collector.backward(loss);
      }
      trainer.step();
      return value;
    }
  }

  /** Reconstruction loss without training, for evaluation. */
  public float evaluate(float[] frames, int n) {
    try (NDManager m = model.getNDManager().newSubManager()) {
      NDList input = new NDList(m.create(frames, spec.frameShape(n)));
      NDList prediction = trainer.evaluate(input);
      return trainer.getLoss().evaluate(input, prediction).getFloat();
    }
  }

  /** Sub-models to publish, by group name. */
  public Map<String, Block> groups() {
    List<Block> children = autoEncoder.getChildren().values();
    Map<String, Block> groups = new LinkedHashMap<>();
    groups.put("encoder", children.get(0));
    groups.put("decoder", children.get(1));
    return groups;
  }

  /** Copies a snapshot's values back into the live parameters (roll back after divergence). */
  public void restore(ParamSnapshot snapshot) {
    groups().forEach((name, block) -> {
      List<NDArray> saved = snapshot.group(name);
      int i = 0;
      for (Pair<String, Parameter> p : block.getParameters()) {
        p.getValue().getArray().set(saved.get(i++).toFloatArray());
      }
    });
  }

  public int batch() {
    return batch;
  }

  public ModelSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
