package dev.ami.training;

import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainRecord;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's loop on its own thread: sample, step, and every {@code publishEvery} steps publish a
 * snapshot. It only ever reads the replay buffer and writes the params map, so the agent never waits for it.
 */
public final class TrainerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerLoop.class);

  /** Where the loop's output goes; the verticle wires these to the event bus. */
  public interface Sink {
    void published(ParamsPublished p);

    void step(TrainRecord r);

    void event(Event e);
  }

  /** How the loop trains. */
  public record Settings(int minReplay, int minNewSamples, int publishEvery, int maxBadLosses) {
  }

  private record Command(String name, CompletableFuture<TrainerStatus> done) {
  }

  private final Supplier<AeTrainer> trainerFactory;
  private final ReplayBuffer replay;
  private final Supplier<ParamPublisher> publisherFactory;
  private final Settings settings;
  private final Sink sink;
  private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private volatile RunState state = RunState.STARTING;
  private volatile long steps;
  private volatile long version;
  private volatile float lastLoss = Float.NaN;
  private volatile long skipped;
  private volatile long rollbacks;
  private int badInARow;
  private long addedAtLastStep;

  public TrainerLoop(Supplier<AeTrainer> trainerFactory, ReplayBuffer replay, Supplier<ParamPublisher> publisherFactory,
                     Settings settings, Sink sink) {
    this.trainerFactory = trainerFactory;
    this.replay = replay;
    this.publisherFactory = publisherFactory;
    this.settings = settings;
    this.sink = sink;
  }

  public CompletableFuture<Void> ready() {
    return ready;
  }

  public CompletableFuture<Void> finished() {
    return finished;
  }

  public TrainerStatus status() {
    return new TrainerStatus(state, steps, version, lastLoss, replay.size(), skipped, rollbacks);
  }

  /** Queues pause, resume or stop; completes once the loop is between steps and has applied it. */
  public CompletableFuture<TrainerStatus> command(String name) {
    CompletableFuture<TrainerStatus> done = new CompletableFuture<>();
    if (finished.isDone()) {
      done.complete(status());
    } else {
      commands.add(new Command(name, done));
    }
    return done;
  }

  @Override
  public void run() {
    ParamPublisher publisher = null;
    try (AeTrainer trainer = trainerFactory.get()) {
      publisher = publisherFactory.get();
      publish(trainer, publisher); // the agent starts from the trainer's initial parameters
      state = RunState.RUNNING;
      ready.complete(null);
      loop(trainer, publisher);
    } catch (Throwable t) {
      state = RunState.FAILED;
      LOG.error("trainer crashed", t);
      sink.event(Event.error("trainer-crash", "trainer crashed: " + t));
      ready.completeExceptionally(t);
    } finally {
      if (state != RunState.FAILED) {
        state = RunState.STOPPED;
      }
      Command c;
      while ((c = commands.poll()) != null) {
        c.done().complete(status());
      }
      finished.complete(null);
    }
  }

  private void loop(AeTrainer trainer, ParamPublisher publisher) throws InterruptedException {
    while (true) {
      Command c = state == RunState.PAUSED || !hasWork()
          ? commands.poll(state == RunState.PAUSED ? 1000 : 5, TimeUnit.MILLISECONDS)
          : commands.poll();
      if (c != null) {
        if (!handle(c)) {
          return;
        }
        continue;
      }
      if (state == RunState.RUNNING && hasWork()) {
        trainOnce(trainer, publisher);
      }
    }
  }

  private boolean hasWork() {
    return replay.size() >= settings.minReplay() && replay.added() - addedAtLastStep >= settings.minNewSamples();
  }

  private boolean handle(Command c) {
    switch (c.name()) {
      case "pause" -> state = RunState.PAUSED;
      case "resume" -> state = RunState.RUNNING;
      case "stop" -> {
        state = RunState.STOPPING;
        commands.add(c); // completed once the model is closed
        return false;
      }
      default -> {
        c.done().completeExceptionally(new IllegalArgumentException("unknown trainer command " + c.name()));
        return true;
      }
    }
    c.done().complete(status());
    return true;
  }

  private void trainOnce(AeTrainer trainer, ParamPublisher publisher) {
    addedAtLastStep = replay.added();
    replay.sampleObservations(trainer.batch(), trainer.batchBuffer());
    long t0 = System.nanoTime();
    float loss = trainer.step();
    double ms = (System.nanoTime() - t0) / 1e6;
    lastLoss = loss;
    if (Float.isFinite(loss)) {
      badInARow = 0;
      steps++;
      if (steps % settings.publishEvery() == 0) {
        publish(trainer, publisher);
      }
    } else {
      skipped++;
      if (++badInARow >= settings.maxBadLosses()) {
        rollBack(trainer, publisher);
      }
    }
    sink.step(new TrainRecord(steps, ms, loss, version, replay.size(), skipped, System.currentTimeMillis()));
  }

  private void publish(AeTrainer trainer, ParamPublisher publisher) {
    if (!trainer.parametersFinite()) {
      sink.event(Event.error("publish-refused", "parameters at step " + steps + " are not finite; not published"));
      rollBack(trainer, publisher);
      return;
    }
    ParamSnapshot s = publisher.publish(trainer.groups(), steps);
    version = s.version();
    sink.published(new dev.ami.bus.ParamsPublished(s.key(), s.version(), steps, s.createdNanos()));
  }

  private void rollBack(AeTrainer trainer, ParamPublisher publisher) {
    ParamSnapshot last = publisher.current();
    if (last == null || !last.tryAcquire()) {
      sink.event(Event.error("trainer-diverged", badInARow + " non-finite losses in a row and no snapshot to roll back to"));
      return;
    }
    try {
      trainer.restore(last);
      rollbacks++;
      badInARow = 0;
      sink.event(Event.warn("trainer-rollback", settings.maxBadLosses() + " non-finite losses in a row: rolled back to "
          + "version " + last.version()));
    } finally {
      last.release();
    }
  }
}
