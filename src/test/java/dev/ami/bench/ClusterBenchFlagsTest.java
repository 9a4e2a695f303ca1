package dev.ami.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The flags bench --cluster starts its trainer JVM with. */
class ClusterBenchFlagsTest {

  @Test
  @DisplayName("a fixed, pre-touched heap by default, never above a maximum given, and never over flags of one's own")
  void trainerHeap() {
    assertThat(ClusterBench.trainerFlags(List.of(), List.of())).containsExactly("-Xms1g", "-XX:+AlwaysPreTouch");
    assertThat(ClusterBench.trainerFlags(List.of("-Xmx4g"), List.of("-Xmx4g")))
        .containsExactly("-Xms1g", "-XX:+AlwaysPreTouch", "-Xmx4g");
    assertThat(ClusterBench.trainerFlags(List.of("-Xmx512m"), List.of("-Xmx512m")))
        .containsExactly("-Xms536870912", "-XX:+AlwaysPreTouch", "-Xmx512m");
    assertThat(ClusterBench.trainerFlags(List.of("-XX:MaxHeapSize=268435456"), List.of()))
        .containsExactly("-Xms268435456", "-XX:+AlwaysPreTouch");
    // from JAVA_TOOL_OPTIONS: the child inherits them, so nothing is added over them
    assertThat(ClusterBench.trainerFlags(List.of("-Xms2g", "-XX:-AlwaysPreTouch"), List.of())).isEmpty();
  }

  @Test
  @DisplayName("--trainer-jvm flags are used exactly as given; without them the defaults follow this JVM's flags")
  void givenFlags() {
    assertThat(new ClusterBench(List.of("-XX:+UseZGC", "-Xmx3g")).trainerJvm())
        .containsExactly("-XX:+UseZGC", "-Xmx3g");
    assertThat(new ClusterBench(null).trainerJvm()).as("the test JVM sets -Xmx2g, no -Xms, no pre-touch")
        .startsWith("-Xms1g", "-XX:+AlwaysPreTouch").contains("-Xmx2g");
  }

  @Test
  @DisplayName("JVM sizes read as the JVM reads them")
  void sizes() {
    assertThat(ClusterBench.bytes("512m")).isEqualTo(512L << 20);
    assertThat(ClusterBench.bytes("2G")).isEqualTo(2L << 30);
    assertThat(ClusterBench.bytes("64k")).isEqualTo(64L << 10);
    assertThat(ClusterBench.bytes("1048576")).isEqualTo(1L << 20);
  }
}
