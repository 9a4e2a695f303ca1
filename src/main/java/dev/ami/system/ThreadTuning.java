package dev.ami.system;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux scheduling for the runtime's own threads, from plain Java: the C library's system call wrappers through
 * JNA (a DJL dependency), one call each, so that a thread sets its own scheduling as it starts without spawning
 * taskset or chrt (a fork and an exec, on the thread that was about to tick).
 *
 * <p>Why: measured on a 2-vCPU machine, a ticking thread at normal priority is woken on time but then
 * waits in the run queue behind the trainer, often on the trainer's own core while the other is idle:
 * p99 lateness of 10–200 ms. Giving the trainer its own CPU, keeping everything else off it, and running
 * the agent thread at SCHED_FIFO removes that wait. Every method degrades to "no change" and returns
 * false where it is not permitted (no root or CAP_SYS_NICE, not Linux).
 */
public final class ThreadTuning {
  private ThreadTuning() {
  }

  /** Linux thread id of the calling thread (from the /proc/thread-self link), or -1. */
  public static int currentTid() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
      return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Minor page faults the calling thread has taken so far (/proc/thread-self/stat, field 10), or -1 where that
   * cannot be read: a stage's count tells whether it stalled on first-touch faults.
   */
  public static long minorFaultsCurrent() {
    try {
      String stat = Files.readString(Path.of("/proc/thread-self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
      return Long.parseLong(fields[7]); // field 10 counted from the pid; these start at field 3
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** All thread ids of this process. */
  public static List<Integer> threadIds() {
    List<Integer> out = new ArrayList<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(p -> {
        try {
          out.add(Integer.parseInt(p.getFileName().toString()));
        } catch (NumberFormatException ignored) {
          // not a thread directory
        }
      });
    } catch (IOException e) {
      // not Linux
    }
    return out;
  }

  /**
   * Pins a thread of this process to a CPU list such as "0" or "1-3" (what {@code taskset -pc} did); threads it
   * creates later inherit the mask. False for a list that is not one, or where the kernel refuses.
   */
  public static boolean pin(int tid, String cpus) {
    return tid > 0 && setAffinity(tid, cpus);
  }

  public static boolean pinCurrent(String cpus) {
    return setAffinity(0, cpus); // 0: the calling thread
  }

  /** Pins the calling thread: for threads that pin themselves as they start. The same as {@link #pinCurrent}. */
  public static boolean pinSelf(String cpus) {
    return pinCurrent(cpus);
  }

  private static boolean setAffinity(int tid, String cpus) {
    LibC c = libc();
    if (c == null) {
      return false;
    }
    byte[] mask;
    try {
      mask = cpuMask(cpus);
    } catch (IllegalArgumentException e) {
      return false; // as taskset refused it
    }
    return c.sched_setaffinity(tid, MASK_BYTES, mask) == 0;
  }

  /** The CPUs the calling thread may run on, as a list such as "0-3"; null where that cannot be read. */
  public static String currentCpus() {
    LibC c = libc();
    byte[] mask = new byte[MASK_BYTES];
    return c != null && c.sched_getaffinity(0, MASK_BYTES, mask) == 0 ? cpuList(mask) : null;
  }

  /** A CPU list as the kernel writes them ("0", "1-3", "0,2-3") as a cpu_set_t mask. */
  static byte[] cpuMask(String cpus) {
    byte[] mask = new byte[MASK_BYTES];
    for (String part : cpus.split(",")) {
      String[] range = part.trim().split("-");
      int from = Integer.parseInt(range[0].trim());
      int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
      if (from < 0 || to < from || to >= MASK_BYTES * 8) {
        throw new IllegalArgumentException("not a CPU list: " + cpus);
      }
      for (int cpu = from; cpu <= to; cpu++) {
        mask[cpu / 8] |= (byte) (1 << (cpu % 8));
      }
    }
    return mask;
  }

  /** A cpu_set_t mask as a CPU list ("0-1,3"), the inverse of {@link #cpuMask}. */
  static String cpuList(byte[] mask) {
    StringBuilder out = new StringBuilder();
    int cpus = mask.length * 8;
    for (int cpu = 0; cpu < cpus; cpu++) {
      if ((mask[cpu / 8] & (1 << (cpu % 8))) == 0) {
        continue;
      }
      int last = cpu;
      while (last + 1 < cpus && (mask[(last + 1) / 8] & (1 << ((last + 1) % 8))) != 0) {
        last++;
      }
      out.append(out.length() == 0 ? "" : ",").append(cpu).append(last > cpu ? "-" + last : "");
      cpu = last;
    }
    return out.toString();
  }

  /**
   * Pins every existing thread of the process (JIT, GC, Vert.x, ...) to {@code cpus} but those whose kernel name
   * {@code skip} accepts; returns how many.
   */
  public static int pinAll(String cpus, java.util.function.Predicate<String> skip) {
    int n = 0;
    for (int tid : threadIds()) {
      if (!skip.test(threadName(tid)) && pin(tid, cpus)) {
        n++;
      }
    }
    return n;
  }

  /** A thread's kernel name (/proc/self/task/TID/comm: at most 15 characters), or "" where it cannot be read. */
  public static String threadName(int tid) {
    try {
      return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /**
   * Puts the calling thread into SCHED_FIFO with reset-on-fork, so threads it happens to create later
   * (Vert.x workers grown on a send, libtorch pools) start at normal priority instead of inheriting it.
   * Only for a thread that sleeps most of the time: the kernel's RT throttling is the only safety net.
   */
  public static boolean trySetRealtimeCurrent(int priority) {
    return setPolicyCurrent(SCHED_FIFO | SCHED_RESET_ON_FORK, priority); // chrt -f -R -p PRIORITY
  }

  static final int SCHED_OTHER = 0;
  static final int SCHED_FIFO = 1;
  static final int SCHED_IDLE = 5;
  /** Or'ed into a policy: threads the caller starts later begin at SCHED_OTHER (chrt's -R). */
  static final int SCHED_RESET_ON_FORK = 0x40000000;

  /**
   * Puts the calling thread into SCHED_IDLE: it runs only when nothing else wants its CPU, and the kernel
   * counts that CPU as idle when it places a waking thread. For the trainer, so that a burst of other work
   * (the snapshot server, a co-located node, the game) takes the CPU at once instead of queueing behind it.
   * Threads it starts later inherit the policy. Lowering one's own policy needs no privilege.
   */
  public static boolean trySetIdleCurrent() {
    return setPolicyCurrent(SCHED_IDLE, 0); // chrt -i -p 0
  }

  /** Puts the calling thread back to normal scheduling (SCHED_OTHER, nice unchanged). */
  public static boolean trySetNormalCurrent() {
    return setPolicyCurrent(SCHED_OTHER, 0); // chrt -o -p 0
  }

  /** Sets the calling thread's policy (with its flags) and static priority (struct sched_param) in one call. */
  private static boolean setPolicyCurrent(int policy, int priority) {
    LibC c = libc();
    return c != null && c.sched_setscheduler(0, policy, new int[] {priority}) == 0;
  }

  /** Whether the calling thread runs at SCHED_IDLE (false where that cannot be read). */
  public static boolean isIdleCurrent() {
    return (policyCurrent() & ~SCHED_RESET_ON_FORK) == SCHED_IDLE;
  }

  /** The calling thread's policy as sched_getscheduler returns it (with SCHED_RESET_ON_FORK when set), or -1. */
  static int policyCurrent() {
    LibC c = libc();
    return c == null ? -1 : c.sched_getscheduler(0);
  }

  /** The C library's scheduling and malloc calls through JNA (a DJL dependency). */
  interface LibC extends Library {
    int mallopt(int param, int value);

    int malloc_trim(long pad);

    int sched_setaffinity(int pid, long cpusetsize, byte[] mask);

    int sched_getaffinity(int pid, long cpusetsize, byte[] mask);

    int sched_setscheduler(int pid, int policy, int[] param);

    int sched_getscheduler(int pid);
  }

  /** Bytes of a CPU mask as glibc's cpu_set_t holds it: 1024 CPUs. */
  private static final int MASK_BYTES = 128;

  private static volatile LibC libc;
  private static volatile boolean libcMissing;

  /**
   * The C library, loaded once; null off Linux (these calls and their numbers are Linux's) or where it cannot be
   * loaded, and every method then changes nothing.
   */
  private static LibC libc() {
    LibC c = libc;
    if (c != null || libcMissing) {
      return c;
    }
    try {
      c = Platform.isLinux() ? Native.load("c", LibC.class) : null;
    } catch (LinkageError e) { // no JNA native part for this platform, no C library
      c = null;
    }
    libcMissing = c == null;
    libc = c;
    return c;
  }

  /**
   * Gives the pages of free malloc chunks in every arena back to the kernel, keeping {@code pad} bytes at the
   * top of the main heap. With trimming off (see {@link #tuneGlibcMalloc}) an arena otherwise keeps every page
   * it ever touched, and fragmentation ratchets the process's RSS up in steps over hours. False where glibc is
   * not there.
   */
  public static boolean mallocTrim(long pad) {
    LibC c = libc();
    if (c == null) {
      return false;
    }
    try {
      c.malloc_trim(pad);
      return true;
    } catch (UnsatisfiedLinkError e) { // a C library without it (musl)
      return false;
    }
  }

  /**
   * Keeps glibc from serving tensor-sized blocks with mmap/munmap and from trimming the heap, so each
   * training step reuses already-faulted pages instead of faulting ~50–100 MB/s of fresh memory (costly
   * kernel work that also stalls other threads of the process), and caps the number of malloc arenas.
   * Same as MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 MALLOC_TOP_PAD_=67108864
   * MALLOC_ARENA_MAX=2. Call before the first tensor exists.
   */
  public static boolean tuneGlibcMalloc() {
    LibC c = libc();
    if (c == null) {
      return false;
    }
    try {
      boolean ok = c.mallopt(-3 /* M_MMAP_THRESHOLD */, 32 << 20) == 1;
      // without trimming, every thread arena keeps its peak; a JVM with dozens of threads that touch
      // tensors (Vert.x workers copying parameters) then grows in steps of ~128 MB per arena
      ok &= c.mallopt(-8 /* M_ARENA_MAX */, 2) == 1;
      ok &= c.mallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30) == 1;
      ok &= c.mallopt(-2 /* M_TOP_PAD */, 64 << 20) == 1;
      return ok;
    } catch (UnsatisfiedLinkError e) { // a C library without it (musl)
      return false;
    }
  }
}
