package dev.ami.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActionTest {

  @Test
  @DisplayName("the 108 indices decode to 108 distinct valid actions and encode back")
  void indexRoundTrip() {
    Set<Action> seen = new HashSet<>();
    for (int i = 0; i < Action.COUNT; i++) {
      Action a = Action.fromIndex(i);
      assertThat(a.index()).isEqualTo(i);
      seen.add(a);
    }
    assertThat(seen).hasSize(108);
    assertThat(Action.NEUTRAL.isNeutral()).isTrue();
  }

  @Test
  @DisplayName("out-of-range values are refused")
  void rangesChecked() {
    assertThatThrownBy(() -> Action.fromIndex(108)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Action(2, 0, 0, 0, 0)).hasMessageContaining("vertical");
    assertThatThrownBy(() -> new Action(0, 0, 0, 0, -1)).hasMessageContaining("run");
  }
}
