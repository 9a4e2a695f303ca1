package dev.ami.model;

import ai.djl.ndarray.types.Shape;

/** Sizes of the PPO policy and value network: a SmallConvNet of width {@code channels} on the raw frame. */
public record PolicySpec(int inputSize, int channels, int hidden) {
  public Shape frameShape(int batch) {
    return new Shape(batch, 3, inputSize, inputSize);
  }

  public int frameSize() {
    return 3 * inputSize * inputSize;
  }
}
