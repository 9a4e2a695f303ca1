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
    return new SequentialBlock()
        .add(downsample(c)).add(Activation::relu)
        .add(downsample(2 * c)).add(Activation::relu)
        .add(downsample(4 * c)).add(Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(spec.latent()).build());
  }

  /** Latents (N,latent) → frames (N,3,S,S) in [0,1]. */
  public static Block decoder(ModelSpec spec) {
    int c = spec.channels();
    int side = spec.bottleneckSide();
    return new SequentialBlock()
        .add(Linear.builder().setUnits(4L * c * side * side).build()).add(Activation::relu)
        .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(-1, 4L * c, side, side)), "unflatten"))
        .add(upsample(2 * c)).add(Activation::relu)
        .add(upsample(c)).add(Activation::relu)
        .add(upsample(ModelSpec.FRAME_CHANNELS)).add(Activation::sigmoid);
  }

  /** Encoder then decoder, as two children so their parameters can be published as separate groups. */
  public static SequentialBlock autoEncoder(ModelSpec spec) {
    return new SequentialBlock().add(encoder(spec)).add(decoder(spec));
  }

  private static Block downsample(int filters) {
    return Conv2d.builder().setKernelShape(new Shape(4, 4)).optStride(new Shape(2, 2)).optPadding(new Shape(1, 1))
        .setFilters(filters).build();
  }

  private static Block upsample(int outChannels) {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
            .setFilters(4 * outChannels).build())
        .add(new LambdaBlock(x -> new NDList(depthToSpace(x.singletonOrThrow(), 2)), "depthToSpace"));
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
