package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One SConv block: {@code x ← x + Dropout(Re(SConv(LN₁(x))) ⊙ SiLU(Linear(x)))}, then
 * {@code x ← x + Dropout(FFN(LN₂(x)))} with FFN = Linear → SiLU → Linear. Two LayerNorms (ami shares one):
 * each sub-layer normalises its own input, as pre-LN transformers do.
 *
 * <p>Inputs [x (N,T,D), h_re (N,D), h_im (N,D)] → [x, h_re, h_im].
 */
public final class SConvBlock extends AbstractBlock {
  private final Block norm1;
  private final SConv sconv;
  private final Block gate;
  private final Block norm2;
  private final Block ffnIn;
  private final Block ffnOut;
  private final Block dropout;
  private final int ffn;

  public SConvBlock(int width, int ffn, double dropoutRate) {
    this.ffn = ffn;
    this.norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
    this.sconv = addChildBlock("sconv", new SConv(width));
    this.gate = addChildBlock("gate", Layers.linear(width, width));
    this.norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
    this.ffnIn = addChildBlock("ffnIn", Layers.linear(width, ffn));
    this.ffnOut = addChildBlock("ffnOut", Layers.linear(ffn, width));
    this.dropout = addChildBlock("dropout", Dropout.builder().optRate((float) dropoutRate).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDList normed = norm1.forward(store, new NDList(x), training);
    NDList recurrent = sconv.forward(store, new NDList(normed.get(0), inputs.get(1), inputs.get(2)), training);
    NDArray gated = recurrent.get(0).mul(Activation.swish(gate.forward(store, new NDList(x), training)
        .singletonOrThrow(), 1f));
    x = x.add(dropout.forward(store, new NDList(gated), training).singletonOrThrow());
    NDArray hidden = Activation.swish(ffnIn.forward(store, norm2.forward(store, new NDList(x), training), training)
        .singletonOrThrow(), 1f);
    NDArray ff = ffnOut.forward(store, new NDList(hidden), training).singletonOrThrow();
    x = x.add(dropout.forward(store, new NDList(ff), training).singletonOrThrow());
    return new NDList(x, recurrent.get(1), recurrent.get(2));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes.clone();
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    norm1.initialize(manager, dataType, x);
    sconv.initialize(manager, dataType, inputShapes);
    gate.initialize(manager, dataType, x);
    norm2.initialize(manager, dataType, x);
    ffnIn.initialize(manager, dataType, x);
    ffnOut.initialize(manager, dataType, new Shape(x.get(0), x.get(1), ffn));
    dropout.initialize(manager, dataType, x);
  }
}
