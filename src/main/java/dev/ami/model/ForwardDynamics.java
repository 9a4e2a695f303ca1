package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * SConv forward dynamics: concat(z_t, action embeddings) → Linear → {@code depth} SConv blocks → Linear = μ̂,
 * the mean of a fixed-σ Gaussian over z_{t+1}.
 *
 * <p>Inputs [z (N,T,latent), action one-hot (N,T,13), h_re (N,depth,width), h_im (N,depth,width)] →
 * [μ̂ (N,T,latent), h_re, h_im after the window]. The agent runs T = 1 and carries h across ticks.
 */
public final class ForwardDynamics extends DynamicsBlock {
  private final DynamicsSpec spec;
  private final Block embed;
  private final Block in;
  private final List<SConvBlock> blocks = new ArrayList<>();
  private final Block out;

  public ForwardDynamics(DynamicsSpec spec) {
    this.spec = spec;
    this.embed = addChildBlock("embed", new ActionEmbedding(spec.actionEmbed()));
    this.in = addChildBlock("in", Layers.linear(spec.latent() + (long) ActionHeads.COUNT * spec.actionEmbed(),
        spec.width()));
    for (int i = 0; i < spec.depth(); i++) {
      blocks.add(addChildBlock("block" + i, new SConvBlock(spec.width(), spec.ffn(), spec.dropout())));
    }
    this.out = addChildBlock("out", Layers.linear(spec.width(), spec.latent()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray z = inputs.get(0);
    NDArray actions = embed.forward(store, new NDList(inputs.get(1)), training).singletonOrThrow();
    NDArray x = in.forward(store, new NDList(z.concat(actions, 2)), training).singletonOrThrow();
    NDArray hRe = inputs.get(2);
    NDArray hIm = inputs.get(3);
    NDList re = new NDList();
    NDList im = new NDList();
    for (int i = 0; i < blocks.size(); i++) {
      NDList o = blocks.get(i).forward(store, new NDList(x, hRe.get(":, " + i), hIm.get(":, " + i)), training);
      x = o.get(0);
      re.add(o.get(1));
      im.add(o.get(2));
    }
    NDArray mu = out.forward(store, new NDList(x), training).singletonOrThrow();
    return new NDList(mu, NDArrays.stack(re, 1), NDArrays.stack(im, 1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape z = inputShapes[0];
    return new Shape[] {z, inputShapes[2], inputShapes[3]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    long t = inputShapes[0].get(1);
    embed.initialize(manager, dataType, inputShapes[1]);
    in.initialize(manager, dataType, new Shape(n, t, spec.latent() + (long) ActionHeads.COUNT * spec.actionEmbed()));
    Shape x = new Shape(n, t, spec.width());
    Shape h = new Shape(n, spec.width());
    for (SConvBlock b : blocks) {
      b.initialize(manager, dataType, x, h, h);
    }
    out.initialize(manager, dataType, x);
  }

  @Override
  public Shape[] stateShapes(int n) {
    return new Shape[] {new Shape(n, spec.depth(), spec.width()), new Shape(n, spec.depth(), spec.width())};
  }

  /** The shapes of one input window of {@code steps} at batch {@code n}, for initialisation. */
  @Override
  public Shape[] inputShapes(int n, int steps) {
    return new Shape[] {new Shape(n, steps, spec.latent()), new Shape(n, steps, ActionHeads.TOTAL),
        new Shape(n, spec.depth(), spec.width()), new Shape(n, spec.depth(), spec.width())};
  }
}
