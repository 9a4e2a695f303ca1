package dev.ami.telemetry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process (native and heap together), from /proc on Linux. */
public final class ProcessMemory {
  private ProcessMemory() {
  }

  /** VmRSS in MiB, or NaN where /proc/self/status is not available. */
  public static double rssMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux
    }
    return Double.NaN;
  }
}
