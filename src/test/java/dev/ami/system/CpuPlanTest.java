package dev.ami.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CPU plan as the runtime uses it: made on threads that are already pinned to the agent's CPU. Only threads
 * the test starts are pinned; the test JVM's own threads keep their affinity.
 */
class CpuPlanTest {

  @Test
  @DisplayName("a thread on CPU 0 still plans the trainer onto the other CPUs; the trainer lands there at SCHED_IDLE")
  void planFromAPinnedThread() throws Exception {
    Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs or more");
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/status")), "needs Linux /proc");
    CpuPlan before = CpuPlan.of(true);
    assertThat(before.isolate()).isTrue();
    assertThat(before.agentCpus()).isEqualTo("0");

    AtomicReference<CpuPlan> planned = new AtomicReference<>();
    AtomicReference<String> trainerCpus = new AtomicReference<>();
    AtomicReference<String> agentSideCpus = new AtomicReference<>();
    AtomicReference<String> trainerPolicy = new AtomicReference<>();
    Thread agentSide = new Thread(() -> {
      assertThat(ThreadTuning.pinCurrent("0")).as("sched_setaffinity pins a thread").isTrue();
      agentSideCpus.set(allowedCpus());
      planned.set(CpuPlan.of(true)); // as the trainer verticle does, on a thread pinned to CPU 0
      Thread trainer = new Thread(() -> { // inherits CPU 0, as the runtime's trainer thread does
        planned.get().enterTrainerThread(true);
        trainerCpus.set(allowedCpus());
        trainerPolicy.set(policy());
      });
      trainer.start();
      join(trainer);
    });
    agentSide.start();
    agentSide.join();

    assertThat(agentSideCpus.get()).isEqualTo("0");
    assertThat(planned.get()).isEqualTo(before);
    assertThat(trainerCpus.get()).isEqualTo(before.trainerCpus());
    assertThat(trainerPolicy.get()).as("the kernel's policy of the trainer thread").isEqualTo(SCHED_IDLE);
  }

  @Test
  @DisplayName("the trainer runs at SCHED_IDLE only when asked; threads it starts inherit the policy")
  void idleTrainerOnlyWhenAsked() throws Exception {
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/sched")), "needs Linux /proc");
    AtomicReference<String> normal = new AtomicReference<>();
    AtomicReference<String> idle = new AtomicReference<>();
    AtomicReference<String> child = new AtomicReference<>();
    Thread plain = new Thread(() -> {
      CpuPlan.of(false).enterTrainerThread(false);
      normal.set(policy());
    });
    plain.start();
    plain.join();
    Thread trainer = new Thread(() -> {
      CpuPlan.of(false).enterTrainerThread(true);
      idle.set(policy());
      Thread started = new Thread(() -> child.set(policy())); // as libtorch's pool threads are
      started.start();
      join(started);
    });
    trainer.start();
    trainer.join();
    assertThat(normal.get()).isEqualTo(SCHED_NORMAL);
    assertThat(idle.get()).isEqualTo(SCHED_IDLE);
    assertThat(child.get()).isEqualTo(SCHED_IDLE);
  }

