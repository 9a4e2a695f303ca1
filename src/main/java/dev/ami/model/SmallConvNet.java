package dev.ami.model;

import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;

/**
 * The group's shared image trunk: Conv(3→c, k8, s4) → LeakyReLU(0.2) → Conv(c→2c, k4, s2) → LeakyReLU →
 * Conv(2c→2c, k3, s1) → LeakyReLU → flatten → Linear(→out). No padding; with c = 32 at 84×84 the
 * flattened size is 7·7·64 = 3136, as in ami. No BatchNorm (see docs/models.md).
 */
public final class SmallConvNet {
  private SmallConvNet() {
  }

  /** Frames (N,3,S,S) → features (N,out). */
  public static Block build(int inputSize, int channels, int out) {
    int side = outputSide(inputSize);
    if (side < 1) {
      throw new IllegalArgumentException("input side " + inputSize + " is too small for SmallConvNet (needs >= 36)");
    }
    return new SequentialBlock()
        .add(Layers.conv(8, 4, 0, 3, channels)).add(Layers.leakyRelu())
        .add(Layers.conv(4, 2, 0, channels, 2 * channels)).add(Layers.leakyRelu())
        .add(Layers.conv(3, 1, 0, 2 * channels, 2 * channels)).add(Layers.leakyRelu())
        .add(Blocks.batchFlattenBlock())
        .add(Layers.linear(2L * channels * side * side, out));
  }

  /** Side of the last feature map for an input of side {@code s}; below 1 means too small. */
  public static int outputSide(int s) {
    int a = (s - 8) / 4 + 1;
    int b = (a - 4) / 2 + 1;
    return a < 4 ? 0 : b - 2;
  }
}
