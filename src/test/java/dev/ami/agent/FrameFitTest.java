package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.env.Frame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameFitTest {
  @Test
  @DisplayName("a frame of the model's size passes through untouched: the same array, no copy")
  void fitsAlready() {
    float[] chw = new float[3 * 4 * 4];
    assertThat(new FrameFit(4).pixels(new Frame(chw, 4, 4, 1, 0))).isSameAs(chw);
  }

  @Test
  @DisplayName("a larger frame shrinks by block means: 4x4 to 2x2 averages each 2x2 block, channel by channel")
  void shrinks() {
    float[] chw = new float[3 * 16];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = i; // channel c, row y, column x holds 16c + 4y + x
    }
    float[] out = new FrameFit(2).pixels(new Frame(chw, 4, 4, 1, 0));
    // block (0,0) of channel 0: (0 + 1 + 4 + 5) / 4; (0,1): (2 + 3 + 6 + 7) / 4; (1,0): (8 + 9 + 12 + 13) / 4 ...
    assertThat(out).containsExactly(2.5f, 4.5f, 10.5f, 12.5f, 18.5f, 20.5f, 26.5f, 28.5f, 34.5f, 36.5f, 42.5f, 44.5f);
  }

  @Test
  @DisplayName("an uneven shrink (3 to 2) covers every input pixel once; an enlargement (2 to 3) repeats the nearest")
  void unevenAndLarger() {
    float[] three = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    float[] out = FrameFit.resize(three, 3, 3, 2, 2, new float[12]);
    // rows split [0,1) and [1,3), columns alike
    assertThat(out).startsWith(1f, (2 + 3) / 2f, (4 + 7) / 2f, (5 + 6 + 8 + 9) / 4f);
    float[] two = {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    assertThat(FrameFit.resize(two, 2, 2, 3, 3, new float[27])).startsWith(1, 1, 2, 1, 1, 2, 3, 3, 4);
  }
}
