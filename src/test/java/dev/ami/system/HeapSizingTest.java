package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The trainer node's heap hint, read from this (the test) JVM's own flags. */
class HeapSizingTest {

  @Test
  @DisplayName("a JVM started without a fixed, pre-touched heap gets the hint with the flags to use")
  void hintsForAGrowableHeap() {
    Assumptions.assumeTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .noneMatch(a -> a.contains("AlwaysPreTouch")), "this JVM pre-touches its heap");
    assertThat(HeapSizing.trainerAdvice()).hasValueSatisfying(m -> assertThat(m)
        .contains("not pre-touched").contains("-Xms1g -XX:+AlwaysPreTouch").contains("docs/clustering.md"));
  }
}
