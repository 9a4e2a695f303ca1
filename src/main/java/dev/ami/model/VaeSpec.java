package dev.ami.model;

import ai.djl.ndarray.types.Shape;

/**
 * Sizes of the VAE observation encoder: square RGB input of side {@code inputSize}, a SmallConvNet trunk of
 * width {@code channels}, a latent of {@code latent}, and a sub-pixel decoder of widths
 * {@code decoderChannels}, {@code decoderChannels / 2}.
 */
public record VaeSpec(int inputSize, int channels, int latent, int decoderChannels) {
  public Shape frameShape(int batch) {
    return new Shape(batch, 3, inputSize, inputSize);
  }

  public int frameSize() {
    return 3 * inputSize * inputSize;
  }

  /** Side of the decoder's first map: 16 times it covers the input, as 6 → 96 covers 84 in ami. */
  public int decoderBase() {
    return (inputSize + 15) / 16;
  }
}
