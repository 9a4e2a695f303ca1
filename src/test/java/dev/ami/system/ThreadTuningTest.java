package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadTuningTest {

  @Test
  @DisplayName("a thread's minor page faults grow when it touches memory for the first time")
  void minorFaultsCountFirstTouches(@TempDir Path dir) throws IOException {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "needs Linux /proc");
    int bytes = 8 << 20;
    // a fresh mapping: unlike malloc'd or direct memory, its pages cannot be ones this process touched before
    try (FileChannel f = FileChannel.open(dir.resolve("pages"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      f.truncate(bytes);
      MappedByteBuffer pages = f.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
      long before = ThreadTuning.minorFaultsCurrent();
      assertThat(before).isPositive(); // a running JVM thread has faulted in its stack at least
      for (int at = 0; at < bytes; at += 4096) {
        pages.put(at, (byte) 1);
      }
      long after = ThreadTuning.minorFaultsCurrent();
      // 2048 pages written: one fault each, or one per 16 with the kernel's fault-around; others' never count
      assertThat(after - before).as("faults for 8 MiB of fresh pages").isGreaterThanOrEqualTo(16);
    }
  }
}
