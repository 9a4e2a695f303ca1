package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Transition;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  private static Transition t(long tick) {
    return new Transition(tick, new float[] {tick, tick}, 0, 0, 0, 0, 0);
  }

  @Test
  @DisplayName("a full buffer keeps its capacity and replaces old transitions at random, keeping a spread")
  void boundedRandomReplacement() {
    ReplayBuffer b = new ReplayBuffer(50, 1);
    for (int i = 0; i < 1000; i++) {
      b.add(t(i));
    }
    assertThat(b.size()).isEqualTo(50);
    assertThat(b.added()).isEqualTo(1000);
    float[] out = new float[2 * 400];
    b.sampleObservations(400, out);
    Set<Float> ticks = new HashSet<>();
    for (int i = 0; i < out.length; i += 2) {
      ticks.add(out[i]);
    }
    assertThat(ticks.stream().anyMatch(x -> x < 900)).as("older transitions survive").isTrue();
    assertThat(ticks.stream().anyMatch(x -> x >= 950)).as("new transitions get in").isTrue();
  }
}
