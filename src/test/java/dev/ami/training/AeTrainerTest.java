package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.config.TrainerOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.model.ModelSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AeTrainerTest {

  @Test
  @DisplayName("the autoencoder's loss falls on a fixed data set and stays finite")
  void lossFallsOnFixedData() {
    ModelSpec spec = new ModelSpec(32, 8, 32);
    int n = 16;
    float[] data = blobs(spec, n, new SplittableRandom(3));
    try (AeTrainer trainer = ae(spec, n, 3e-3, 11)) {
      float before = trainer.evaluate(data, n);
      for (int i = 0; i < 60; i++) {
        System.arraycopy(data, 0, trainer.batchBuffer(), 0, data.length);
        float loss = trainer.step();
        assertThat(loss).as("loss at step %d", i).isFinite();
      }
      float after = trainer.evaluate(data, n);
      assertThat(before).isFinite();
      assertThat(after).as("loss before %s, after %s", before, after).isLessThan(before * 0.7f);
    }
  }

  @Test
  @DisplayName("channel counts that are not a multiple of oneDNN's block train without NaN (libtorch 2.7.1 padding bug)")
  void oddChannelCountsStayFinite() {
    ModelSpec spec = new ModelSpec(32, 8, 32); // 8 and 12 channels would leave padded oneDNN lanes
    SplittableRandom random = new SplittableRandom(5);
    try (AeTrainer trainer = ae(spec, 8, 1e-3, 13)) {
      for (int i = 0; i < 400; i++) {
        float[] batch = trainer.batchBuffer();
        for (int j = 0; j < batch.length; j++) {
          batch[j] = (float) random.nextDouble();
        }
        assertThat(trainer.step()).as("loss at step %d", i).isFinite();
      }
    }
  }

  @Test
  @DisplayName("a NaN written into a weight is detected before it could be published")
  void nonFiniteParametersDetected() {
    try (AeTrainer trainer = ae(new ModelSpec(16, 16, 8), 2, 1e-3, 3)) {
      assertThat(trainer.parametersFinite()).isTrue();
      ai.djl.pytorch.jni.JniUtils.setGradMode(false); // an in-place write to a parameter needs it off
      trainer.groups().get("decoder").getParameters().get(0).getValue().getArray().muli(Float.NaN);
      assertThat(trainer.parametersFinite()).isFalse();
    }
  }

  /** An autoencoder trainer driven through its batch buffer, with an empty frame buffer of its own. */
  static AeTrainer ae(ModelSpec spec, int batch, double lr, long seed) {
    return new AeTrainer(spec, new TrainerOptions(batch, lr, 0, 1, 64, 1, 0, 10),
        new FrameBuffer(64, spec.frameSize(), seed), seed);
  }

  /** Frames with a coloured square on a coloured background: structure an autoencoder can learn. */
  static float[] blobs(ModelSpec spec, int n, SplittableRandom random) {
    int s = spec.inputSize();
    float[] out = new float[n * spec.frameSize()];
    for (int f = 0; f < n; f++) {
      float[] bg = {(float) random.nextDouble(), (float) random.nextDouble(), (float) random.nextDouble()};
      float[] fg = {(float) random.nextDouble(), (float) random.nextDouble(), (float) random.nextDouble()};
      int x0 = random.nextInt(s / 2);
      int y0 = random.nextInt(s / 2);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            boolean inside = x >= x0 && x < x0 + s / 3 && y >= y0 && y < y0 + s / 3;
            out[f * spec.frameSize() + (c * s + y) * s + x] = inside ? fg[c] : bg[c];
          }
        }
      }
    }
    return out;
  }
}
