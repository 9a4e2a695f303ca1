package dev.ami.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux scheduling for the runtime's own threads. The agent thread asks for SCHED_FIFO so a busy trainer
 * cannot delay its ticks; when that is not permitted (no root, no CAP_SYS_NICE, not Linux) it carries on
 * with normal scheduling and says so once.
 */
public final class ThreadTuning {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadTuning.class);

  private ThreadTuning() {
  }

  /** Linux thread id of the calling thread, or -1 where /proc is not there. */
  public static long currentTid() {
    try {
      Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
      return Long.parseLong(self.getFileName().toString());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Tunes the calling thread for the agent's loop. */
  public static void forAgent(boolean realtime) {
    if (realtime && !trySetFifo(currentTid(), 10)) {
      LOG.info("agent thread runs with normal scheduling (SCHED_FIFO not permitted here)");
    }
  }

  /** Asks for SCHED_FIFO at the given priority through chrt; true on success. */
  public static boolean trySetFifo(long tid, int priority) {
    if (tid <= 0) {
      return false;
    }
    return run("chrt", "-f", "-p", String.valueOf(priority), String.valueOf(tid));
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
