package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/**
 * Builds the conv autoencoder of the seed's step 1. The decoder upsamples with sub-pixel convolution
 * (conv to 4x channels, then depth-to-space) because DJL's PyTorch engine has no transposed convolution.
 */
public final class AutoEncoders {
  private AutoEncoders() {
  }

  /** Frames (N,3,S,S) in [0,1] → latents (N,latent). */
  public static Block encoder(ModelSpec spec) {
    int c = spec.channels();
    int side = spec.bottleneckSide();
    return new SequentialBlock()
        .add(downsample(ModelSpec.FRAME_CHANNELS, c)).add(Activation::relu)
        .add(downsample(c, 2 * c)).add(Activation::relu)
        .add(downsample(2 * c, 4 * c)).add(Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(linear(4L * c * side * side, spec.latent()));
  }

  /** Latents (N,latent) → frames (N,3,S,S) in [0,1]. */
  public static Block decoder(ModelSpec spec) {
    int c = spec.channels();
    int side = spec.bottleneckSide();
    return new SequentialBlock()
        .add(linear(spec.latent(), 4L * c * side * side)).add(Activation::relu)
        .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(-1, 4L * c, side, side)), "unflatten"))
        .add(upsample(4 * c, 2 * c)).add(Activation::relu)
        .add(upsample(2 * c, c)).add(Activation::relu)
        .add(upsample(c, ModelSpec.FRAME_CHANNELS)).add(Activation::sigmoid);
  }

  /** Encoder then decoder, as two children so their parameters can be published as separate groups. */
  public static SequentialBlock autoEncoder(ModelSpec spec) {
    return new SequentialBlock().add(encoder(spec)).add(decoder(spec));
  }

  private static Block linear(long inFeatures, long units) {
    return TorchUniform.apply(Linear.builder().setUnits(units).build(), inFeatures);
  }

  private static Block downsample(int inChannels, int filters) {
    return conv(4, 2, 1, inChannels, filters);
  }

  private static Block upsample(int inChannels, int outChannels) {
    return new SequentialBlock()
        .add(conv(3, 1, 1, inChannels, 4 * outChannels))
        .add(new LambdaBlock(x -> new NDList(depthToSpace(x.singletonOrThrow(), 2)), "depthToSpace"));
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
  static Block conv(int kernel, int stride, int padding, int inChannels, int outChannels) {
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

  /** oneDNN's channel block with AVX-512; a multiple of the AVX2 block (8) too. */
  static final int ONEDNN_CHANNEL_BLOCK = 16;

  static int roundUp(int n, int block) {
    return (n + block - 1) / block * block;
  }

  /** PyTorch's pixel_shuffle: (N, C*r*r, H, W) → (N, C, H*r, W*r). */
  static NDArray depthToSpace(NDArray x, int r) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1) / (r * r);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r);
  }
}
