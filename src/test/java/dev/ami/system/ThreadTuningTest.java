package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

  @Test
  @DisplayName("pin puts another thread of the process on one CPU, as the kernel then lists it")
  void pinsAThreadToOneCpu() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/task")), "needs Linux /proc");
    Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs: one would prove nothing");
    CompletableFuture<Integer> started = new CompletableFuture<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread probe = new Thread(() -> {
      started.complete(ThreadTuning.currentTid());
      done.join();
    });
    probe.start();
    int tid = started.get(10, TimeUnit.SECONDS);
    try {
      assertThat(field(tid, "status", "Cpus_allowed_list")).as("a fresh thread may run anywhere").isNotEqualTo("1");
      assertThat(ThreadTuning.pin(tid, "1")).isTrue();
      assertThat(field(tid, "status", "Cpus_allowed_list")).isEqualTo("1");
      assertThat(ThreadTuning.pin(tid, "0")).isTrue();
      assertThat(field(tid, "status", "Cpus_allowed_list")).isEqualTo("0");
      assertThat(ThreadTuning.pin(tid, "3-1")).as("not a CPU list").isFalse();
      assertThat(ThreadTuning.pin(-1, "0")).as("no thread").isFalse();
    } finally {
      done.complete(null);
      probe.join();
    }
  }

  @Test
  @DisplayName("a thread lowers itself to SCHED_IDLE and back without privilege; the kernel reports each policy")
  void idleAndBack() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/sched")), "needs Linux /proc");
    AtomicReference<String> idle = new AtomicReference<>();
    AtomicReference<String> normal = new AtomicReference<>();
    AtomicInteger called = new AtomicInteger();
    Thread t = new Thread(() -> {
      int tid = ThreadTuning.currentTid();
      if (ThreadTuning.trySetIdleCurrent() && ThreadTuning.isIdleCurrent()) {
        called.incrementAndGet();
      }
      idle.set(field(tid, "sched", "policy"));
      if (ThreadTuning.trySetNormalCurrent() && !ThreadTuning.isIdleCurrent()) {
        called.incrementAndGet();
      }
      normal.set(field(tid, "sched", "policy"));
    });
    t.start();
    t.join();
    assertThat(called.get()).as("both calls applied and read back through sched_getscheduler").isEqualTo(2);
    assertThat(idle.get()).isEqualTo(Integer.toString(ThreadTuning.SCHED_IDLE));
    assertThat(normal.get()).isEqualTo(Integer.toString(ThreadTuning.SCHED_OTHER));
  }

  @Test
  @DisplayName("SCHED_FIFO with reset-on-fork (chrt -f -R): the thread runs real-time, threads it starts do not")
  void realtimeWithResetOnFork() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/sched")), "needs Linux /proc");
    AtomicReference<Boolean> applied = new AtomicReference<>();
    AtomicInteger policy = new AtomicInteger();
    AtomicReference<String> kernelPolicy = new AtomicReference<>();
    AtomicReference<String> kernelPrio = new AtomicReference<>();
    AtomicReference<String> childPolicy = new AtomicReference<>();
    Thread t = new Thread(() -> {
      int tid = ThreadTuning.currentTid();
      applied.set(ThreadTuning.trySetRealtimeCurrent(10));
      policy.set(ThreadTuning.policyCurrent());
      kernelPolicy.set(field(tid, "sched", "policy"));
      kernelPrio.set(field(tid, "sched", "prio"));
      Thread child = new Thread(() -> childPolicy.set(field(ThreadTuning.currentTid(), "sched", "policy")));
      child.start();
      try {
        child.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    t.join();
    if (!applied.get()) {
      Assumptions.assumeTrue(hasCapSysNice(), "SCHED_FIFO needs root or CAP_SYS_NICE, which this process lacks");
    }
    assertThat(applied.get()).as("permitted here (CAP_SYS_NICE), so it must apply").isTrue();
    assertThat(policy.get()).isEqualTo(ThreadTuning.SCHED_FIFO | ThreadTuning.SCHED_RESET_ON_FORK);
    assertThat(kernelPolicy.get()).isEqualTo(Integer.toString(ThreadTuning.SCHED_FIFO));
    assertThat(kernelPrio.get()).as("the kernel's prio of real-time priority 10: 99 - 10").isEqualTo("89");
    assertThat(childPolicy.get()).as("a thread it starts").isEqualTo(Integer.toString(ThreadTuning.SCHED_OTHER));
  }

  /** Whether this process holds CAP_SYS_NICE (bit 23 of CapEff in /proc/self/status). */
  private static boolean hasCapSysNice() throws IOException {
    String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("0");
    return (Long.parseUnsignedLong(capEff, 16) & (1L << 23)) != 0;
  }

  /** The value after the colon of a line of /proc/self/task/TID/FILE that starts with {@code name}; "?" if none. */
  private static String field(int tid, String file, String name) {
    try {
      return Files.readAllLines(Path.of("/proc/self/task/" + tid + "/" + file)).stream()
          .filter(l -> l.startsWith(name)).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }
}
