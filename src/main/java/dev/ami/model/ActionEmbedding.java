package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * One embedding table per action part ({@code torch.nn.Embedding}, N(0,1) init), looked up from the
 * one-hot action (…, 13) and concatenated: (…, 5 × dims).
 */
public final class ActionEmbedding extends AbstractBlock {
  private final int dims;
  private final List<Parameter> tables = new ArrayList<>();

  public ActionEmbedding(int dims) {
    this.dims = dims;
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      tables.add(addParameter(Parameter.builder().setName("table" + h).setType(Parameter.Type.WEIGHT)
          .optShape(new Shape(ActionHeads.SIZES[h], dims)).optInitializer(new NormalInitializer(1f)).build()));
    }
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray oneHot = inputs.singletonOrThrow();
    long last = oneHot.getShape().dimension() - 1;
    NDList parts = new NDList();
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      int from = ActionHeads.offset(h);
      NDArray slice = oneHot.get("..., " + from + ":" + (from + ActionHeads.SIZES[h]));
      parts.add(slice.matMul(store.getValue(tables.get(h), oneHot.getDevice(), training)));
    }
    return new NDList(NDArrays.concat(parts, (int) last));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long[] out = in.getShape().clone();
    out[out.length - 1] = (long) ActionHeads.COUNT * dims;
    return new Shape[] {new Shape(out)};
  }
}
