package dev.ami.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CommandLoopTest {
  private record Status(RunState state) implements LoopStatus {
    @Override
    public JsonObject toJson() {
      return new JsonObject().put("state", state.wireName());
    }
  }

  /** A loop whose start, loop and finish can be made to throw. */
  private static final class Probe extends CommandLoop<Status> {
    final boolean failStart;
    final boolean failFinish;

    Probe(List<Event> events, boolean failStart, boolean failFinish) {
      super("probe", events::add);
      this.failStart = failStart;
      this.failFinish = failFinish;
    }

    @Override
    public Status status() {
      return new Status(state);
    }

    @Override
    protected void start() {
      if (failStart) {
        throw new IllegalStateException("no model");
      }
    }

    @Override
    protected void loop() throws InterruptedException {
      while (applyCommands()) {
        if (!awaitCommand(5)) {
          return;
        }
      }
    }

    @Override
    protected void finish() {
      if (failFinish) {
        throw new AssertionError("native close failed");
      }
    }

    @Override
    protected boolean handle(Command<Status> c) {
      c.done().complete(status());
      return true;
    }
  }

  @Test
  @DisplayName("a start that throws fails ready, ends failed with a crash event, and later commands still answer")
  void failedStart() throws Exception {
    List<Event> events = new CopyOnWriteArrayList<>();
    Probe p = new Probe(events, true, false);
    new Thread(p).start();
    assertThat(p.ready()).failsWithin(10, TimeUnit.SECONDS);
    p.finished().get(10, TimeUnit.SECONDS);
    assertThat(p.status().state()).isEqualTo(RunState.FAILED);
    assertThat(events).extracting(Event::kind).containsExactly("probe-crash");
    assertThat(p.command("pause", 0).get(10, TimeUnit.SECONDS).state()).isEqualTo(RunState.FAILED);
  }

  @Test
  @DisplayName("even an Error while releasing ends the loop: finished completes and the stop is answered")
  void errorInFinish() throws Exception {
    Probe p = new Probe(new CopyOnWriteArrayList<>(), false, true);
    new Thread(p).start();
    p.ready().get(10, TimeUnit.SECONDS);
    assertThat(p.command("stop", 0).get(10, TimeUnit.SECONDS).state()).isEqualTo(RunState.STOPPED);
    assertThat(p.finished()).isDone();
  }

  @Test
  @DisplayName("commands queued while the loop ends are all answered, none waits for a time-out")
  void commandsAtTheEndAreAnswered() throws Exception {
    for (int round = 0; round < 40; round++) {
      Probe p = new Probe(new CopyOnWriteArrayList<>(), false, false);
      new Thread(p).start();
      p.ready().get(10, TimeUnit.SECONDS);
      java.util.Queue<java.util.concurrent.CompletableFuture<Status>> queued =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      List<Thread> senders = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) { // more senders than cores: some are preempted inside command() at the end
        Thread sender = new Thread(() -> {
          for (int i = 0; i < 3000; i++) {
            queued.add(p.command("status-ish", 0));
          }
        });
        sender.start();
        senders.add(sender);
      }
      p.command("stop", 0);
      for (Thread sender : senders) {
        sender.join();
      }
      p.finished().get(10, TimeUnit.SECONDS);
      for (var a : queued) {
        assertThat(a.get(5, TimeUnit.SECONDS)).as("round %d", round).isNotNull();
      }
    }
  }

  @Test
  @DisplayName("work handed to the loop runs on the loop's own thread; after the loop ended it is refused, not lost")
  void workOnTheLoop() throws Exception {
    Probe p = new Probe(new CopyOnWriteArrayList<>(), false, false);
    Thread loopThread = new Thread(p, "probe-loop");
    loopThread.start();
    p.ready().get(10, TimeUnit.SECONDS);
    assertThat(p.onLoop(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS)).isEqualTo("probe-loop");
    assertThat(p.onLoop(() -> {
      throw new IllegalStateException("no state");
    })).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("no state");
    p.command("stop", 0).get(10, TimeUnit.SECONDS);
    assertThat(p.onLoop(() -> "late")).failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class).withMessageContaining("has ended");
  }
}
