package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ThreadTuningTest {

  @Test
  @DisplayName("a thread's minor page faults grow when it touches memory for the first time")
  void minorFaultsCountFirstTouches() {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "needs Linux /proc");
    long before = ThreadTuning.minorFaultsCurrent();
    assertThat(before).isPositive(); // a running JVM thread has faulted in its stack at least
    ByteBuffer fresh = ByteBuffer.allocateDirect(32 << 20); // zeroed on allocation: every page touched
    long after = ThreadTuning.minorFaultsCurrent();
    assertThat(fresh.capacity()).isEqualTo(32 << 20);
    // 8192 faults with 4 KiB pages, 16 with 2 MiB transparent huge pages; other threads' faults never count
    assertThat(after - before).as("faults for 32 MiB of fresh memory").isGreaterThanOrEqualTo(16);
  }
}
