package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A forward-dynamics model: inputs [z (N,T,latent), action one-hot (N,T,13), state...] → [μ̂ (N,T,latent),
 * state after the window...], μ̂ being the mean of a fixed-σ Gaussian over z_{t+1}. The state is whatever the model
 * carries from one step to the next ({@link #stateShapes}); the agent keeps it, flat, in the steps it sends, so the
 * trainer's windows can start from it ({@link #states}, {@link #flatten}).
 */
public abstract class DynamicsBlock extends AbstractBlock {
  /** The model {@code spec.kind()} names: SConv ({@link ForwardDynamics}) or ResNetFD ({@link ResNetDynamics}). */
  public static DynamicsBlock of(DynamicsSpec spec) {
    return spec.kind().equals(DynamicsSpec.RESNET) ? new ResNetDynamics(spec) : new ForwardDynamics(spec);
  }

  /** The shapes of one input window of {@code steps} at batch {@code n}, for initialisation. */
  public abstract Shape[] inputShapes(int n, int steps);

  /** The shapes of the state at batch {@code n}. */
  public abstract Shape[] stateShapes(int n);

  /** A flat state (N, stateSize) cut into the model's state arrays. */
  public NDList states(NDArray flat, int n) {
    Shape[] shapes = stateShapes(n);
    NDList out = new NDList();
    long at = 0;
    for (Shape s : shapes) {
      long size = s.size() / n;
      out.add(flat.get(":, " + at + ":" + (at + size)).reshape(s));
      at += size;
    }
    return out;
  }

  /** The state arrays of a forward's output (from index 1 on), flat again: (N, stateSize). */
  public static NDArray flatten(NDList output, int n) {
    NDList parts = new NDList();
    for (int i = 1; i < output.size(); i++) {
      parts.add(output.get(i).reshape(n, -1));
    }
    return parts.size() == 1 ? parts.get(0) : ai.djl.ndarray.NDArrays.concat(parts, 1);
  }
}
