package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.params.SnapshotCopy;
import java.util.SplittableRandom;

/**
 * A fixed random feature network for the curiosity reward (Burda et al. 2018, "Large-Scale Study of
 * Curiosity-Driven Learning": random features give a stable reward because the feature space never moves). The
 * weights are PyTorch's default range, U(±1/√fan_in), drawn from a Java generator so that every holder of the
 * same seed, the agent and the forward model's trainer, in one JVM or two, gets the very same network without
 * any snapshot passing between them.
 */
public final class RandomFeatures {
  private RandomFeatures() {
  }

  /**
   * Overwrites every parameter of an initialised {@code block} in place, in parameter order: a weight's fan-in is
   * its size over its first axis, a bias takes the fan-in of the weight before it.
   */
  public static void fill(Block block, long seed, NDManager scratch) {
    SplittableRandom random = new SplittableRandom(seed);
    double bound = 1;
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray target = p.getValue().getArray();
      Shape shape = target.getShape();
      if (shape.dimension() >= 2) {
        bound = 1.0 / Math.sqrt((double) shape.size() / shape.get(0));
      }
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      try (NDArray source = scratch.create(values, shape)) {
        SnapshotCopy.copyInto(source, target);
      }
    }
  }
}
