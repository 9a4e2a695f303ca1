package dev.ami.control;

import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The skeleton the agent's and the trainer's loops share: a thread of their own, a queue of control commands
 * carried out between ticks or steps, a ready future, a finished future, and one way to fail. A crash ends
 * in state {@code failed} with a {@code NAME-crash} event; every command queued by then is still answered.
 *
 * @param <S> what the loop reports about itself
 */
public abstract class CommandLoop<S extends LoopStatus> implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandLoop.class);

  /** A command for the loop; {@code done} completes once the loop carried it out (or refused it). */
  protected record Command<S>(String name, int n, CompletableFuture<S> done, Task<?> task) {
    Command(String name, int n, CompletableFuture<S> done) {
      this(name, n, done, null);
    }
  }

  /** Work to run on the loop's thread between two ticks or steps, with its result. */
  private record Task<T>(Supplier<T> body, CompletableFuture<T> result) {
    void run() {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }

    void refuse(String why) {
      result.completeExceptionally(new IllegalStateException(why));
    }
  }

  private final String name;
  private final Consumer<Event> events;
  private final LinkedBlockingQueue<Command<S>> commands = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  protected volatile RunState state = RunState.STARTING;
  private volatile Throwable failure;

  /** @param name "agent" or "trainer": names the crash event and the log lines */
  protected CommandLoop(String name, Consumer<Event> events) {
    this.name = name;
    this.events = events;
  }

  /** Completes once the loop's thread has built what it runs, or fails with why it could not. */
  public final CompletableFuture<Void> ready() {
    return ready;
  }

  /** Completes when the loop has ended and released everything it built. */
  public final CompletableFuture<Void> finished() {
    return finished;
  }

  /** Why the loop failed, or null. */
  public final Throwable failure() {
    return failure;
  }

  /** The loop's state and counters, from volatile fields: safe from any thread, never waits. */
  public abstract S status();

  /** Queues a command; completes once the loop carried it out, at once when the loop has ended. */
  public final CompletableFuture<S> command(String command, int n) {
    CompletableFuture<S> done = new CompletableFuture<>();
    if (command == null) {
      done.completeExceptionally(new IllegalArgumentException("a command needs a name"));
    } else if (finished.isDone()) {
      done.complete(status());
    } else {
      commands.add(new Command<>(command, n, done));
      if (finished.isDone()) { // ended while queuing: the drain may have missed it
        drain();
      }
    }
    return done;
  }

  /**
   * Runs {@code body} on the loop's thread between two ticks or steps (also while paused), where the loop's
   * own objects may be read; completes with its result. Fails when the loop has ended or ends first.
   */
  public final <T> CompletableFuture<T> onLoop(Supplier<T> body) {
    Task<T> task = new Task<>(body, new CompletableFuture<>());
    if (finished.isDone()) {
      task.refuse(name + " has ended");
    } else {
      commands.add(new Command<>("task", 0, new CompletableFuture<>(), task));
      if (finished.isDone()) {
        drain();
      }
    }
    return task.result();
  }

  @Override
  public final void run() {
    try {
      start();
      state = stateAfterStart();
      ready.complete(null);
      loop();
    } catch (Throwable t) {
      failure = t;
      state = RunState.FAILED;
      ready.completeExceptionally(t); // first: whoever waits for the start must hear of it whatever happens next
      LOG.error("{} loop crashed", name, t);
      try {
        events.accept(Event.error(name + "-crash", name + " crashed: " + t));
      } catch (Throwable e) {
        LOG.warn("{} crash event not sent: {}", name, e.toString());
      }
    } finally {
      try {
        finish();
      } catch (Throwable e) {
        LOG.warn("{} did not release everything: {}", name, e.toString());
      } finally {
        if (state != RunState.FAILED) {
          state = RunState.STOPPED;
        }
        finished.complete(null);
        drain();
      }
    }
  }

  /** On the loop's thread, before the first tick or step: builds models and whatever else it runs. */
  protected abstract void start() throws Exception;

  /** The state once {@link #start()} built everything: running, or standby for a loop that waits to take over. */
  protected RunState stateAfterStart() {
    return RunState.RUNNING;
  }

  /** Ticks or steps until a command ends the loop. */
  protected abstract void loop() throws InterruptedException;

  /** On the loop's thread, after the loop ended or failed: releases what {@link #start()} built. */
  protected abstract void finish();

  /** Carries out one command other than {@code stop}; returns false when the loop must end. */
  protected abstract boolean handle(Command<S> c);

  /** Applies every queued command; returns false when the loop must end. */
  protected final boolean applyCommands() {
    Command<S> c;
    while ((c = commands.poll()) != null) {
      if (!dispatch(c)) {
        return false;
      }
    }
    return true;
  }

  /** Waits up to {@code timeoutMillis} for one command and applies it; false when the loop must end. */
  protected final boolean awaitCommand(long timeoutMillis) throws InterruptedException {
    Command<S> c = commands.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    return c == null || dispatch(c);
  }

  protected final boolean hasCommands() {
    return !commands.isEmpty();
  }

  private boolean dispatch(Command<S> c) {
    if (c.task() != null) {
      c.task().run();
      c.done().complete(status());
      return true;
    }
    if ("stop".equals(c.name())) {
      state = RunState.STOPPING;
      onStop();
      commands.add(c); // answered once everything is released
      return false;
    }
    return handle(c);
  }

  /** Called on the loop's thread when a stop arrives, before {@link #finish()}. */
  protected void onStop() {
  }

  private void drain() {
    Command<S> c;
    while ((c = commands.poll()) != null) {
      if (c.task() != null) {
        c.task().refuse(name + " ended before it could run this");
      }
      c.done().complete(status());
    }
  }
}
