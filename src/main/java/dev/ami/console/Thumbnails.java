package dev.ami.console;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Turns the agent's RGB float CHW frames into small PNG data URLs for the page. */
public final class Thumbnails {
  private Thumbnails() {
  }

  /** A {@code data:image/png;base64,...} URL of the frame; values outside [0,1] are clamped. */
  public static String pngDataUrl(float[] chw, int height, int width) {
    int plane = height * width;
    if (chw.length < 3 * plane) {
      throw new IllegalArgumentException("frame has " + chw.length + " values, expected 3x" + height + "x" + width);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int rgb = (channel(chw[i]) << 16) | (channel(chw[plane + i]) << 8) | channel(chw[2 * plane + i]);
        image.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }

  private static int channel(float v) {
    float c = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(1f, v));
    return Math.round(c * 255f);
  }
}
