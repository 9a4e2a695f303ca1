package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * ResNetFD, the predecessor's second forward model (after the dynamics network of OpenAI's large-scale-curiosity
 * code, docs/models.md): no recurrence, a prediction from the latent and the actions alone. With e = the action
 * embeddings (5 parts × {@code actionEmbed}, the same tables for both actions), a_p the previous action and a the
 * current one:
 * <pre>
 *   x = Linear(cat(e(a_p), z, e(a)) → width)
 *   depth times: x ← x + Linear(cat(e(a_p), LeakyReLU(Linear(cat(e(a_p), x, e(a)) → width)), e(a)) → width)
 *   μ̂ = Linear(cat(e(a_p), x, e(a)) → latent)
 * </pre>
 * Its state is the previous action, one-hot (N,13): the agent carries it like SConv's hidden state, and within a
 * window the previous action of step t is the action of step t − 1.
 */
public final class ResNetDynamics extends DynamicsBlock {
  private final DynamicsSpec spec;
  private final Block embed;
  private final Block in;
  private final List<Block> inner = new ArrayList<>();
  private final List<Block> outer = new ArrayList<>();
  private final Block out;
  private final long actions;

  public ResNetDynamics(DynamicsSpec spec) {
    this.spec = spec;
    this.actions = (long) ActionHeads.COUNT * spec.actionEmbed();
    this.embed = addChildBlock("embed", new ActionEmbedding(spec.actionEmbed()));
    this.in = addChildBlock("in", Layers.linear(2 * actions + spec.latent(), spec.width()));
    for (int i = 0; i < spec.depth(); i++) {
      inner.add(addChildBlock("inner" + i, Layers.linear(2 * actions + spec.width(), spec.width())));
      outer.add(addChildBlock("outer" + i, Layers.linear(2 * actions + spec.width(), spec.width())));
    }
    this.out = addChildBlock("out", Layers.linear(2 * actions + spec.width(), spec.latent()));
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray z = inputs.get(0);
    NDArray a = inputs.get(1);
    NDArray previous = inputs.get(2); // (N,13): the action before the window's first
    long steps = a.getShape().get(1);
    NDArray prev = steps == 1 ? previous.expandDims(1)
        : previous.expandDims(1).concat(a.get(":, 0:" + (steps - 1)), 1);
    NDArray ep = embed.forward(store, new NDList(prev), training).singletonOrThrow();
    NDArray ea = embed.forward(store, new NDList(a), training).singletonOrThrow();
    NDArray x = linear(store, in, ep, z, ea, training);
    for (int i = 0; i < inner.size(); i++) {
      NDArray h = Activation.leakyRelu(linear(store, inner.get(i), ep, x, ea, training), 0.2f);
      x = x.add(linear(store, outer.get(i), ep, h, ea, training));
    }
    NDArray mu = linear(store, out, ep, x, ea, training);
    return new NDList(mu, a.get(":, " + (steps - 1)));
  }

  /** {@code layer(cat(left, x, right))} over the last axis. */
  private static NDArray linear(ParameterStore store, Block layer, NDArray left, NDArray x, NDArray right,
                                boolean training) {
    return layer.forward(store, new NDList(left.concat(x, 2).concat(right, 2)), training).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0], inputShapes[2]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long n = inputShapes[0].get(0);
    long t = inputShapes[0].get(1);
    embed.initialize(manager, dataType, inputShapes[1]);
    in.initialize(manager, dataType, new Shape(n, t, 2 * actions + spec.latent()));
    Shape x = new Shape(n, t, 2 * actions + spec.width());
    for (int i = 0; i < inner.size(); i++) {
      inner.get(i).initialize(manager, dataType, x);
      outer.get(i).initialize(manager, dataType, x);
    }
    out.initialize(manager, dataType, x);
  }

  @Override
  public Shape[] inputShapes(int n, int steps) {
    return new Shape[] {new Shape(n, steps, spec.latent()), new Shape(n, steps, ActionHeads.TOTAL),
        new Shape(n, ActionHeads.TOTAL)};
  }

  @Override
  public Shape[] stateShapes(int n) {
    return new Shape[] {new Shape(n, ActionHeads.TOTAL)};
  }
}
