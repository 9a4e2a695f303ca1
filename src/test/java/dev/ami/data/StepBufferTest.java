package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.StepRecord;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StepBufferTest {
  @Test
  @DisplayName("the causal buffer keeps the newest steps in order and draws contiguous windows")
  void fifoAndContiguous() {
    StepBuffer b = new StepBuffer(100);
    for (int t = 1; t <= 250; t++) {
      b.add(Steps.step(t));
    }
    assertThat(b.size()).isEqualTo(100);
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 200; i++) {
      List<StepRecord> w = b.window(9, random, 10);
      assertThat(w).hasSize(9);
      assertThat(w.get(0).tick()).isBetween(151L, 242L); // only the newest 100 remain
      for (int k = 1; k < 9; k++) {
        assertThat(w.get(k).tick()).isEqualTo(w.get(0).tick() + k);
      }
    }
  }

  @Test
  @DisplayName("no window reaches across a chain start, a missing tick, or has a stale frame as a target")
  void breaksAreRespected() {
    StepBuffer b = new StepBuffer(64);
    for (int t = 1; t <= 40; t++) {
      boolean stale = t == 12;
      boolean start = t == 25;
      if (t != 33) { // tick 33 was blind: no step
        b.add(Steps.step(t, stale, start));
      }
    }
    SplittableRandom random = new SplittableRandom(3);
    int drawn = 0;
    for (int i = 0; i < 500; i++) {
      List<StepRecord> w = b.window(5, random, 4);
      if (w == null) {
        continue;
      }
      drawn++;
      for (int k = 1; k < w.size(); k++) {
        assertThat(w.get(k).chainStart()).isFalse();
        assertThat(w.get(k).stale()).isFalse();
        assertThat(w.get(k).tick()).isEqualTo(w.get(0).tick() + k);
      }
    }
    assertThat(drawn).isPositive();
    assertThat(b.rejectedWindows()).as("windows over the breaks were drawn and thrown back").isPositive();
  }

  @Test
  @DisplayName("with fewer steps than a window, or breaks everywhere, there is no window")
  void noWindow() {
    StepBuffer b = new StepBuffer(12);
    for (int t = 1; t <= 4; t++) {
      b.add(Steps.step(t));
    }
    assertThat(b.window(9, new SplittableRandom(1), 8)).isNull();
    for (int t = 5; t <= 16; t++) { // pushes the first four out: every step left starts a chain
      b.add(Steps.step(t, false, true));
    }
    assertThat(b.window(3, new SplittableRandom(1), 8)).isNull();
  }
}
