package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.telemetry.IntervalSummary.Scalar;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunHistoryTest {

  @Test
  @DisplayName("a full history halves: neighbours merge to their mean, points come half as often, memory stays bounded")
  void halves() {
    RunHistory h = new RunHistory(4);
    JsonObject p1 = h.add(0, List.of(new Scalar("loss/vae", 1.0)));
    assertThat(p1.getDouble("t")).isEqualTo(0.0);
    assertThat(p1.getJsonObject("values").getDouble("loss/vae")).isEqualTo(1.0);
    h.add(10_000, List.of(new Scalar("loss/vae", 3.0)));
    h.add(20_000, List.of(new Scalar("loss/vae", 5.0), new Scalar("reward/mean", 0.5))); // a curve that starts late
    assertThat(h.add(30_000, List.of(new Scalar("loss/vae", 7.0), new Scalar("reward/mean", Double.NaN))))
        .isNotNull();
    // four points filled it: now two, of 20 s each
    assertThat(h.size()).isEqualTo(2);
    assertThat(h.intervalS()).isEqualTo(20);
    JsonObject all = h.toJson();
    assertThat(all.getJsonArray("t").getList()).containsExactly(0L, 20_000L);
    assertThat(all.getJsonObject("series").getJsonArray("loss/vae").getList()).containsExactly(2.0, 6.0);
    assertThat(all.getJsonObject("series").getJsonArray("reward/mean").getList()).containsExactly(null, 0.5);
    // the next raw interval only starts a point; the one after completes it with the mean of both
    assertThat(h.add(40_000, List.of(new Scalar("loss/vae", 9.0)))).isNull();
    JsonObject p = h.add(50_000, List.of(new Scalar("loss/vae", 11.0)));
    assertThat(p.getLong("t")).isEqualTo(40_000L);
    assertThat(p.getInteger("interval_s")).isEqualTo(20);
    assertThat(p.getJsonObject("values").getDouble("loss/vae")).isEqualTo(10.0);
    assertThat(h.size()).isEqualTo(3);
    for (int i = 0; i < 100; i++) {
      h.add(60_000 + i * 10_000L, List.of(new Scalar("loss/vae", i)));
    }
    assertThat(h.size()).isLessThan(4);
  }
}
