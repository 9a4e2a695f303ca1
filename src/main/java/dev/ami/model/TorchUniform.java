package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/**
 * PyTorch's default initialisation for conv and linear layers: weights Kaiming-uniform with a = sqrt(5),
 * which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and biases from the same range. DJL's defaults (Xavier
 * weights, zero biases) made this autoencoder diverge within ten Adam steps.
 *
 * <p>The fan-in is given by the layer's builder, because a bias's own shape does not tell it. Values are
 * drawn natively into the parameter's manager; writing them through {@code NDArray.set(Buffer)} instead
 * would make the tensor share a Java direct buffer's memory.
 */
public final class TorchUniform implements Initializer {
  private final float bound;

  private TorchUniform(long fanIn) {
    this.bound = (float) (1.0 / Math.sqrt(fanIn));
  }

  /** Sets this initialisation on a layer's weight and bias. */
  public static <B extends Block> B apply(B layer, long fanIn) {
    TorchUniform init = new TorchUniform(fanIn);
    layer.setInitializer(init, Parameter.Type.WEIGHT);
    layer.setInitializer(init, Parameter.Type.BIAS);
    return layer;
  }

  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    return manager.randomUniform(-bound, bound, shape, dataType);
  }
}
