package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/**
 * The layers every model here is built from, each with PyTorch's default initialisation
 * ({@link TorchUniform}) and the conv channel padding libtorch's oneDNN path needs.
 */
public final class Layers {
  /** oneDNN's channel block with AVX-512; a multiple of the AVX2 block (8) too. */
  static final int ONEDNN_CHANNEL_BLOCK = 16;

  private Layers() {
  }

  /** {@code torch.nn.Linear(inFeatures, units)} over the last axis. */
  public static Block linear(long inFeatures, long units) {
    return TorchUniform.apply(Linear.builder().setUnits(units).build(), inFeatures);
  }

  /** {@code torch.nn.Linear(inFeatures, units, bias=False)}. */
  public static Block linearNoBias(long inFeatures, long units) {
    return TorchUniform.apply(Linear.builder().setUnits(units).optBias(false).build(), inFeatures);
  }

  public static Block leakyRelu() {
    return Activation.leakyReluBlock(0.2f);
  }

  /**
   * A square conv with PyTorch's default init whose output channels are a multiple of
   * {@link #ONEDNN_CHANNEL_BLOCK}; extra channels are computed and dropped.
   *
   * <p>Why: libtorch 2.7.1 runs batched CPU convs through oneDNN in channel-blocked layouts. When a
   * channel count is not a multiple of the block (16 with AVX-512), the padding lanes are left
   * uninitialised and the backward pass turns them into NaN gradients at random steps. Measured on this
   * machine: 3x3 convs with 8 channels went NaN within 10 steps; with 16, 1500 steps stayed finite.
   */
  public static Block conv(int kernel, int stride, int padding, int inChannels, int outChannels) {
    int padded = roundUp(outChannels, ONEDNN_CHANNEL_BLOCK);
    Block conv = TorchUniform.apply(Conv2d.builder().setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride)).optPadding(new Shape(padding, padding)).setFilters(padded).build(),
        (long) inChannels * kernel * kernel);
    if (padded == outChannels) {
      return conv;
    }
    String keep = ":, 0:" + outChannels;
    return new SequentialBlock().add(conv)
        .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().get(keep)), "dropPaddedChannels"));
  }

  /**
   * Sub-pixel upsampling by {@code r}: a conv to {@code r*r*outChannels} channels, then depth-to-space.
   * It stands in for a transposed convolution, which DJL's PyTorch engine does not implement.
   */
  public static Block upsample(int kernel, int inChannels, int outChannels, int r) {
    return new SequentialBlock()
        .add(conv(kernel, 1, kernel / 2, inChannels, r * r * outChannels))
        .add(new LambdaBlock(x -> new NDList(depthToSpace(x.singletonOrThrow(), r)), "depthToSpace"));
  }

  static int roundUp(int n, int block) {
    return (n + block - 1) / block * block;
  }

  /** PyTorch's pixel_shuffle: (N, C*r*r, H, W) → (N, C, H*r, W*r). */
  public static NDArray depthToSpace(NDArray x, int r) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1) / (r * r);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r);
  }
}
