package dev.ami.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  @DisplayName("durations: 90s, 30m, 12h, 3d, bare seconds; written back in the largest exact unit")
  void parseAndFormat() {
    assertThat(Durations.parseSeconds("90s")).isEqualTo(90);
    assertThat(Durations.parseSeconds("30m")).isEqualTo(1800);
    assertThat(Durations.parseSeconds("12h")).isEqualTo(43_200);
    assertThat(Durations.parseSeconds("3d")).isEqualTo(259_200);
    assertThat(Durations.parseSeconds(" 45 ")).isEqualTo(45);
    assertThat(Durations.parseSeconds("2M")).isEqualTo(120);
    for (String bad : new String[] {"", "m", "1.5h", "-3m", "3w", "h3", "1 h 2"}) {
      assertThatThrownBy(() -> Durations.parseSeconds(bad)).as(bad).isInstanceOf(NumberFormatException.class);
    }
    assertThat(Durations.format(259_200)).isEqualTo("3d");
    assertThat(Durations.format(43_200)).isEqualTo("12h");
    assertThat(Durations.format(1800)).isEqualTo("30m");
    assertThat(Durations.format(90)).isEqualTo("90s");
    assertThat(Durations.format(0)).isEqualTo("0s");
  }

  @Test
  @DisplayName("duration keys take text on the command line and numbers or text in YAML; bad ones name the key")
  void durationKeys() {
    AmiConfig c = AmiConfig.defaults().withOverride("system.max_uptime", "2m")
        .with(Map.of("checkpoint.interval", "12h", "record.segment", 300));
    assertThat(c.getLong("system.max_uptime")).isEqualTo(120);
    assertThat(c.getLong("checkpoint.interval")).isEqualTo(43_200);
    assertThat(c.getLong("record.segment")).isEqualTo(300);
    assertThat(AmiConfig.defaults().getLong("checkpoint.interval")).as("on by default, every 30 minutes")
        .isEqualTo(1800);
    assertThat(AmiConfig.defaults().getLong("system.max_uptime")).as("unlimited by default").isZero();
    assertThatThrownBy(() -> AmiConfig.defaults().withOverride("system.max_uptime", "soon"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("system.max_uptime").hasMessageContaining("30m");
    assertThatThrownBy(() -> AmiConfig.defaults().with(Map.of("checkpoint.interval", 1.5)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("checkpoint.interval");
    assertThat(AmiConfig.of(c.toJson()).getLong("checkpoint.interval")).as("through a deployment's JSON")
        .isEqualTo(43_200);
  }

  @Test
  @DisplayName("checkpoint.dir is gone: setting it says to use system.runs_dir")
  void retiredKey() {
    assertThatThrownBy(() -> AmiConfig.defaults().withOverride("checkpoint.dir", "states"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("system.runs_dir");
  }
}
