package dev.ami.agent;

import dev.ami.env.Frame;

/**
 * The world's frames at the size the agent's models take. The world renders (or capture resizes) at the size the
 * process started with; the agent owns the last step, so a redeploy may change {@code model.input_size} while the
 * world goes on as it is. Frames of the model's size pass through untouched; others are resized by block means
 * (each output pixel averages the input pixels its block covers; an enlargement repeats the nearest one).
 */
final class FrameFit {
  private final int side;
  private final float[] out;

  FrameFit(int side) {
    this.side = side;
    this.out = new float[3 * side * side];
  }

  /** The frame's pixels as CHW at the model's side: the frame's own array when it fits, else a reused buffer. */
  float[] pixels(Frame frame) {
    if (frame.height() == side && frame.width() == side) {
      return frame.chw();
    }
    return resize(frame.chw(), frame.height(), frame.width(), side, side, out);
  }

  int side() {
    return side;
  }

  /** Block means of a 3-channel CHW picture of {@code height} × {@code width} into {@code toH} × {@code toW}. */
  static float[] resize(float[] chw, int height, int width, int toH, int toW, float[] out) {
    int plane = height * width;
    for (int c = 0; c < 3; c++) {
      for (int by = 0; by < toH; by++) {
        int y0 = by * height / toH;
        int y1 = Math.max(y0 + 1, (by + 1) * height / toH);
        for (int bx = 0; bx < toW; bx++) {
          int x0 = bx * width / toW;
          int x1 = Math.max(x0 + 1, (bx + 1) * width / toW);
          double sum = 0;
          for (int y = y0; y < y1; y++) {
            int row = c * plane + y * width;
            for (int x = x0; x < x1; x++) {
              sum += chw[row + x];
            }
          }
          out[(c * toH + by) * toW + bx] = (float) (sum / ((y1 - y0) * (x1 - x0)));
        }
      }
    }
    return out;
  }
}
