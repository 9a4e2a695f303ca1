package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The PPO network on the raw frame: SmallConvNet(→hidden) → Linear → ReLU → Linear → ReLU, then five
 * bias-free categorical heads (3,3,3,2,2, side by side as 13 logits) and a value head.
 * Frames (N,3,S,S) → [logits (N,13), value (N,1)].
 */
public final class PolicyValue extends AbstractBlock {
  private final PolicySpec spec;
  private final Block body;
  private final Block heads;
  private final Block value;

  public PolicyValue(PolicySpec spec) {
    this.spec = spec;
    this.body = addChildBlock("body", new SequentialBlock()
        .add(SmallConvNet.build(spec.inputSize(), spec.channels(), spec.hidden()))
        .add(Layers.linear(spec.hidden(), spec.hidden())).add(Activation::relu)
        .add(Layers.linear(spec.hidden(), spec.hidden())).add(Activation::relu));
    this.heads = addChildBlock("heads", Layers.linearNoBias(spec.hidden(), ActionHeads.TOTAL));
    this.value = addChildBlock("value", Layers.linear(spec.hidden(), 1));
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDList h = body.forward(store, inputs, training);
    return new NDList(heads.forward(store, h, training).singletonOrThrow(),
        value.forward(store, h, training).singletonOrThrow());
  }

  /** Log-probabilities of every part's values, each part log-softmaxed on its own: (N,13) → (N,13). */
  public static NDArray logProbs(NDArray logits) {
    NDList parts = new NDList();
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      int from = ActionHeads.offset(h);
      parts.add(logits.get(":, " + from + ":" + (from + ActionHeads.SIZES[h])).logSoftmax(1));
    }
    return NDArrays.concat(parts, 1);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long n = inputShapes[0].get(0);
    return new Shape[] {new Shape(n, ActionHeads.TOTAL), new Shape(n, 1)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    body.initialize(manager, dataType, inputShapes);
    Shape h = new Shape(inputShapes[0].get(0), spec.hidden());
    heads.initialize(manager, dataType, h);
    value.initialize(manager, dataType, h);
  }
}
