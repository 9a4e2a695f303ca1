package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NnpackTest {

  @Test
  @DisplayName("NNPACK is on in a fresh libtorch and off once turned off, read back from libtorch itself")
  void turnedOff() {
    System.setProperty("ai.djl.offline", "true");
    Engine.getEngine("PyTorch");
    Assumptions.assumeTrue(Nnpack.loaded("libtorch_cpu.so").isPresent(),
        "libtorch_cpu.so is not in /proc/self/maps (not Linux): the runtime leaves NNPACK alone there");
    boolean before = Nnpack.enabled(); // true unless a runtime started earlier in this JVM turned it off
    Nnpack.turnOff();
    assertThat(Nnpack.enabled()).isFalse();
    assertThat(before || Nnpack.turnOff().isEmpty()).as("on at first, or already turned off once").isTrue();
  }
}
