package dev.ami.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;

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
        .add(Layers.conv(4, 2, 1, ModelSpec.FRAME_CHANNELS, c)).add(Activation::relu)
        .add(Layers.conv(4, 2, 1, c, 2 * c)).add(Activation::relu)
        .add(Layers.conv(4, 2, 1, 2 * c, 4 * c)).add(Activation::relu)
        .add(Blocks.batchFlattenBlock())
        .add(Layers.linear(4L * c * side * side, spec.latent()));
  }

  /** Latents (N,latent) → frames (N,3,S,S) in [0,1]. */
  public static Block decoder(ModelSpec spec) {
    int c = spec.channels();
    int side = spec.bottleneckSide();
    return new SequentialBlock()
        .add(Layers.linear(spec.latent(), 4L * c * side * side)).add(Activation::relu)
        .add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().reshape(-1, 4L * c, side, side)), "unflatten"))
        .add(Layers.upsample(3, 4 * c, 2 * c, 2)).add(Activation::relu)
        .add(Layers.upsample(3, 2 * c, c, 2)).add(Activation::relu)
        .add(Layers.upsample(3, c, ModelSpec.FRAME_CHANNELS, 2)).add(Activation::sigmoid);
  }

  /** Encoder then decoder, as two children so their parameters can be published as separate groups. */
  public static SequentialBlock autoEncoder(ModelSpec spec) {
    return new SequentialBlock().add(encoder(spec)).add(decoder(spec));
  }
}
