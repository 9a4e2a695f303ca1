package dev.ami.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.env.Frame;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("frame conversion: centre crop, resize, RGB float CHW in [0,1]")
class FrameConverterTest {

  @Test
  @DisplayName("a 4:3 picture is cropped to its centre square; channels stay in RGB order")
  void cropsAndResizes() {
    try (Mat picture = TestVideos.patchPicture(); FrameConverter c = new FrameConverter(84, 84)) {
      Frame f = new Frame(c.convert(picture), 84, 84, 1, 0);
      assertThat(FfmpegFrameSourceTest.rgb(f, 20, 20)).containsExactly(1f, 0f, 0f);
      assertThat(FfmpegFrameSourceTest.rgb(f, 60, 60)).containsExactly(0f, 1f, 0f);
      assertThat(FfmpegFrameSourceTest.rgb(f, 42, 0)[2]).isEqualTo(0f); // the blue bands are gone
    }
  }

  @Test
  @DisplayName("an 84x84 picture for an 88x88 model is centred on a black 2-pixel border")
  void padsToTheModel() {
    try (Mat picture = TestVideos.patchPicture(); FrameConverter c = new FrameConverter(84, 84, 88, 88)) {
      float[] chw = c.convert(picture);
      assertThat(chw).hasSize(3 * 88 * 88);
      Frame f = new Frame(chw, 88, 88, 1, 0);
      assertThat(FfmpegFrameSourceTest.rgb(f, 0, 0)).containsExactly(0f, 0f, 0f);
      assertThat(FfmpegFrameSourceTest.rgb(f, 87, 87)).containsExactly(0f, 0f, 0f);
      assertThat(FfmpegFrameSourceTest.rgb(f, 2, 2)).containsExactly(1f, 0f, 0f);
      assertThat(FfmpegFrameSourceTest.rgb(f, 85, 85)).containsExactly(0f, 1f, 0f);
    }
  }

  @Test
  @DisplayName("the crop is the largest centred rectangle of the target aspect")
  void centreCrop() {
    try (Rect wide = FrameConverter.centreCrop(1280, 720, 1, 1); Rect tall = FrameConverter.centreCrop(100, 300, 2, 1)) {
      assertThat(new int[] {wide.x(), wide.y(), wide.width(), wide.height()}).containsExactly(280, 0, 720, 720);
      assertThat(new int[] {tall.x(), tall.y(), tall.width(), tall.height()}).containsExactly(0, 125, 100, 50);
    }
  }
}
