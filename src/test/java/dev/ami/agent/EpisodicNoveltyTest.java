package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** NGU's episodic novelty against a hand computation, and the pieces around it. */
@DisplayName("episodic novelty, the life-long modulator and the frame embedding")
class EpisodicNoveltyTest {

  @Test
  @DisplayName("by hand, k 2: the first view 1; a new one far from the ring ≈ 30.5; a view seen just now ≈ 1")
  void byHand() {
    EpisodicNovelty e = new EpisodicNovelty(3, 1, 2);
    assertThat(e.observe(new float[] {0})).isEqualTo(1.0);
    // distances [1]: d²_m = 1; d = 1/1 − 0.008 = 0.992; K = 1e-3 / (0.992 + 1e-3); r = 1 / (√K + 1e-3)
    double k1 = 1e-3 / (0.992 + 1e-3);
    assertThat(e.observe(new float[] {1})).isCloseTo(1 / (Math.sqrt(k1) + 1e-3), within(1e-9));
    // distances [0, 1], mean 0.5: d²_m = 1 + 0.01 · (0.5 − 1) = 0.995; d = [0, 1/0.995 − 0.008]
    double m = 0.995;
    double s = 1 + 1e-3 / (Math.max(1 / m - 0.008, 0) + 1e-3); // the first kernel is ε/ε = 1
    assertThat(e.observe(new float[] {1})).isCloseTo(1 / (Math.sqrt(s) + 1e-3), within(1e-9));
    assertThat(e.meanDistance()).isCloseTo(m, within(1e-12));
    assertThat(e.size()).isEqualTo(3);
    e.observe(new float[] {5});
    assertThat(e.size()).as("the ring holds three, the oldest left").isEqualTo(3);
  }

  @Test
  @DisplayName("spinning on the spot scores far below walking into views not seen lately")
  void spinningIsNotNew() {
    EpisodicNovelty e = new EpisodicNovelty(600, 2, 10);
    double spin = 0;
    for (int t = 0; t < 600; t++) { // a circle of 30 headings, again and again
      double a = 2 * Math.PI * (t % 30) / 30;
      spin = e.observe(new float[] {(float) Math.cos(a), (float) Math.sin(a)});
    }
    double walk = e.observe(new float[] {3, 3});
    assertThat(walk).isGreaterThan(10 * spin);
  }

  @Test
  @DisplayName("a loop run after exploring: a long distance mean scores it as known, a short one as new")
  void loopAfterExploring() {
    double shortMean = loopNovelty(EpisodicNovelty.SHORT_MEAN_TICKS);
    double longMean = loopNovelty(6000);
    // with a short mean the loop's own small distances become the norm: d/d_m ≈ 1, each kernel ≈ ε, r ≈ 1/√(10ε)
    assertThat(shortMean).isGreaterThan(5);
    // with a long one they stay far below the explored scale: kernels near 1, r near 1/√k
    assertThat(longMean).isLessThan(1);
    assertThat(shortMean).isGreaterThan(10 * longMean);
  }

  /**
   * 600 views of new places (32 numbers each, spread 10 apart), then 1 200 views of a loop through 60 places,
   * each visit a little different (spread 1), as block means of real frames are: the mean novelty of the last 100.
   * In many dimensions the k nearest distances of any view are alike, so what decides is the scale they are
   * divided by.
   */
  private static double loopNovelty(int meanTicks) {
    int dim = 32;
    EpisodicNovelty e = new EpisodicNovelty(2400, dim, 10, meanTicks);
    Random random = new Random(1);
    for (int t = 0; t < 600; t++) {
      e.observe(gaussian(random, new float[dim], 10));
    }
    float[][] places = new float[60][];
    for (int j = 0; j < places.length; j++) {
      places[j] = gaussian(random, new float[dim], 10);
    }
    double sum = 0;
    for (int t = 0; t < 1200; t++) {
      float[] view = gaussian(random, new float[dim], 1);
      for (int d = 0; d < dim; d++) {
        view[d] += places[t % places.length][d];
      }
      double r = e.observe(view);
      sum += t >= 1100 ? r : 0;
    }
    return sum / 100;
  }

  private static float[] gaussian(Random random, float[] into, double spread) {
    for (int d = 0; d < into.length; d++) {
      into[d] = (float) (spread * random.nextGaussian());
    }
    return into;
  }

  @Test
  @DisplayName("the modulator: 1 below the usual surprise, up to 5 above it")
  void modulator() {
    LifelongModulator m = new LifelongModulator();
    assertThat(m.apply(1)).isEqualTo(1.0);
    for (int i = 0; i < 2000; i++) {
      m.apply(i % 2 == 0 ? 0.9 : 1.1);
    }
    assertThat(m.apply(0.5)).isEqualTo(1.0);
    assertThat(m.apply(100)).isEqualTo(LifelongModulator.MAX);
    assertThat(m.apply(1.1)).isBetween(1.0, 3.0);
  }

  @Test
  @DisplayName("the embedding is the frame's block means, 12 × 12 per channel")
  void embedding() {
    int side = 24;
    float[] chw = new float[3 * side * side];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        chw[y * side + x] = x < side / 2 ? 1 : 0; // red: left half
        chw[2 * side * side + y * side + x] = x % 2 == 0 && y % 2 == 0 ? 1 : 0;
      }
    }
    float[] out = FrameEmbedding.embed(chw, side, side, new float[FrameEmbedding.size()]);
    assertThat(out[0]).isEqualTo(1f);
    assertThat(out[11]).isEqualTo(0f);
    assertThat(out[144]).as("green is 0").isEqualTo(0f);
    assertThat(out[288]).as("blue: one pixel of each 2×2 block").isEqualTo(0.25f);
  }
}
