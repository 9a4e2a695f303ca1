package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * q(z|x): SmallConvNet(→latent), then two Linear(latent→latent) heads, μ and σ = softplus(·) + 1e-7.
 * Frames (N,3,S,S) in [0,1] → [μ (N,latent), σ (N,latent)]. The agent acts on μ.
 */
public final class VaeEncoder extends AbstractBlock {
  static final float SIGMA_FLOOR = 1e-7f;

  private final VaeSpec spec;
  private final Block trunk;
  private final Block mu;
  private final Block sigma;

  public VaeEncoder(VaeSpec spec) {
    this.spec = spec;
    this.trunk = addChildBlock("trunk", SmallConvNet.build(spec.inputSize(), spec.channels(), spec.latent()));
    this.mu = addChildBlock("mu", Layers.linear(spec.latent(), spec.latent()));
    this.sigma = addChildBlock("sigma", Layers.linear(spec.latent(), spec.latent()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDList h = trunk.forward(store, inputs, training);
    NDArray m = mu.forward(store, h, training).singletonOrThrow();
    NDArray s = Activation.softPlus(sigma.forward(store, h, training).singletonOrThrow()).add(SIGMA_FLOOR);
    return new NDList(m, s);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape out = new Shape(inputShapes[0].get(0), spec.latent());
    return new Shape[] {out, out};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    trunk.initialize(manager, dataType, inputShapes);
    Shape features = trunk.getOutputShapes(inputShapes)[0];
    mu.initialize(manager, dataType, features);
    sigma.initialize(manager, dataType, features);
  }
}
