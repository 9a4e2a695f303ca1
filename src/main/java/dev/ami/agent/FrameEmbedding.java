package dev.ami.agent;

/**
 * A fixed, cheap embedding of a frame for the episodic memory: the RGB picture averaged down to {@link #SIDE} ×
 * {@link #SIDE} blocks (432 numbers). It never moves, whatever the encoders learn, so distances in the memory mean
 * the same from one minute to the next; and in a world that only the agent changes, a view seen before comes back
 * close to where it was.
 */
final class FrameEmbedding {
  static final int SIDE = 12;

  private FrameEmbedding() {
  }

  /** Size of an embedding. */
  static int size() {
    return 3 * SIDE * SIDE;
  }

  /** The block means of a CHW frame of {@code height} × {@code width} into {@code out}. */
  static float[] embed(float[] chw, int height, int width, float[] out) {
    return FrameFit.resize(chw, height, width, SIDE, SIDE, out);
  }
}
