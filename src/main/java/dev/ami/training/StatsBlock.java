package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.ami.params.SnapshotCopy;

/**
 * A few numbers a trainer keeps beside its model (running statistics), held as one parameter that takes no
 * gradient so that they travel wherever the model's parameters go: into every snapshot, into checkpoints, and
 * from a trainer to the one a redeploy or a restart puts in its place. It has no forward pass.
 */
final class StatsBlock extends AbstractBlock {
  private final Parameter values;
  private final int size;

  StatsBlock(int size) {
    this.size = size;
    this.values = addParameter(Parameter.builder().setName("values").setType(Parameter.Type.RUNNING_MEAN)
        .optRequiresGrad(false).optShape(new Shape(size)).optInitializer(Initializer.ZEROS).build());
  }

  /** Reads the numbers (double precision: counts and variances outgrow a float in a long run). */
  double[] read() {
    return values.getArray().toDoubleArray();
  }

  /** The numbers as a snapshot holds them (its only array), to check them before anything is copied. */
  static double[] of(java.util.List<NDArray> group) {
    return group.get(0).toDoubleArray();
  }

  /** Writes the numbers in place into the parameter's own memory. */
  void write(double[] numbers, NDManager scratch) {
    try (NDArray src = scratch.create(numbers)) {
      SnapshotCopy.copyInto(src, values.getArray());
    }
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    throw new UnsupportedOperationException("a StatsBlock only holds numbers");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[0];
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
  }

  /** Initialises the parameter without an input (there is none). */
  void init(NDManager manager) {
    values.initialize(manager, DataType.FLOAT64);
  }
}
