package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the guard against garbage gradients")
class GradientGuardTest {

  @Test
  @DisplayName("after the warm-up a norm beyond factor × the median is refused, and does not join the window")
  void refusesAbsurdNorms() {
    GradientGuard g = new GradientGuard(1e4);
    assertThat(g.accept(1e13)).as("nothing is refused before the warm-up").isTrue();
    for (int i = 1; i < GradientGuard.WARM_UP; i++) {
      assertThat(g.accept(1 + i % 5)).isTrue(); // 1..5
    }
    assertThat(g.median()).isEqualTo(3.0);
    assertThat(g.accept(2.9e4)).as("just under 1e4 × 3").isTrue();
    assertThat(g.accept(1e13)).isFalse();
    assertThat(g.median()).as("a refused norm leaves the median alone").isEqualTo(3.0);
    assertThat(g.accept(Double.NaN)).isFalse();
    assertThat(g.accept(Double.POSITIVE_INFINITY)).isFalse();
    // garbage is one step; absurd norms that keep coming are a new regime: after three refusals one is taken
    assertThat(g.accept(1e13)).isFalse();
    assertThat(g.accept(1e13)).isFalse();
    assertThat(g.accept(1e13)).as("the fourth in a row").isTrue();
  }

  @Test
  @DisplayName("factor 0 refuses only non-finite norms; the window forgets the oldest")
  void offAndWindow() {
    GradientGuard off = new GradientGuard(0);
    for (int i = 0; i < 100; i++) {
      assertThat(off.accept(1)).isTrue();
    }
    assertThat(off.accept(1e30)).isTrue();
    assertThat(off.accept(Double.NaN)).isFalse();
    GradientGuard g = new GradientGuard(10);
    for (int i = 0; i < GradientGuard.WINDOW; i++) {
      g.accept(1);
    }
    for (int i = 0; i < GradientGuard.WINDOW; i++) {
      assertThat(g.accept(5)).isTrue();
    }
    assertThat(g.median()).as("the ones have left the window").isEqualTo(5.0);
  }
}
