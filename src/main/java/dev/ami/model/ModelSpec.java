package dev.ami.model;

import ai.djl.ndarray.types.Shape;

/**
 * The shape of the conv autoencoder: square RGB input of side {@code inputSize}, three stride-2 conv
 * stages of widths c, 2c, 4c, and a latent vector.
 */
public record ModelSpec(int inputSize, int channels, int latent) {
  public static final int FRAME_CHANNELS = 3;

  public Shape frameShape(int batch) {
    return new Shape(batch, FRAME_CHANNELS, inputSize, inputSize);
  }

  public int frameSize() {
    return FRAME_CHANNELS * inputSize * inputSize;
  }

  /** Side of the feature map after the three stride-2 stages. */
  public int bottleneckSide() {
    return inputSize / 8;
  }
}
