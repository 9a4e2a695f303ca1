package dev.ami.model;

import ai.djl.ndarray.types.Shape;
import dev.ami.config.AmiConfig;

/** Sizes of the PPO policy and value network: a SmallConvNet of width {@code channels} on the raw frame. */
public record PolicySpec(int inputSize, int channels, int hidden) {
  public static PolicySpec from(AmiConfig c) {
    return new PolicySpec(c.getInt("model.input_size"), c.getInt("policy.channels"), c.getInt("policy.hidden"));
  }

  public Shape frameShape(int batch) {
    return new Shape(batch, 3, inputSize, inputSize);
  }

  public int frameSize() {
    return 3 * inputSize * inputSize;
  }
}
