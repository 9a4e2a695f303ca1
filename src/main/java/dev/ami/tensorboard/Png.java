package dev.ami.tensorboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** A frame (RGB float CHW in [0, 1]) as PNG bytes, for TensorBoard's images. */
final class Png {
  private Png() {
  }

  static byte[] encode(float[] chw, int height, int width) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int plane = height * width;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        image.setRGB(x, y, (byte8(chw[i]) << 16) | (byte8(chw[plane + i]) << 8) | byte8(chw[2 * plane + i]));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private static int byte8(float v) {
    return Math.round(Math.max(0f, Math.min(1f, Float.isFinite(v) ? v : 0f)) * 255f);
  }
}
