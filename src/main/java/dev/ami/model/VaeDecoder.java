package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * p(x|z): Linear(latent→b·b) → reshape (1,b,b) → three ×2, ×2, ×4 upsamplings (LeakyReLU between) to
 * 16b × 16b, centre-cropped to the input side, plus a learned per-pixel bias; no output activation.
 *
 * <p>ami uses transposed convolutions (k4 s2, k8 s2, k8 s4). DJL's PyTorch engine has none, so each is a
 * sub-pixel convolution of kernel 3, 5, 3: a conv to r·r times the channels, then depth-to-space. Each
 * output pixel sees at least the inputs the transposed convolution it replaces would let it see.
 */
public final class VaeDecoder extends AbstractBlock {
  private final VaeSpec spec;
  private final Block project;
  private final Block upsample;
  private final Parameter bias;

  public VaeDecoder(VaeSpec spec) {
    this.spec = spec;
    int b = spec.decoderBase();
    int d1 = spec.decoderChannels();
    int d2 = Math.max(1, d1 / 2);
    this.project = addChildBlock("project", Layers.linear(spec.latent(), (long) b * b));
    this.upsample = addChildBlock("upsample", new SequentialBlock()
        .add(Layers.upsample(3, 1, d1, 2)).add(Layers.leakyRelu())
        .add(Layers.upsample(5, d1, d2, 2)).add(Layers.leakyRelu())
        .add(Layers.upsample(3, d2, 3, 4)));
    this.bias = addParameter(Parameter.builder().setName("pixelBias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(3, spec.inputSize(), spec.inputSize())).optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    int b = spec.decoderBase();
    NDArray z = inputs.singletonOrThrow();
    NDArray map = project.forward(store, inputs, training).singletonOrThrow().reshape(-1, 1, b, b);
    NDArray full = upsample.forward(store, new NDList(map), training).singletonOrThrow();
    int s = spec.inputSize();
    int from = (16 * b - s) / 2;
    String crop = ":, :, " + from + ":" + (from + s) + ", " + from + ":" + (from + s);
    NDArray pixelBias = store.getValue(bias, z.getDevice(), training);
    return new NDList(full.get(crop).add(pixelBias));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {spec.frameShape((int) inputShapes[0].get(0))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    project.initialize(manager, dataType, inputShapes);
    int b = spec.decoderBase();
    upsample.initialize(manager, dataType, new Shape(inputShapes[0].get(0), 1, b, b));
  }
}
