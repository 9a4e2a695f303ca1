package dev.ami.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ami.telemetry.NativeMemory;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The measures a kind's memory estimate is made of: parameters counted on a built block, activations measured
 * on a forward pass, and the sum of a model's consumers. Every block is built in a sub-manager of the caller's
 * and freed with it.
 */
public final class ModelProbe {
  private static final double MIB = 1024.0 * 1024.0;
  /** Adam and AdamW keep two moments per parameter. */
  private static final int ADAM_MOMENTS = 2;
  /** The backward pass holds a gradient for each activation it saved, at its peak. */
  public static final double BACKWARD = 2.0;
  /** The newest snapshot and the freed one kept as its spare, the next one's memory ({@code SpareSnapshots}). */
  public static final int SNAPSHOTS = 2;
  /**
   * Forwards measured per block, after one that is not (libtorch's one-time allocations); the median is kept,
   * as other threads' mallocs and frees (the JIT compiler's arenas) land in some.
   */
  private static final int FORWARDS = 5;

  private ModelProbe() {
  }

  /** A model whose parameters all have gradients and optimizer state. */
  public static ModelMemory model(String key, long params, long copies, double activationsMb, long bufferBytes) {
    return model(key, params, params, copies, activationsMb, bufferBytes);
  }

  /** A model of which only {@code trainable} parameters have gradients and optimizer state. */
  public static ModelMemory model(String key, long params, long trainable, long copies, double activationsMb,
                                  long bufferBytes) {
    double mb = params * (double) Float.BYTES / MIB;
    double trainableMb = trainable * (double) Float.BYTES / MIB;
    return new ModelMemory(key, params, mb, ADAM_MOMENTS * trainableMb, trainableMb,
        copies * (double) Float.BYTES / MIB, activationsMb, bufferBytes / MIB);
  }

  /** Builds a block at these input shapes and counts its parameters. */
  public static long params(NDManager parent, Supplier<Block> build, Shape... inputs) {
    try (NDManager m = parent.newSubManager()) {
      Block b = build.get();
      b.initialize(m, DataType.FLOAT32, inputs);
      long n = 0;
      for (Pair<String, Parameter> p : b.getParameters()) {
        n += p.getValue().getArray().size();
      }
      return n;
    }
  }

  /**
   * MiB one training forward at these input shapes keeps alive, times the backward factor. Measured as the
   * growth of the C heap (process-wide) during the forward, the median of {@link #FORWARDS}; NaN where glibc
   * cannot say.
   */
  public static double activations(NDManager parent, Supplier<Block> build, Shape... inputs) {
    try (NDManager m = parent.newSubManager()) {
      Block b = build.get();
      b.initialize(m, DataType.FLOAT32, inputs);
      NDList in = new NDList();
      for (Shape s : inputs) {
        in.add(m.zeros(s));
      }
      double[] held = new double[FORWARDS];
      for (int i = -1; i < FORWARDS; i++) { // forward -1 is not recorded
        try (NDManager step = m.newSubManager()) {
          double before = NativeMemory.mallocMiB();
          NDList result = b.forward(new ParameterStore(step, false), in, true);
          if (i >= 0) {
            held[i] = NativeMemory.mallocMiB() - before;
          }
          for (NDArray r : result) {
            r.close();
          }
        }
      }
      Arrays.sort(held);
      return Math.max(0, held[FORWARDS / 2]) * BACKWARD;
    }
  }
}
