package dev.ami.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CpuStealTest {

  @Test
  @DisplayName("steal is the eighth field of /proc/stat's cpu line, its share of the first eight fields")
  void parsesKnownLines() {
    CpuSteal.Sample a = CpuSteal.parse("cpu  68640 0 5705 459014 368 0 274 2856 0 0");
    assertThat(a.total()).isEqualTo(68640 + 5705 + 459014 + 368 + 274 + 2856);
    assertThat(a.steal()).isEqualTo(2856);
    CpuSteal.Sample b = CpuSteal.parse("cpu  68700 0 5720 459900 368 0 280 2880 50 0");
    // 60 + 15 + 886 + 6 + 24 = 991 ticks passed, 24 of them stolen; guest time is inside user already
    assertThat(b.stealPercentSince(a)).isCloseTo(100.0 * 24 / 991, within(1e-9));
    assertThat(a.stealPercentSince(a)).isNaN();
    assertThat(CpuSteal.NONE.stealPercentSince(CpuSteal.NONE)).isNaN();
    assertThatThrownBy(() -> CpuSteal.parse("cpu0 1 2 3 4 5 6 7 8")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("this machine's CPU time grows and its steal stays within it")
  void readsThisMachine() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/stat")), "no /proc/stat: not Linux");
    CpuSteal.Sample a = CpuSteal.read();
    long until = System.nanoTime() + 50_000_000L;
    while (System.nanoTime() < until) {
      Thread.onSpinWait(); // some CPU time must pass
    }
    Thread.sleep(30);
    CpuSteal.Sample b = CpuSteal.read();
    assertThat(b.total()).isGreaterThan(a.total());
    assertThat(b.steal()).isBetween(a.steal(), b.total());
    assertThat(b.stealPercentSince(a)).isBetween(0.0, 100.0);
  }
}
