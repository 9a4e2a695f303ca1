package dev.ami.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which CPUs the agent side and the trainer get. With two or more CPUs the trainer gets CPUs 1..n-1 and
 * everything else (agent, event loops, JIT, GC, capture) shares CPU 0, where the agent preempts the rest
 * at real-time priority; on a node without an agent only the trainer is pinned. With one CPU, or when
 * isolation is off, nothing is pinned.
 */
public record CpuPlan(boolean isolate, String agentCpus, String trainerCpus) {
  private static final Logger LOG = LoggerFactory.getLogger(CpuPlan.class);
  private static volatile boolean processTuned;
  private static volatile boolean idleRefusalLogged;
  /**
   * The CPUs this process may use, counted once before anything is pinned: the JVM answers
   * {@code availableProcessors()} from the calling thread's affinity, so a thread already on CPU 0 would see one
   * CPU and plan no isolation (the trainer then shared CPU 0 with everything while CPU 1 idled).
   */
  private static final int CPUS = Runtime.getRuntime().availableProcessors();
  /** The CPUs this process was started on (null where unknown), read at the same moment as {@link #CPUS}. */
  private static final String PROCESS_CPUS = ThreadTuning.currentCpus();
  /**
   * Where every Vert.x thread started from now on goes ({@link VertxThreads}); null: wherever it is started. A
   * new thread inherits the mask of the thread that starts it, and Vert.x starts its event loops and workers
   * lazily, on whatever thread first hands them work: the trainer's (they then shared the trainer's CPU:
   * measured in bench --cluster, one event loop and four workers of the trainer JVM on CPU 1) or the agent's.
   */
  private static volatile String sideCpus;

  public static CpuPlan of(boolean isolate) {
    int n = CPUS;
    if (!isolate || n < 2) {
      return new CpuPlan(false, "", "");
    }
    return new CpuPlan(true, "0", n == 2 ? "1" : "1-" + (n - 1));
  }

  /**
   * Once per process, before the first tensor: malloc tuning, and with {@code fenceSide} every existing thread
   * onto the agent CPUs. Without it (a node with no agent) the other threads keep every CPU: the trainer's
   * CPUs too, where they preempt a SCHED_IDLE trainer; fenced onto CPU 0, a trainer node's snapshot server
   * queued there behind its own compiler threads and a co-located node.
   */
  public void tuneProcess(boolean mallocTuning, boolean fenceSide) {
    if (processTuned) {
      return;
    }
    processTuned = true;
    boolean fence = isolate && fenceSide;
    // the agent side when fenced; else the whole process, so threads the pinned agent thread starts roam
    sideCpus = fence ? agentCpus : PROCESS_CPUS;
    if (mallocTuning && !ThreadTuning.tuneGlibcMalloc()) {
      LOG.info("glibc malloc tuning not available here");
    }
    if (isolate && !fence) {
      LOG.info("CPU plan: trainer on CPU {}, other threads on any CPU", trainerCpus);
    } else if (isolate) {
      int pinned = ThreadTuning.pinAll(agentCpus, CpuPlan::pauseWorker);
      LOG.info("CPU plan: agent side on CPU {} ({} threads pinned; the JVM's pause workers on every CPU), trainer "
          + "on CPU {}", agentCpus, pinned, trainerCpus);
    }
  }

  /**
   * The JVM's stop-the-world threads (G1's parallel workers, the VM thread), which stay on every CPU. Fenced onto
   * the agent's CPU they had one CPU between them during a pause, while the trainer's CPU went on computing (a
   * thread inside native code runs through a safepoint): a young pause took 6–13 ms for under 1 MB of survivors,
   * one worker waiting for the other (docs/decisions/0013). On every CPU they take the trainer's at once: it is
   * SCHED_IDLE. Threads these create inherit their mask.
   */
  static boolean pauseWorker(String threadName) {
    return threadName.startsWith("GC Thread") || threadName.equals("VM Thread");
  }

  /**
   * Called by every Vert.x thread as it starts: onto the side CPUs and at normal priority, whichever thread
   * started it. A thread inherits its creator's policy too: a worker started from the SCHED_IDLE trainer was
   * itself SCHED_IDLE on CPU 0 (seen in /proc), starved there by everything else.
   */
  static void enterSideThread() {
    String cpus = sideCpus;
    if (cpus != null) {
      ThreadTuning.pinSelf(cpus);
    }
    if (ThreadTuning.isIdleCurrent()) {
      ThreadTuning.trySetNormalCurrent();
    }
  }

  /** Sets where Vert.x threads started from now on go (null: nowhere in particular); returns the former. */
  static String sideCpus(String cpus) {
    String before = sideCpus;
    sideCpus = cpus;
    return before;
  }

  /** Pins the calling thread to the agent's CPU (before its models are built: libtorch's threads inherit it). */
  public void pinAgentThread() {
    if (isolate) {
      ThreadTuning.pinCurrent(agentCpus);
    }
  }

  /**
   * Raises the calling agent thread to SCHED_FIFO when asked. A redeployed agent calls this only when it takes
   * over: built at real-time priority, its models would starve the agent that still ticks on the same CPU.
   */
  public void agentPriority(boolean realtime) {
    if (realtime && !ThreadTuning.trySetRealtimeCurrent(10)) {
      LOG.info("agent thread runs with normal scheduling (SCHED_FIFO not permitted here)");
    }
  }

  /**
   * Called on the trainer thread before its first DJL call, so libtorch's threads inherit the mask and the
   * policy. With {@code idle} the trainer runs at SCHED_IDLE: measured in bench --cluster, where the trainer
   * kept CPU 1 busy at normal priority, waking threads piled onto CPU 0 and the snapshot path's bursts
   * waited there (publish → use p99 173–291 ms); at SCHED_IDLE they take CPU 1 at once (147–157 ms in most
   * runs) at about the same steps/s (docs/decisions/0002).
   */
  public void enterTrainerThread(boolean idle) {
    if (isolate) {
      ThreadTuning.pinCurrent(trainerCpus);
    }
    if (idle && !ThreadTuning.trySetIdleCurrent() && !idleRefusalLogged) {
      idleRefusalLogged = true;
      LOG.info("trainer thread runs with normal scheduling (SCHED_IDLE not available here)");
    }
  }
}