  @Test
  @DisplayName("Vert.x threads first started by the trainer thread run on the side CPUs, at normal priority")
  void vertxThreadsLeaveTheTrainersCpu() throws Exception {
    Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs or more");
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/status")), "needs Linux /proc");
    String before = CpuPlan.sideCpus("0");
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<String> worker = new CompletableFuture<>();
      CompletableFuture<String> loop = new CompletableFuture<>();
      Thread trainerSide = new Thread(() -> {
        ThreadTuning.pinSelf("1");
        assertThat(ThreadTuning.trySetIdleCurrent()).isTrue();
        // this Vert.x has no thread yet: both are started from here, and would inherit CPU 1 and SCHED_IDLE
        vertx.executeBlocking(() -> allowedCpus() + " " + policy()).onComplete(r -> worker.complete(r.result()));
        vertx.getOrCreateContext().runOnContext(v -> loop.complete(allowedCpus() + " " + policy()));
      });
      trainerSide.start();
      trainerSide.join();
      assertThat(worker.get(10, TimeUnit.SECONDS)).as("a worker thread: CPUs, policy").isEqualTo("0 " + SCHED_NORMAL);
      assertThat(loop.get(10, TimeUnit.SECONDS)).as("an event loop: CPUs, policy").isEqualTo("0 " + SCHED_NORMAL);
    } finally {
      CpuPlan.sideCpus(before);
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("CPU lists and masks convert both ways, as the kernel writes them")
  void cpuLists() {
    assertThat(ThreadTuning.cpuMask("0")[0]).isEqualTo((byte) 0b1);
    assertThat(ThreadTuning.cpuMask("1-3")[0]).isEqualTo((byte) 0b1110);
    assertThat(ThreadTuning.cpuMask("0,2-3")[0]).isEqualTo((byte) 0b1101);
    assertThat(ThreadTuning.cpuMask("9")[1]).isEqualTo((byte) 0b10);
    assertThat(ThreadTuning.cpuList(ThreadTuning.cpuMask("0,2-3,8-15,63"))).isEqualTo("0,2-3,8-15,63");
    assertThat(ThreadTuning.cpuList(new byte[128])).isEmpty();
    assertThatThrownBy(() -> ThreadTuning.cpuMask("3-1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ThreadTuning.cpuMask("1024"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("isolation off plans nothing")
  void off() {
    assertThat(CpuPlan.of(false).isolate()).isFalse();
  }

  private static final String SCHED_NORMAL = "0";
  @Test
  @DisplayName("the fence leaves the JVM's pause workers (G1's GC threads, the VM thread) off; it pins by thread name")
  void fenceSkipsPauseWorkers() throws Exception {
    Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two CPUs or more");
    Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/task")), "needs Linux /proc");
    java.util.List<String> names = ThreadTuning.threadIds().stream().map(ThreadTuning::threadName).toList();
    assertThat(names).as("this JVM's threads by kernel name").contains("VM Thread")
        .anyMatch(n -> n.startsWith("GC Thread"));
    assertThat(names.stream().filter(CpuPlan::pauseWorker)).as("what the fence leaves on every CPU")
        .allMatch(n -> n.equals("VM Thread") || n.startsWith("GC Thread#"));
    assertThat(CpuPlan.pauseWorker("ami-agent")).isFalse();
    assertThat(CpuPlan.pauseWorker("G1 Conc#0")).as("concurrent GC threads stay fenced").isFalse();

    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicReference<String> probeCpus = new AtomicReference<>();
    CompletableFuture<Integer> started = new CompletableFuture<>();
    Thread probe = new Thread(() -> {
      started.complete(ThreadTuning.currentTid());
      done.join();
      probeCpus.set(allowedCpus());
    }, "ami-pin-probe");
    probe.start();
    int tid = started.get(10, TimeUnit.SECONDS);
    assertThat(ThreadTuning.threadName(tid)).isEqualTo("ami-pin-probe");
    // skip every thread but the probe, so that the test JVM's own threads keep their affinity
    int pinned = ThreadTuning.pinAll("1", name -> !name.equals("ami-pin-probe"));
    done.complete(null);
    probe.join();
    assertThat(pinned).isEqualTo(1);
    assertThat(probeCpus.get()).isEqualTo("1");
  }

  private static final String SCHED_IDLE = "5";

  /** The calling thread's scheduling policy as the kernel reports it (0 normal, 5 idle). */
  private static String policy() {
    return field("/proc/thread-self/sched", "policy");
  }

  /** The calling thread's allowed CPUs, as the kernel lists them ("0", "1", "1-3"). */
  private static String allowedCpus() {
    return field("/proc/thread-self/status", "Cpus_allowed_list:");
  }

  /** The value after the colon of the first line of {@code file} that starts with {@code name}; "?" if none. */
  private static String field(String file, String name) {
    try {
      return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(name))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
