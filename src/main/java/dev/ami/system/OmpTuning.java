package dev.ami.system;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * OpenMP's wait policy for libtorch's intra-op threads, set from Java before libtorch loads.
 *
 * <p>Why: libgomp (bundled with DJL's libtorch) spin-waits at every parallel-region barrier by default.
 * On a shared 2-vCPU machine the partner thread is often descheduled, and the spinning one burns its
 * whole time slice: measured at 2 intra-op threads, 2.5 s per training step of the reference autoencoder
 * instead of 0.16 s, and 36 ms instead of 1.2 ms for a batch-1 encoder forward (docs/performance.md).
 * {@code OMP_WAIT_POLICY=PASSIVE} makes idle workers sleep on a futex instead.
 *
 * <p>libgomp reads the variable once, when it is loaded, i.e. with libtorch on the first DJL engine
 * call; {@link System#setProperty} cannot reach it, so this calls libc's {@code setenv} through JNA (a DJL
 * dependency). Setting {@code OMP_WAIT_POLICY} in the launcher's environment does the same and wins,
 * because this never overwrites a value that is already there.
 */
public final class OmpTuning {
  interface LibC extends Library {
    int setenv(String name, String value, int overwrite);
  }

  private OmpTuning() {
  }

  /**
   * Sets {@code OMP_WAIT_POLICY=PASSIVE} unless the environment already has a value. Call before the
   * first DJL call and while the process has few threads (setenv is not safe against concurrent getenv).
   * Returns the policy libgomp will see, or "" when it could not be set (not glibc).
   */
  public static String passiveWait() {
    try {
      LibC c = Native.load("c", LibC.class);
      c.setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
      String now = System.getenv("OMP_WAIT_POLICY"); // Java's copy: only shows a launcher-set value
      return now != null ? now : "PASSIVE";
    } catch (Throwable t) {
      return "";
    }
  }
}
