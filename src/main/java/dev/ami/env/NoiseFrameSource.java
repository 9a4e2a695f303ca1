package dev.ami.env;

import java.util.SplittableRandom;

/** Random frames, the seed's step-1 world: each read is a fresh uniform-noise image. */
public final class NoiseFrameSource implements FrameSource {
  private final int side;
  private final SplittableRandom random;
  private long sequence;

  public NoiseFrameSource(int side, long seed) {
    this.side = side;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public void start() {
  }

  @Override
  public synchronized Frame latest() {
    float[] chw = new float[3 * side * side];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = (float) random.nextDouble();
    }
    return new Frame(chw, side, side, ++sequence, System.nanoTime());
  }

  @Override
  public SourceStats stats() {
    return new SourceStats(sequence, 0, 0, true);
  }

  @Override
  public void close() {
  }
}
