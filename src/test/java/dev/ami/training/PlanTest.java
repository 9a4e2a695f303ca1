package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlanTest {
  @Test
  @DisplayName("a run visits every item once per epoch, shuffled anew each epoch; a last partial batch is dropped")
  void everyItemOncePerEpoch() {
    Plan plan = new Plan(22, 4, 3, new SplittableRandom(2));
    assertThat(plan.steps()).isEqualTo(15); // 5 full batches of 4 per epoch
    List<List<Integer>> epochs = new ArrayList<>();
    int[] slots = new int[4];
    List<Integer> current = new ArrayList<>();
    while (plan.next(slots)) {
      for (int s : slots) {
        current.add(s);
      }
      if (current.size() == 20) {
        epochs.add(current);
        current = new ArrayList<>();
      }
    }
    assertThat(epochs).hasSize(3).allSatisfy(e -> assertThat(e).doesNotHaveDuplicates()
        .allSatisfy(s -> assertThat(s).isBetween(0, 21)));
    assertThat(epochs.get(0)).isNotEqualTo(epochs.get(1));
  }

  @Test
  @DisplayName("a buffer smaller than a batch still makes one batch per epoch")
  void smallBuffer() {
    Plan plan = new Plan(3, 8, 2, new SplittableRandom(1));
    assertThat(plan.steps()).isEqualTo(2);
    int[] slots = new int[8];
    assertThat(plan.next(slots)).isTrue();
    assertThat(java.util.Arrays.stream(slots).allMatch(s -> s >= 0 && s <= 2)).isTrue();
  }
}
