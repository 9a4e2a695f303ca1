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
    int plane = height * width;
    for (int c = 0; c < 3; c++) {
      for (int by = 0; by < SIDE; by++) {
        int y0 = by * height / SIDE;
        int y1 = (by + 1) * height / SIDE;
        for (int bx = 0; bx < SIDE; bx++) {
          int x0 = bx * width / SIDE;
          int x1 = (bx + 1) * width / SIDE;
          double sum = 0;
          for (int y = y0; y < y1; y++) {
            int row = c * plane + y * width;
            for (int x = x0; x < x1; x++) {
              sum += chw[row + x];
            }
          }
          out[(c * SIDE + by) * SIDE + bx] = (float) (sum / Math.max(1, (y1 - y0) * (x1 - x0)));
        }
      }
    }
    return out;
  }
}
