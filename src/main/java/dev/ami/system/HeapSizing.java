package dev.ami.system;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * Whether this JVM's heap is sized as a trainer node's should be: at least 1 GiB (or its maximum) from the start,
 * every page touched then. A heap grown on demand while the trainer's buffers fill faults in fresh pages for
 * seconds after each growth, and the snapshots served meanwhile are late (docs/clustering.md).
 */
public final class HeapSizing {
  static final long TRAINER_HEAP = 1L << 30;

  /** Touches every page of the heap at start. */
  public static final String PRE_TOUCH = "-XX:+AlwaysPreTouch";

  private HeapSizing() {
  }

  /** The trainer node's initial heap flag under a maximum of {@code maxBytes}: 1 GiB, never above the maximum. */
  public static String initialHeap(long maxBytes) {
    return maxBytes < TRAINER_HEAP ? "-Xms" + maxBytes : "-Xms1g";
  }

  /** A hint naming the flags, when this JVM's heap is not fixed and touched; empty where it is or unknown. */
  public static Optional<String> trainerAdvice() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      boolean touched = Boolean.parseBoolean(vm.getVMOption("AlwaysPreTouch").getValue());
      long initial = Long.parseLong(vm.getVMOption("InitialHeapSize").getValue());
      long max = Long.parseLong(vm.getVMOption("MaxHeapSize").getValue());
      if (touched && initial >= Math.min(TRAINER_HEAP, max)) {
        return Optional.empty();
      }
      return Optional.of("this trainer node's heap starts at " + (initial >> 20) + " MiB"
          + (touched ? "" : " and is not pre-touched") + "; growing it later stalls the snapshots it serves for"
          + " seconds: run it with " + initialHeap(max) + " " + PRE_TOUCH + " (docs/clustering.md)");
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty(); // not HotSpot, or no jdk.management
    }
  }
}
