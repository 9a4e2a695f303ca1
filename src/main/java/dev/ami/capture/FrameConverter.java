package dev.ami.capture;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.setNumThreads;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Turns an 8-bit RGB picture of any size into the model's input: centre-cropped to the picture's aspect,
 * resized with area averaging, scaled to float [0,1] and laid out CHW, all on OpenCV's native path. A picture
 * smaller than the tensor is centred on black. One instance per thread: it reuses its native buffers.
 *
 * <p>A large reduction (720 to 84 lines) first shrinks by a whole factor, which OpenCV's area resize does
 * several times faster than a fractional one, then by the remaining fraction; the result averages the same
 * source pixels.
 */
public final class FrameConverter implements AutoCloseable {
  static {
    setNumThreads(1); // capture and world run on their own thread; an OpenCV pool would compete with the agent
  }

  private final int pictureWidth;
  private final int pictureHeight;
  private final int tensorWidth;
  private final int tensorHeight;
  private final OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
  private final Mat shrunk = new Mat();
  private final Mat resized = new Mat();
  private final Mat floats = new Mat();
  private final MatVector planes = new MatVector(3);
  private final Size pictureSize;
  private Rect crop;
  private Size shrunkSize;
  private int cropForWidth = -1;
  private int cropForHeight = -1;

  /** A converter whose picture fills the whole tensor. */
  public FrameConverter(int width, int height) {
    this(width, height, width, height);
  }

  public FrameConverter(int pictureWidth, int pictureHeight, int tensorWidth, int tensorHeight) {
    if (pictureWidth > tensorWidth || pictureHeight > tensorHeight || pictureWidth < 1 || pictureHeight < 1) {
      throw new IllegalArgumentException("picture " + pictureWidth + "x" + pictureHeight
          + " must be non-empty and fit the tensor " + tensorWidth + "x" + tensorHeight);
    }
    this.pictureWidth = pictureWidth;
    this.pictureHeight = pictureHeight;
    this.tensorWidth = tensorWidth;
    this.tensorHeight = tensorHeight;
    this.pictureSize = new Size(pictureWidth, pictureHeight);
  }

  public int tensorWidth() {
    return tensorWidth;
  }

  public int tensorHeight() {
    return tensorHeight;
  }

  /** Converts a JavaCV frame holding packed RGB24 (as the grabber delivers it with that pixel format). */
  public float[] convert(Frame rgb) {
    return convert(toMat.convert(rgb));
  }

  /** Converts an 8-bit 3-channel RGB matrix; the input is only read. */
  public float[] convert(Mat rgb) {
    if (rgb.channels() != 3) {
      throw new IllegalArgumentException("expected 3 channels (RGB), got " + rgb.channels());
    }
    try (Mat roi = new Mat(rgb, cropFor(rgb.cols(), rgb.rows()))) {
      if (shrunkSize == null) {
        resize(roi, resized, pictureSize, 0, 0, INTER_AREA);
      } else {
        resize(roi, shrunk, shrunkSize, 0, 0, INTER_AREA);
        resize(shrunk, resized, pictureSize, 0, 0, INTER_AREA);
      }
    }
    resized.convertTo(floats, CV_32F, 1 / 255.0, 0);
    split(floats, planes);
    float[] chw = new float[3 * tensorHeight * tensorWidth];
    int padX = (tensorWidth - pictureWidth) / 2;
    int padY = (tensorHeight - pictureHeight) / 2;
    for (int c = 0; c < 3; c++) {
      FloatBuffer plane = planes.get(c).createBuffer();
      int base = c * tensorHeight * tensorWidth;
      if (padX == 0 && padY == 0 && pictureWidth == tensorWidth) {
        plane.get(chw, base, pictureWidth * pictureHeight);
        continue;
      }
      for (int y = 0; y < pictureHeight; y++) {
        plane.position(y * pictureWidth);
        plane.get(chw, base + (y + padY) * tensorWidth + padX, pictureWidth);
      }
    }
    return chw;
  }

  /** The largest centred rectangle of the input with the picture's aspect ratio. */
  private Rect cropFor(int width, int height) {
    if (width != cropForWidth || height != cropForHeight) {
      if (crop != null) {
        crop.close();
      }
      if (shrunkSize != null) {
        shrunkSize.close();
        shrunkSize = null;
      }
      crop = centreCrop(width, height, pictureWidth, pictureHeight);
      int factor = Math.min(crop.width() / pictureWidth, crop.height() / pictureHeight);
      boolean oneStep = crop.width() == factor * pictureWidth && crop.height() == factor * pictureHeight;
      if (factor >= 2 && !oneStep) {
        // trim the crop to a whole multiple of the factor so the first step is exact
        int w = crop.width() / factor * factor;
        int h = crop.height() / factor * factor;
        Rect trimmed = new Rect(crop.x() + (crop.width() - w) / 2, crop.y() + (crop.height() - h) / 2, w, h);
        crop.close();
        crop = trimmed;
        shrunkSize = new Size(w / factor, h / factor);
      }
      cropForWidth = width;
      cropForHeight = height;
    }
    return crop;
  }

  static Rect centreCrop(int width, int height, int aspectWidth, int aspectHeight) {
    int w = width;
    int h = (int) Math.round((double) width * aspectHeight / aspectWidth);
    if (h > height) {
      h = height;
      w = (int) Math.round((double) height * aspectWidth / aspectHeight);
    }
    return new Rect((width - w) / 2, (height - h) / 2, Math.max(1, w), Math.max(1, h));
  }

  @Override
  public void close() {
    shrunk.close();
    resized.close();
    if (shrunkSize != null) {
      shrunkSize.close();
    }
    floats.close();
    planes.close();
    pictureSize.close();
    toMat.close();
    if (crop != null) {
      crop.close();
    }
  }
}
